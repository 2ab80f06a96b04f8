/* The table-driven codec checks (see codec_check.h). */
#include "codec_check.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "probe_vectors.h"
#include "vector_suites.h"   /* generated: every protocol's */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Walks hex, storing each byte in out (when not NULL); returns the count. */
static size_t hex_walk(const char *hex, uint8_t *out)
{
    size_t n = 0;
    const char *p = hex;
    while (*p != '\0') {
        if (*p == ' ') { p++; continue; }
        int hi = hex_digit(p[0]);
        int lo = hex_digit(p[1]);
        cr_assert(hi >= 0 && lo >= 0, "bad hex in test table: \"%s\"", hex);
        p += 2;
        unsigned long times = 1;
        if (*p == '*') times = strtoul(p + 1, (char **)&p, 10);
        for (unsigned long i = 0; i < times; i++, n++) {
            if (out != NULL) out[n] = (uint8_t)(hi << 4 | lo);
        }
    }
    return n;
}

uint8_t *hex_bytes(const char *hex, size_t *len)
{
    *len = hex_walk(hex, NULL);
    uint8_t *buf = malloc(*len > 0 ? *len : 1);
    cr_assert_not_null(buf);
    hex_walk(hex, buf);
    return buf;
}

uint8_t *heap_copy(const void *p, size_t n)
{
    uint8_t *buf = malloc(n > 0 ? n : 1);
    cr_assert_not_null(buf);
    if (n > 0) memcpy(buf, p, n);
    return buf;
}

/* A zeroed heap message of the codec's type, so that after a decode the
 * bytes the decoder did not write are zero, as in the static expected one.
 */
static void *new_msg(const struct codec *codec)
{
    void *m = calloc(1, codec->size);
    cr_assert_not_null(m);
    return m;
}

static void expect_bytes(const char *what, const uint8_t *got, size_t got_len,
                         const uint8_t *want, size_t want_len)
{
    cr_expect_eq(got_len, want_len, "%s: encoded %zu bytes, want %zu", what, got_len, want_len);
    if (got_len != want_len) return;
    for (size_t i = 0; i < want_len; i++) {
        cr_expect_eq(got[i], want[i], "%s: byte %zu is %02x, want %02x", what, i, got[i], want[i]);
    }
}

void check_golden_encode(const struct wire_case *c)
{
    size_t want_len;
    uint8_t *want = hex_bytes(c->hex, &want_len);
    cr_expect_leq(want_len, c->codec->max_size, "%s: longer than %s_MAX_SIZE", c->what, c->codec->name);
    /* Into a buffer of exactly the encoded size, then of the maximum size. */
    size_t caps[2] = { want_len, c->codec->max_size };
    for (size_t k = 0; k < 2; k++) {
        uint8_t *buf = malloc(caps[k] > 0 ? caps[k] : 1);
        size_t len = (size_t)-1;
        proto_caps got = { 99, { 0 } };
        proto_err err = c->codec->encode(c->msg, buf, caps[k], &len, &got);
        cr_expect_eq(err, PROTO_OK, "%s: encode (cap %zu): %s", c->what, caps[k], proto_strerror((int)err));
        if (err == PROTO_OK) expect_bytes(c->what, buf, len, want, want_len);
        cr_expect_eq(got.n, c->caps.n, "%s: %u caps, want %u", c->what, got.n, c->caps.n);
        for (uint32_t i = 0; i < got.n && i < c->caps.n; i++)
            cr_expect_eq(got.h[i], c->caps.h[i], "%s: cap %u is %u, want %u", c->what, i, got.h[i], c->caps.h[i]);
        free(buf);
    }
    free(want);
}

void check_golden_decode(const struct wire_case *c)
{
    size_t len;
    uint8_t *in = hex_bytes(c->hex, &len);
    void *m = new_msg(c->codec);
    proto_err err = c->codec->decode(m, in, len, &c->caps);
    cr_expect_eq(err, PROTO_OK, "%s: decode: %s", c->what, proto_strerror((int)err));
    cr_expect_arr_eq(m, c->msg, c->codec->size, "%s: decoded message differs from the expected one", c->what);
    free(m);
    free(in);
}

void check_truncations(const struct wire_case *c)
{
    size_t len;
    uint8_t *full = hex_bytes(c->hex, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *in = heap_copy(full, n);
        void *m = new_msg(c->codec);
        proto_err err = c->codec->decode(m, in, n, &c->caps);
        cr_expect_eq(err, PROTO_ERR_SHORT_BUFFER, "%s cut to %zu of %zu bytes: got %s", c->what, n, len,
                     proto_strerror((int)err));
        free(m);
        free(in);
    }
    free(full);
}

void check_trailing_bytes(const struct wire_case *c)
{
    size_t len;
    uint8_t *full = hex_bytes(c->hex, &len);
    static const uint8_t extra[3] = { 0x00, 0xff, 0x01 };
    for (size_t k = 1; k <= sizeof extra; k++) {
        uint8_t *in = malloc(len + k);
        memcpy(in, full, len);
        memcpy(in + len, extra, k);
        void *m = new_msg(c->codec);
        proto_err err = c->codec->decode(m, in, len + k, &c->caps);
        cr_expect_eq(err, PROTO_ERR_TRAILING_BYTES, "%s + %zu trailing bytes: got %s", c->what, k,
                     proto_strerror((int)err));
        free(m);
        free(in);
    }
    free(full);
}

void check_output_too_small(const struct wire_case *c)
{
    size_t want_len;
    uint8_t *want = hex_bytes(c->hex, &want_len);
    for (size_t cap = 0; cap < want_len; cap++) {
        uint8_t *buf = malloc(cap > 0 ? cap : 1);
        size_t len = 12345;
        proto_caps got;
        proto_err err = c->codec->encode(c->msg, buf, cap, &len, &got);
        cr_expect_eq(err, PROTO_ERR_OUTPUT_TOO_SMALL, "%s into %zu of %zu bytes: got %s", c->what, cap, want_len,
                     proto_strerror((int)err));
        cr_expect_eq(len, 12345, "%s into %zu bytes: *len written on failure", c->what, cap);
        free(buf);
    }
    free(want);
}

size_t schema_tags(const char *message, bool known[256])
{
    size_t n = 0;
    memset(known, 0, 256 * sizeof known[0]);
    for (size_t s = 0; s <= PROTO_VECTOR_SUITES; s++) {
        const proto_vector_suite *suite = s < PROTO_VECTOR_SUITES ? proto_vector_suites[s] : &probe_vectors;
        for (size_t i = 0; i < suite->count; i++) {
            const proto_vector *v = &suite->vectors[i];
            if (strcmp(v->message, message) != 0 || v->expect != PROTO_OK || v->in_len == 0 || known[v->in[0]])
                continue;
            known[v->in[0]] = true;
            n++;
        }
    }
    return n;
}

void check_unknown_tags(const struct codec *codec)
{
    bool known[256];
    size_t ntags = schema_tags(codec->name, known);
    cr_expect_gt(ntags, 0, "%s: no valid conformance vector names a tag", codec->name);
    for (unsigned tag = 0; tag <= 255; tag++) {
        if (known[tag]) continue;
        /* The tag alone, and the tag followed by a maximum-size body of zeros. */
        size_t lens[2] = { 1, codec->max_size };
        for (size_t k = 0; k < 2; k++) {
            uint8_t *in = calloc(1, lens[k]);
            in[0] = (uint8_t)tag;
            void *m = new_msg(codec);
            proto_err err = codec->decode(m, in, lens[k], NULL);
            cr_expect_eq(err, PROTO_ERR_UNKNOWN_TAG, "%s tag %u (%zu bytes): got %s", codec->name, tag, lens[k],
                         proto_strerror((int)err));
            free(m);
            free(in);
        }
        /* Encoding a message whose tag is not in the schema. */
        uint8_t *msg = calloc(1, codec->size);
        msg[0] = (uint8_t)tag; /* every generated message starts with uint8_t tag */
        uint8_t buf[PROTO_TEST_MAX_ENCODED];
        size_t len = 0;
        proto_caps got;
        proto_err err = codec->encode(msg, buf, sizeof buf, &len, &got);
        cr_expect_eq(err, PROTO_ERR_UNKNOWN_TAG, "%s encode with tag %u: got %s", codec->name, tag,
                     proto_strerror((int)err));
        free(msg);
    }
}

void check_bad_input(const struct bad_input *b)
{
    size_t len;
    uint8_t *in = hex_bytes(b->hex, &len);
    void *m = new_msg(b->codec);
    proto_err err = b->codec->decode(m, in, len, &b->caps);
    cr_expect_eq(err, b->err, "%s: got %s, want %s", b->what, proto_strerror((int)err), proto_strerror((int)b->err));
    free(m);
    free(in);
}

void check_bad_message(const struct bad_message *b)
{
    uint8_t buf[PROTO_TEST_MAX_ENCODED];
    size_t len = 12345;
    proto_caps got;
    proto_err err = b->codec->encode(b->msg, buf, sizeof buf, &len, &got);
    cr_expect_eq(err, b->err, "%s: got %s, want %s", b->what, proto_strerror((int)err), proto_strerror((int)b->err));
    cr_expect_eq(len, 12345, "%s: *len written on failure", b->what);
}

void each_case(const struct wire_case *cases, size_t n, void (*check)(const struct wire_case *))
{
    for (size_t i = 0; i < n; i++) check(&cases[i]);
}
