/* verdict MESSAGE < LIST: the C codecs' side of the fuzzers' differential
 * check (tests/fuzz/differential.lua). LIST names one input file a line; for
 * each, in order, prints one line of what the generated decoder of MESSAGE
 * says with 0, 1, ... PROTO_MAX_CAPS capabilities beside the bytes, the
 * verdicts separated by " | ":
 *   OK HEX        it decodes, and HEX is the value encoded back
 *   ERR N         it is rejected with proto_err N
 *   ENCODE N      it decodes but does not encode back (proto_err N)
 * The decode -> encode pair is the message's generated _roundtrip function,
 * found through the conformance vector tables that carry it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_vectors.h"
#include "vector_suites.h"   /* generated: every protocol's */

/* A vector of message name (every protocol's and the probe's): its
 * round-trip function and _MAX_SIZE. */
static const proto_vector *find_message(const char *name)
{
    for (size_t s = 0; s <= PROTO_VECTOR_SUITES; s++) {
        const proto_vector_suite *suite = s < PROTO_VECTOR_SUITES ? proto_vector_suites[s] : &probe_vectors;
        for (size_t i = 0; i < suite->count; i++) {
            if (strcmp(suite->vectors[i].message, name) == 0)
                return &suite->vectors[i];
        }
    }
    return NULL;
}

/* The bytes of path in a heap buffer of exactly their length; NULL on error. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(size > 0 ? (size_t)size : 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int verdict(const proto_vector *msg, const char *path)
{
    size_t len = 0, out_len = 0;
    uint8_t *in = read_file(path, &len);
    uint8_t *out = malloc(msg->max_size);
    if (in == NULL || out == NULL) {
        fprintf(stderr, "verdict: cannot read %s\n", path);
        free(in);
        free(out);
        return -1;
    }
    for (uint32_t n = 0; n <= PROTO_MAX_CAPS; n++) {
        proto_err encoded = PROTO_OK;
        proto_err err = msg->roundtrip(in, len, n, out, msg->max_size, &out_len, &encoded);
        printf("%s", n > 0 ? " | " : "");
        if (err != PROTO_OK) {
            printf("ERR %d", (int)err);
        } else if (encoded != PROTO_OK) {
            printf("ENCODE %d", (int)encoded);
        } else {
            printf("OK ");
            for (size_t i = 0; i < out_len; i++)
                printf("%02x", out[i]);
        }
    }
    printf("\n");
    free(in);
    free(out);
    return 0;
}

int main(int argc, char **argv)
{
    const proto_vector *msg = argc == 2 ? find_message(argv[1]) : NULL;
    if (msg == NULL) {
        fprintf(stderr, "usage: verdict MESSAGE < LIST (MESSAGE: a union or wire struct with conformance vectors)\n");
        return 2;
    }
    char path[4096];
    while (fgets(path, sizeof path, stdin) != NULL) {
        path[strcspn(path, "\n")] = '\0';
        if (verdict(msg, path) != 0)
            return 1;
    }
    return 0;
}
