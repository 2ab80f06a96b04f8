/* The generated formatters (gen/c_format.lua): the exact text of every
 * variant of timer, boot and the probe schema; every cap from 0 to past the
 * full length (NUL-terminated, a prefix of the full text, the same return
 * value, nothing written past cap: each buffer is a heap block of exactly
 * cap bytes); bytes that do not decode; and random values never overflow.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_format.h"
#include "probe_format.h"
#include "probe_values.h"
#include "timer_format.h"

/* A formatter behind a void pointer, with the text it must give. */
struct fmt_case {
    size_t (*format)(const void *m, char *buf, size_t cap);
    const void *m;
    const char *text;
};

#define FORMAT_ANY(T)                                                   \
    static size_t T##_format_any(const void *m, char *buf, size_t cap) \
    {                                                                   \
        return T##_format((const T *)m, buf, cap);                      \
    }
FORMAT_ANY(TimerRequest)
FORMAT_ANY(TimerResponse)
FORMAT_ANY(BootRequest)
FORMAT_ANY(BootResponse)
FORMAT_ANY(ProbeRequest)
FORMAT_ANY(ProbeResponse)
FORMAT_ANY(ProbePoint)

static const TimerRequest after_50ms = { .tag = TimerRequest_After_tag, .u.After = { 50000 } };
static const TimerRequest after_0 = { .tag = TimerRequest_After_tag, .u.After = { 0 } };
static const TimerRequest after_max = { .tag = TimerRequest_After_tag, .u.After = { UINT64_MAX } };
static const TimerRequest timer_tag_9 = { .tag = 9 };
static const TimerResponse expired = { .tag = TimerResponse_Expired_tag };
static const BootRequest connect_timer = { .tag = BootRequest_ConnectService_tag, .u.ConnectService = { { 5, "timer" } } };
static const BootRequest connect_empty = { .tag = BootRequest_ConnectService_tag };
static const BootRequest connect_escapes = {
    .tag = BootRequest_ConnectService_tag, .u.ConnectService = { { 9, "a\"b\\c\0\x01\x7f\xff" } } };
static const BootRequest connect_max = {
    .tag = BootRequest_ConnectService_tag, .u.ConnectService = { { 32, "0123456789abcdef0123456789ABCDEF" } } };
static const BootRequest connect_over = {   /* len over the bound: never decoded, still formatted */
    .tag = BootRequest_ConnectService_tag, .u.ConnectService = { { 40, "0123456789abcdef0123456789ABCDEF" } } };
static const BootResponse ok = { .tag = BootResponse_Ok_tag, .u.Ok.channel = 7 };
static const BootResponse not_found = { .tag = BootResponse_Error_tag, .u.Error = { { 9, "not found" } } };
static const BootResponse boot_tag_255 = { .tag = 255 };

static const ProbeRequest flags_undefined = FLAGS(true, 3);
static const ProbeRequest shape = {
    .tag = ProbeRequest_Shape_tag,
    .u.Shape = {
        .points = { { -2, 300, true }, { 1, -1, false } },
        .blob = { 3, { 0xde, 0xad, 0xbe } },
        .colors = { PROBE_COLOR_BLUE, 200 },
    },
};
static const ProbeRequest labels = {
    .tag = ProbeRequest_Labels_tag,
    .u.Labels = { .names = { { 2, "ab" }, { 0, "" } }, .blobs = { { 3, { 1, 2, 0xff } }, { 0, { 0 } } } },
};
static const ProbeRequest ping = { .tag = ProbeRequest_Ping_tag };
static const ProbeRequest probe_tag_1 = { .tag = 1 };
static const ProbeResponse pong = { .tag = ProbeResponse_Pong_tag, .u.Pong = { -5 } };
static const ProbeResponse nope = { .tag = ProbeResponse_Nope_tag };
static const ProbePoint point = { 0x1234, -1, true };

static const struct fmt_case cases[] = {
    { TimerRequest_format_any, &after_50ms, "TimerRequest::After { duration_us: 50000 }" },
    { TimerRequest_format_any, &after_0, "TimerRequest::After { duration_us: 0 }" },
    { TimerRequest_format_any, &after_max, "TimerRequest::After { duration_us: 18446744073709551615 }" },
    { TimerRequest_format_any, &timer_tag_9, "TimerRequest::<unknown tag 9>" },
    { TimerResponse_format_any, &expired, "TimerResponse::Expired {}" },
    { BootRequest_format_any, &connect_timer, "BootRequest::ConnectService { name: \"timer\" }" },
    { BootRequest_format_any, &connect_empty, "BootRequest::ConnectService { name: \"\" }" },
    { BootRequest_format_any, &connect_escapes,
      "BootRequest::ConnectService { name: \"a\\\"b\\\\c\\x00\\x01\\x7f\\xff\" }" },
    { BootRequest_format_any, &connect_max,
      "BootRequest::ConnectService { name: \"0123456789abcdef0123456789ABCDEF\" }" },
    { BootRequest_format_any, &connect_over,
      "BootRequest::ConnectService { name: \"0123456789abcdef0123456789ABCDEF\" }" },
    { BootResponse_format_any, &ok, "BootResponse::Ok { channel: cap#7 }" },
    { BootResponse_format_any, &not_found, "BootResponse::Error { message: \"not found\" }" },
    { BootResponse_format_any, &boot_tag_255, "BootResponse::<unknown tag 255>" },
    { ProbeRequest_format_any, &flags_off_red, "ProbeRequest::Flags { on: false, color: RED }" },
    { ProbeRequest_format_any, &flags_on_white, "ProbeRequest::Flags { on: true, color: WHITE }" },
    { ProbeRequest_format_any, &flags_undefined, "ProbeRequest::Flags { on: true, color: 3 }" },
    { ProbeRequest_format_any, &numbers_minus, "ProbeRequest::Numbers { s8: -1, s16: -2, s32: -3, s64: -4 }" },
    { ProbeRequest_format_any, &numbers_min,
      "ProbeRequest::Numbers { s8: -128, s16: -32768, s32: -2147483648, s64: -9223372036854775808 }" },
    { ProbeRequest_format_any, &numbers_max,
      "ProbeRequest::Numbers { s8: 127, s16: 32767, s32: 2147483647, s64: 9223372036854775807 }" },
    { ProbeRequest_format_any, &shape,
      "ProbeRequest::Shape { points: [ProbePoint { x: -2, y: 300, visible: true }, "
      "ProbePoint { x: 1, y: -1, visible: false }], blob: <de ad be>, colors: [BLUE, 200] }" },
    { ProbeRequest_format_any, &labels,
      "ProbeRequest::Labels { names: [\"ab\", \"\"], blobs: [<01 02 ff>, <>] }" },
    { ProbeRequest_format_any, &maybe_none, "ProbeRequest::Maybe { count: none, name: none, point: none, flag: none }" },
    { ProbeRequest_format_any, &maybe_all,
      "ProbeRequest::Maybe { count: 16909060, name: \"ab\", point: ProbePoint { x: 4660, y: -1, visible: true }, "
      "flag: false }" },
    { ProbeRequest_format_any, &floats_small, "ProbeRequest::Floats { single: 0x1.8p+1, wide: -0x1.4p+1, maybe: none }" },
    { ProbeRequest_format_any, &floats_edges,
      "ProbeRequest::Floats { single: -0x0p+0, wide: 0x1p+0, maybe: 0x0.0000000000001p-1022 }" },
    { ProbeRequest_format_any, &seek_explicit,
      "ProbeRequest::Seek { offset: ProbeOffset::Explicit { at: 72623859790382856 }, "
      "span: ProbeSpan { from: ProbeOffset::Stream {}, length: 5 } }" },
    { ProbeRequest_format_any, &note_full, "ProbeRequest::Note { title: \"ab\", body: <01 02 03 04>, kind: 7 }" },
    { ProbeRequest_format_any, &chunk_full,
      "ProbeRequest::Chunk { at: ProbeOffset::Explicit { at: 1 }, data: <aa bb>, "
      "span: ProbeSpan { from: ProbeOffset::Stream {}, length: 5 } }" },
    { ProbeRequest_format_any, &ping, "ProbeRequest::Ping {}" },
    { ProbeRequest_format_any, &probe_tag_1, "ProbeRequest::<unknown tag 1>" },
    { ProbeResponse_format_any, &pong, "ProbeResponse::Pong { echo: -5 }" },
    { ProbeResponse_format_any, &nope, "ProbeResponse::Nope {}" },
    { ProbePoint_format_any, &point, "ProbePoint { x: 4660, y: -1, visible: true }" },
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Formats into a heap block of exactly cap bytes (NULL when cap is 0) and
 * checks it as snprintf would be checked against the full text. */
static void check_cap(size_t (*format)(const char *, char *, size_t, const void *), const void *m,
                      const char *full, size_t full_len, size_t cap)
{
    char *buf = cap ? malloc(cap) : NULL;
    if (cap)
        memset(buf, '#', cap);
    size_t n = format(NULL, buf, cap, m);
    cr_assert_eq(n, full_len, "cap %zu: returned %zu, the full text is %zu", cap, n, full_len);
    if (cap) {
        size_t kept = full_len < cap - 1 ? full_len : cap - 1;
        cr_assert_eq(buf[kept], '\0', "cap %zu: no NUL at %zu", cap, kept);
        cr_assert(memcmp(buf, full, kept) == 0, "cap %zu: not a prefix of %s", cap, full);
    }
    free(buf);
}

static const struct fmt_case *current;
static size_t format_current(const char *unused, char *buf, size_t cap, const void *m)
{
    (void)unused;
    return current->format(m, buf, cap);
}

/* Every cap from 0 to two past the full text. */
static void check_every_cap(size_t (*format)(const char *, char *, size_t, const void *), const void *m,
                            const char *full)
{
    size_t len = strlen(full);
    for (size_t cap = 0; cap <= len + 2; cap++)
        check_cap(format, m, full, len, cap);
}

Test(format, every_variant_exact_text)
{
    for (size_t i = 0; i < NCASES; i++) {
        char buf[512];
        size_t n = cases[i].format(cases[i].m, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i].text, "case %zu", i);
        cr_assert_eq(n, strlen(cases[i].text), "case %zu: length %zu", i, n);
    }
}

Test(format, every_cap_is_a_nul_terminated_prefix)
{
    for (size_t i = 0; i < NCASES; i++) {
        current = &cases[i];
        check_every_cap(format_current, cases[i].m, cases[i].text);
    }
}

/* T_format_bytes: what decodes is formatted, the rest is named and shown in
 * hex. Rows leave ncaps out where the message travels with no capabilities. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
struct bytes_case {
    size_t (*format)(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap);
    uint8_t msg[24];
    size_t len;
    const char *text;
    uint32_t ncaps;
};

static const struct bytes_case bytes_cases[] = {
    { TimerRequest_format_bytes, { 0x00, 0x50, 0xc3, 0, 0, 0, 0, 0, 0 }, 9, "TimerRequest::After { duration_us: 50000 }" },
    { TimerRequest_format_bytes, { 0x00, 0x50 }, 2, "TimerRequest? input ended inside the message <00 50>" },
    { TimerRequest_format_bytes, { 0x07 }, 1, "TimerRequest? unknown union tag <07>" },
    { TimerRequest_format_bytes, { 0 }, 0, "TimerRequest? input ended inside the message <>" },
    { TimerResponse_format_bytes, { 0x00 }, 1, "TimerResponse::Expired {}" },
    { TimerResponse_format_bytes, { 0x00, 0x01 }, 2, "TimerResponse? bytes left after the message <00 01>" },
    { BootRequest_format_bytes, { 0x00, 0x05, 0x00, 't', 'i', 'm', 'e', 'r' }, 8,
      "BootRequest::ConnectService { name: \"timer\" }" },
    { BootRequest_format_bytes, { 0x00, 0x21, 0x00 }, 3,
      "BootRequest? string or bytes longer than the schema bound <00 21 00>" },
    { BootResponse_format_bytes, { 0x00 }, 1, "BootResponse::Ok { channel: cap#0 }", 1 },
    { BootResponse_format_bytes, { 0x00 }, 1, "BootResponse? capability missing, extra, repeated or out of range <00>" },
    { ProbeHand_format_bytes, { 0x00, 0x42, 0x01, 0x02, 0x03 }, 5,
      "ProbeHand::Give { note: 66, second: cap#1, spares: [cap#2, cap#3], first: cap#0 }", 4 },
    { BootResponse_format_bytes, { 0x01, 0x02, 0x00, 'n', 'o' }, 5, "BootResponse::Error { message: \"no\" }" },
    { ProbeRequest_format_bytes, { 0x00, 0x02, 0x00 }, 3, "ProbeRequest? bool byte other than 0 or 1 <00 02 00>" },
    { ProbeRequest_format_bytes, { 0x00, 0x01, 0x03 }, 3, "ProbeRequest? undefined enum value <00 01 03>" },
    { ProbeRequest_format_bytes, { 0xff }, 1, "ProbeRequest::Ping {}" },
    { ProbeRequest_format_bytes, { 0x0b, 0x01, 0x00, 0x80, 0x7f, 0, 0, 0, 0, 0, 0, 0xf0, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0x10, 0x00 }, 22,
      "ProbeRequest::Floats { single: nan(0x1), wide: -inf, maybe: 0x1p-1022 }" },
    { ProbeRequest_format_bytes, { 0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 }, 14,
      "ProbeRequest::Floats { single: -nan(0x7fffff), wide: -nan(0xfffffffffffff), maybe: none }" },
    { ProbeRequest_format_bytes, { 0x0a, 0x00, 0x00, 0x00, 0x02 }, 5,
      "ProbeRequest? opt presence byte other than 0 or 1 <0a 00 00 00 02>" },
    { ProbeResponse_format_bytes, { 0x00, 0xfb, 0xff, 0xff, 0xff }, 5, "ProbeResponse::Pong { echo: -5 }" },
};
#define NBYTES_CASES (sizeof bytes_cases / sizeof bytes_cases[0])

static const struct bytes_case *current_bytes;
static size_t format_current_bytes(const char *unused, char *buf, size_t cap, const void *m)
{
    (void)unused;
    (void)m;
    return current_bytes->format(current_bytes->msg, current_bytes->len, current_bytes->ncaps, buf, cap);
}

Test(format, bytes_decoded_or_hex)
{
    for (size_t i = 0; i < NBYTES_CASES; i++) {
        const struct bytes_case *c = &bytes_cases[i];
        uint8_t *msg = malloc(c->len ? c->len : 1);   /* exactly its length: ASan sees any over-read */
        memcpy(msg, c->msg, c->len);
        char buf[256];
        size_t n = c->format(msg, c->len, c->ncaps, buf, sizeof buf);
        cr_assert_str_eq(buf, c->text, "bytes case %zu", i);
        cr_assert_eq(n, strlen(c->text));
        free(msg);
        current_bytes = c;
        check_every_cap(format_current_bytes, NULL, c->text);
    }
}

/* Random messages: random wire bytes after a known tag, half of them cut
 * where T_read stops (so that they decode unless a byte is refused),
 * each formatted from its bytes and, when it decodes, from its value, at
 * the full size and at a random smaller cap. Timer and boot values also
 * straight from random memory (any tag, any length): no field has a type
 * with invalid representations there (no bool). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static void fill_random(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
}

#define FUZZ_TEXT 4096   /* more than any text these schemas can give */

/* The same text at cap and at FUZZ_TEXT; returns the full length. */
static size_t fuzz_check(size_t (*format)(const char *, char *, size_t, const void *), const void *m)
{
    char *full = malloc(FUZZ_TEXT);
    size_t len = format(NULL, full, FUZZ_TEXT, m);
    cr_assert_lt(len, FUZZ_TEXT);
    cr_assert_eq(strlen(full), len);
    check_cap(format, m, full, len, rnd() % (len + 2));
    free(full);
    return len;
}

#define FUZZ_DECODED(T, tags)                                                                  \
    static size_t fuzz_value_##T(const char *u, char *buf, size_t cap, const void *m)           \
    {                                                                                          \
        (void)u;                                                                               \
        return T##_format((const T *)m, buf, cap);                                             \
    }                                                                                          \
    static struct { uint8_t msg[T##_MAX_SIZE + 2]; size_t len; } fuzz_msg_##T;                 \
    static size_t fuzz_bytes_##T(const char *u, char *buf, size_t cap, const void *m)           \
    {                                                                                          \
        (void)u;                                                                               \
        (void)m;                                                                               \
        return T##_format_bytes(fuzz_msg_##T.msg, fuzz_msg_##T.len, 0, buf, cap);              \
    }                                                                                          \
    static int fuzz_##T(void)                                                                  \
    {                                                                                          \
        static const uint8_t known[] = tags;                                                   \
        fuzz_msg_##T.len = rnd() % sizeof fuzz_msg_##T.msg;                                    \
        fill_random(fuzz_msg_##T.msg, sizeof fuzz_msg_##T.msg);                                \
        T m;                                                                                   \
        if (rnd() % 8 != 0)                                                                    \
            fuzz_msg_##T.msg[0] = known[rnd() % sizeof known];                                 \
        if (rnd() % 2 == 0) { /* cut where a reader stops: it then decodes if it read */       \
            proto_reader r = { fuzz_msg_##T.msg, sizeof fuzz_msg_##T.msg, 0 };                 \
            if (T##_read(&r, &m) == PROTO_OK)                                                  \
                fuzz_msg_##T.len = r.pos;                                                      \
        }                                                                                      \
        fuzz_check(fuzz_bytes_##T, NULL);                                                      \
        if (T##_decode(&m, fuzz_msg_##T.msg, fuzz_msg_##T.len) != PROTO_OK)                    \
            return 0;                                                                          \
        fuzz_check(fuzz_value_##T, &m);                                                        \
        return 1;                                                                              \
    }
#define TAGS(...) { __VA_ARGS__ }
FUZZ_DECODED(TimerRequest, TAGS(TimerRequest_After_tag))
FUZZ_DECODED(TimerResponse, TAGS(TimerResponse_Expired_tag))
FUZZ_DECODED(BootRequest, TAGS(BootRequest_ConnectService_tag))
FUZZ_DECODED(BootResponse, TAGS(BootResponse_Ok_tag, BootResponse_Error_tag))
FUZZ_DECODED(ProbeRequest, TAGS(ProbeRequest_Flags_tag, ProbeRequest_Numbers_tag, ProbeRequest_Shape_tag,
                                ProbeRequest_Labels_tag, ProbeRequest_Ping_tag))
FUZZ_DECODED(ProbeResponse, TAGS(ProbeResponse_Pong_tag, ProbeResponse_Nope_tag))

Test(format, random_messages_never_overflow)
{
    int decoded = 0;
    for (int i = 0; i < 20000; i++) {
        decoded += fuzz_TimerRequest() + fuzz_TimerResponse() + fuzz_BootRequest() + fuzz_BootResponse() +
                   fuzz_ProbeRequest() + fuzz_ProbeResponse();
        /* Values from random memory: an unknown tag, a length over the bound. */
        TimerRequest t;
        BootRequest b;
        BootResponse r;
        fill_random(&t, sizeof t);
        fill_random(&b, sizeof b);
        fill_random(&r, sizeof r);
        fuzz_check(fuzz_value_TimerRequest, &t);
        fuzz_check(fuzz_value_BootRequest, &b);
        fuzz_check(fuzz_value_BootResponse, &r);
    }
    cr_assert_gt(decoded, 20000, "too few random messages decoded (%d) to test the value path", decoded);
}
