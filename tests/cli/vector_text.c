/* vector_text: every conformance vector of every protocol (the shipped
 * suites and the probe's), one line each, with the text the generated C
 * formatter gives its bytes, for tests/cli/test_cli.lua to hold
 * `gen/cli.lua decode` and `encode` to:
 *   MESSAGE \t NCAPS \t EXPECT \t HEX \t OUT \t TEXT \t NAME
 * EXPECT is the proto_err number the decoder must return, HEX the input
 * (- when empty), OUT a valid input's canonical re-encoding (the input, but
 * for an extensible message's from an older or newer peer; - for an
 * invalid input), TEXT what T_format_bytes writes (- for an invalid input).
 * The formatters are found by message name in VECTOR_TEXT_MESSAGES, an
 * X-macro list configure.lua derives from the generator's manifest (with
 * each protocol's P_format.h given by -include).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_vectors.h"
#include "vector_suites.h"

typedef size_t (*format_bytes_fn)(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap);

#define X(T) { #T, T##_format_bytes },
static const struct { const char *name; format_bytes_fn format; } formatters[] = { VECTOR_TEXT_MESSAGES };
#undef X

static format_bytes_fn find_format(const char *name)
{
    for (size_t i = 0; i < sizeof formatters / sizeof formatters[0]; i++) {
        if (strcmp(formatters[i].name, name) == 0)
            return formatters[i].format;
    }
    return NULL;
}

static int print_vector(const proto_vector *v)
{
    format_bytes_fn format = find_format(v->message);
    if (format == NULL) {
        fprintf(stderr, "vector_text: no formatter for %s\n", v->message);
        return -1;
    }
    printf("%s\t%u\t%d\t", v->message, (unsigned)v->ncaps, (int)v->expect);
    for (size_t i = 0; i < v->in_len; i++)
        printf("%s%02x", i > 0 ? " " : "", v->in[i]);
    printf("%s\t", v->in_len == 0 ? "-" : "");
    for (size_t i = 0; i < v->out_len; i++)
        printf("%s%02x", i > 0 ? " " : "", v->out[i]);
    printf("%s\t", v->out_len == 0 ? "-" : "");
    if (v->expect == PROTO_OK) {
        size_t n = format(v->in, v->in_len, v->ncaps, NULL, 0);
        char *text = malloc(n + 1);
        if (text == NULL)
            return -1;
        format(v->in, v->in_len, v->ncaps, text, n + 1);
        printf("%s", text);
        free(text);
    } else {
        printf("-");
    }
    printf("\t%s\n", v->name);
    return 0;
}

int main(void)
{
    for (size_t s = 0; s <= PROTO_VECTOR_SUITES; s++) {
        const proto_vector_suite *suite = s < PROTO_VECTOR_SUITES ? proto_vector_suites[s] : &probe_vectors;
        for (size_t i = 0; i < suite->count; i++) {
            if (print_vector(&suite->vectors[i]) != 0)
                return 1;
        }
    }
    return 0;
}
