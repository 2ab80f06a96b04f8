/* libFuzzer target for one generated decoder, chosen at build time:
 *   clang -fsanitize=fuzzer,address,undefined -DFUZZ_MSG=TimerRequest -DFUZZ_HEADER='"timer.h"'
 * Any input must decode without reading past its end (ASan) or undefined
 * behaviour (UBSan); it is decoded beside 0 .. PROTO_MAX_CAPS capabilities,
 * of which at most one count can fit it. An input that decodes must
 * re-encode to exactly the same bytes and the same capabilities in the same
 * order (the encoding is canonical), or the target aborts. An extensible
 * message's input may be a newer peer's (bytes after the known fields,
 * skipped) or an older one's (cut before trailing opt fields, absent): its
 * re-encoding is the input without what was skipped, or with a presence
 * byte 0 for each opt field it lacked, and re-encodes to itself.
 * Its formatter (FUZZ_HEADER is the P_format.h that includes P.h) must
 * give, in a heap block of a size the input picks, a NUL-terminated prefix
 * of the whole text and the whole text's length (inputs up to _MAX_SIZE + 8).
 * The careful codec (T_read and T_write, what decode and encode fall back
 * to after their fast path: PROTO_FAST_PATHS in proto.h) must agree with
 * decode and encode on every input: the same status, the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include FUZZ_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MSG_ENCODE_CAPS CAT(FUZZ_MSG, _encode_caps)
#define MSG_DECODE_CAPS CAT(FUZZ_MSG, _decode_caps)
#define MSG_MAX_SIZE CAT(FUZZ_MSG, _MAX_SIZE)
#define MSG_FORMAT_BYTES CAT(FUZZ_MSG, _format_bytes)
#define MSG_EXTENSIBLE CAT(FUZZ_MSG, _EXTENSIBLE)
#define MSG_READ CAT(FUZZ_MSG, _read)
#define MSG_WRITE CAT(FUZZ_MSG, _write)
#define STR_(x) #x
#define STR(x) STR_(x)

static void fail(const char *why, const uint8_t *data, size_t len)
{
    fprintf(stderr, "%s: %s on a %zu-byte input\n", STR(FUZZ_MSG), why, len);
    for (size_t i = 0; i < len; i++) fprintf(stderr, "%02x%s", data[i], i + 1 < len ? " " : "\n");
    abort();
}

static void check_format(const uint8_t *data, size_t len)
{
    uint32_t ncaps = len > 0 ? data[0] % (PROTO_MAX_CAPS + 1) : 0;   /* the caps beside it: the input picks */
    size_t full_len = MSG_FORMAT_BYTES(data, len, ncaps, NULL, 0);
    char *full = malloc(full_len + 1);
    if (MSG_FORMAT_BYTES(data, len, ncaps, full, full_len + 1) != full_len || strlen(full) != full_len)
        fail("format_bytes gives another length with room for the whole text", data, len);
    size_t cap = len > 0 ? data[len - 1] % (full_len + 2) : 0;
    char *buf = cap > 0 ? malloc(cap) : NULL;
    if (MSG_FORMAT_BYTES(data, len, ncaps, buf, cap) != full_len)
        fail("format_bytes returns another length when cut", data, len);
    if (cap > 0) {
        size_t kept = full_len < cap - 1 ? full_len : cap - 1;
        if (buf[kept] != '\0' || memcmp(buf, full, kept) != 0)
            fail("format_bytes cut is not a NUL-terminated prefix", data, len);
    }
    free(buf);
    free(full);
}

/* An extensible message decoded from data (len bytes) and re-encoded as
 * out: the same bytes as far as both go, and what out has more only presence
 * bytes 0 (the opt fields an older peer's message lacked); out is canonical:
 * it decodes and re-encodes to itself. */
static void check_extensible(const uint8_t *data, size_t len, const uint8_t *out, size_t out_len, const proto_caps *caps)
{
    size_t common = len < out_len ? len : out_len;
    if (memcmp(out, data, common) != 0) fail("re-encoding differs from the input before its end", data, len);
    for (size_t i = common; i < out_len; i++)
        if (out[i] != 0) fail("re-encoding adds more than absent opt fields to the input", data, len);
    FUZZ_MSG again;
    proto_caps again_caps;
    uint8_t twice[MSG_MAX_SIZE];
    size_t twice_len = 0;
    if (MSG_DECODE_CAPS(&again, out, out_len, caps) != PROTO_OK ||
        MSG_ENCODE_CAPS(&again, twice, sizeof twice, &twice_len, &again_caps) != PROTO_OK || twice_len != out_len ||
        memcmp(twice, out, out_len) != 0)
        fail("re-encoding does not decode and re-encode to itself", data, len);
}

/* What decode_caps returns, by the careful codec alone. */
static proto_err careful_decode(FUZZ_MSG *m, const uint8_t *data, size_t len, const proto_caps *caps)
{
    proto_reader r;
    proto_reader_init(&r, data, len, caps);
    proto_err err = MSG_READ(&r, m);
    if (err != PROTO_OK) return err;
    if (r.pos != len && !MSG_EXTENSIBLE) return PROTO_ERR_TRAILING_BYTES;   /* an extensible one skips them */
    return proto_caps_all_taken(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len <= MSG_MAX_SIZE + 8)   /* longer ones are only more hex: keep the decoder's pace */
        check_format(data, len);
    int decoded = 0;
    for (uint32_t n = 0; n <= PROTO_MAX_CAPS; n++) {
        proto_caps caps = { n, { 0 } }, again;
        for (uint32_t i = 0; i < n; i++) caps.h[i] = 100 + i;
        FUZZ_MSG m;
        proto_err err = MSG_DECODE_CAPS(&m, data, len, &caps);
        FUZZ_MSG careful;
        if (careful_decode(&careful, data, len, &caps) != err) fail("decode and the careful decoder disagree", data, len);
        if (err == PROTO_OK) {
            uint8_t out[MSG_MAX_SIZE];
            size_t out_len = 0;
            if (++decoded > 1) fail("decoded beside two different counts of capabilities", data, len);
            if (len > MSG_MAX_SIZE && !MSG_EXTENSIBLE) fail("decoded input longer than _MAX_SIZE", data, len);
            if (MSG_ENCODE_CAPS(&m, out, sizeof out, &out_len, &again) != PROTO_OK)
                fail("decoded message does not re-encode", data, len);
            if (!MSG_EXTENSIBLE && (out_len != len || memcmp(out, data, len) != 0))
                fail("re-encoding differs from the input", data, len);
            if (MSG_EXTENSIBLE)
                check_extensible(data, len, out, out_len, &caps);
            if (again.n != n || memcmp(again.h, caps.h, n * sizeof caps.h[0]) != 0)
                fail("re-encoding carries other capabilities", data, len);
            proto_caps careful_caps = { 0, { 0 } };
            proto_writer w;
            uint8_t by_careful[MSG_MAX_SIZE] = { 0 };
            proto_writer_init(&w, by_careful, sizeof by_careful, &careful_caps);
            if (MSG_WRITE(&w, &careful) != PROTO_OK || w.pos != out_len || memcmp(by_careful, out, out_len) != 0 ||
                careful_caps.n != n || memcmp(careful_caps.h, caps.h, n * sizeof caps.h[0]) != 0)
                fail("the careful encoder does not give the same bytes back", data, len);
        } else if (err < PROTO_ERR_SHORT_BUFFER || err >= PROTO_ERR_COUNT || err == PROTO_ERR_OUTPUT_TOO_SMALL ||
                   err == PROTO_ERR_UNEXPECTED_REPLY) {
            fail("decode returned an error no decoder may return", data, len);
        }
    }
    return 0;
}
