/* The generated dispatchers: the right handler with the decoded fields, its
 * return value passed back; malformed input rejected with no handler call.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "codec_check.h"
#include "handlers.h"

typedef proto_err dispatch_fn(void *ctx, const uint8_t *msg, size_t len, int *result);

/* One valid request: its bytes and the handler it must reach. */
struct dispatch_case {
    const char *what;
    dispatch_fn *dispatch;
    const char *hex;
    enum handled handler;
};

static const struct dispatch_case cases[] = {
    { "After{50000}", record_TimerRequest, "00 50 c3 00 00 00 00 00 00", HANDLED_AFTER },
    { "ConnectService(\"timer\")", record_BootRequest, "00 05 00 74 69 6d 65 72", HANDLED_CONNECT_SERVICE },
    { "Flags{true, BLUE}", record_ProbeRequest, "00 01 02", HANDLED_FLAGS },
    { "Numbers{-1, -2, -3, -4}", record_ProbeRequest, "03 ff fe ff fd ff ff ff fc ff ff ff ff ff ff ff",
      HANDLED_NUMBERS },
    { "Shape", record_ProbeRequest, "07 fe ff 2c 01 00 00 01  01 00 ff ff ff ff 00  03 00 de ad be  02 01",
      HANDLED_SHAPE },
    { "Labels", record_ProbeRequest, "09 02 00 61 62 00 00  03 00 01 02 03 00 00", HANDLED_LABELS },
    { "Maybe", record_ProbeRequest, "0a 01 04 03 02 01  00  00  01 01", HANDLED_MAYBE },
    { "Floats", record_ProbeRequest, "0b 00 00 40 40  00 00 00 00 00 00 04 c0  00", HANDLED_FLOATS },
    { "Seek", record_ProbeRequest, "0c 00 08 07 06 05 04 03 02 01  01 05 00 00 00", HANDLED_SEEK },
    { "Note", record_ProbeRequest, "0d 02 00 61 62  04 00 01 02 03 04  07", HANDLED_NOTE },
    { "Ping", record_ProbeRequest, "ff", HANDLED_PING },
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Dispatches len bytes of full (copied to a buffer of exactly len bytes)
 * and expects err with no handler called and *result untouched.
 */
static void expect_rejected(const char *what, dispatch_fn *dispatch, const uint8_t *full, size_t len, proto_err want)
{
    struct handler_log log = { .ret = 42 };
    int result = -12345;
    uint8_t *in = heap_copy(full, len);
    proto_err err = dispatch(&log, in, len, &result);
    cr_expect_eq(err, want, "%s: got %s, want %s", what, proto_strerror((int)err), proto_strerror((int)want));
    cr_expect_eq(log.calls, 0, "%s: a handler was called", what);
    cr_expect_eq(result, -12345, "%s: *result written", what);
    free(in);
}

Test(dispatch, calls_the_variants_handler_and_returns_its_result)
{
    static const int rets[] = { 0, 42, -7 };
    for (size_t i = 0; i < NCASES; i++) {
        for (size_t k = 0; k < sizeof rets / sizeof rets[0]; k++) {
            size_t len;
            uint8_t *in = hex_bytes(cases[i].hex, &len);
            struct handler_log log = { .ret = rets[k] };
            int result = -12345;
            proto_err err = cases[i].dispatch(&log, in, len, &result);
            cr_expect_eq(err, PROTO_OK, "%s: %s", cases[i].what, proto_strerror((int)err));
            cr_expect_eq(log.calls, 1, "%s: %d handler calls", cases[i].what, log.calls);
            cr_expect_eq(log.last, cases[i].handler, "%s: handler %d called", cases[i].what, (int)log.last);
            cr_expect_eq(result, rets[k], "%s: result %d, handler returned %d", cases[i].what, result, rets[k]);
            /* result may be NULL */
            cr_expect_eq(cases[i].dispatch(&log, in, len, NULL), PROTO_OK);
            cr_expect_eq(log.calls, 2);
            free(in);
        }
    }
}

Test(dispatch, handlers_get_the_decoded_fields)
{
    struct handler_log log = { 0 };
    size_t len;
    uint8_t *in;
    for (size_t i = 0; i < NCASES; i++) {
        in = hex_bytes(cases[i].hex, &len);
        cr_assert_eq(cases[i].dispatch(&log, in, len, NULL), PROTO_OK);
        free(in);
    }
    cr_expect_eq(log.after.duration_us, 50000);
    cr_expect_eq(log.connect_service.name.len, 5);
    cr_expect_str_eq(log.connect_service.name.data, "timer");
    cr_expect_eq(log.flags.on, true);
    cr_expect_eq(log.flags.color, PROBE_COLOR_BLUE);
    cr_expect_eq(log.numbers.s8, -1);
    cr_expect_eq(log.numbers.s16, -2);
    cr_expect_eq(log.numbers.s32, -3);
    cr_expect_eq(log.numbers.s64, -4);
    cr_expect_eq(log.shape.points[0].x, -2);
    cr_expect_eq(log.shape.points[0].y, 300);
    cr_expect_eq(log.shape.points[0].visible, true);
    cr_expect_eq(log.shape.points[1].x, 1);
    cr_expect_eq(log.shape.points[1].y, -1);
    cr_expect_eq(log.shape.points[1].visible, false);
    cr_expect_eq(log.shape.blob.len, 3);
    cr_expect_arr_eq(log.shape.blob.data, ((uint8_t[]){ 0xde, 0xad, 0xbe }), 3);
    cr_expect_eq(log.shape.colors[0], PROBE_COLOR_BLUE);
    cr_expect_eq(log.shape.colors[1], PROBE_COLOR_GREEN);
    cr_expect_str_eq(log.labels.names[0].data, "ab");
    cr_expect_eq(log.labels.names[1].len, 0);
    cr_expect_eq(log.labels.blobs[0].len, 3);
    cr_expect_arr_eq(log.labels.blobs[0].data, ((uint8_t[]){ 1, 2, 3 }), 3);
    cr_expect_eq(log.labels.blobs[1].len, 0);
    cr_expect(log.maybe.has_count && log.maybe.count == 0x01020304);
    cr_expect(!log.maybe.has_name && !log.maybe.has_point);
    cr_expect(log.maybe.has_flag && log.maybe.flag);
    uint32_t single;
    memcpy(&single, &log.floats.single, 4);
    cr_expect_eq(single, 0x40400000u, "f32 3.0 arrives as its bits");
    cr_expect(!log.floats.has_maybe);
    cr_expect_eq(log.seek.offset.tag, ProbeOffset_Explicit_tag);
    cr_expect_eq(log.seek.offset.u.Explicit.at, 0x0102030405060708ull);
    cr_expect_eq(log.seek.span.from.tag, ProbeOffset_Stream_tag);
    cr_expect_eq(log.seek.span.length, 5);
    cr_expect_str_eq(log.note.title.data, "ab");
    cr_expect(log.note.body.len == 4 && log.note.kind == 7);
}

Test(dispatch, truncated_and_trailing_input_calls_nothing)
{
    for (size_t i = 0; i < NCASES; i++) {
        size_t len;
        uint8_t *full = hex_bytes(cases[i].hex, &len);
        uint8_t *longer = calloc(1, len + 1);
        memcpy(longer, full, len);
        for (size_t n = 0; n < len; n++) expect_rejected(cases[i].what, cases[i].dispatch, full, n, PROTO_ERR_SHORT_BUFFER);
        expect_rejected(cases[i].what, cases[i].dispatch, longer, len + 1, PROTO_ERR_TRAILING_BYTES);
        free(longer);
        free(full);
    }
}

Test(dispatch, unknown_tags_call_nothing)
{
    static const struct {
        dispatch_fn *dispatch;
        const char *message;
    } dispatchers[] = {
        { record_TimerRequest, "TimerRequest" },
        { record_BootRequest, "BootRequest" },
        { record_ProbeRequest, "ProbeRequest" },
    };
    uint8_t in[PROTO_TEST_MAX_ENCODED] = { 0 };
    for (size_t d = 0; d < sizeof dispatchers / sizeof dispatchers[0]; d++) {
        bool known[256];
        cr_expect_gt(schema_tags(dispatchers[d].message, known), 0, "%s has tags", dispatchers[d].message);
        for (unsigned tag = 0; tag <= 255; tag++) {
            if (known[tag]) continue;
            in[0] = (uint8_t)tag;
            char what[64];
            snprintf(what, sizeof what, "dispatcher %zu, tag %u", d, tag);
            expect_rejected(what, dispatchers[d].dispatch, in, 1, PROTO_ERR_UNKNOWN_TAG);
            expect_rejected(what, dispatchers[d].dispatch, in, 40, PROTO_ERR_UNKNOWN_TAG);
        }
    }
}

Test(dispatch, malformed_fields_call_nothing)
{
    static const struct {
        const char *what;
        dispatch_fn *dispatch;
        const char *hex;
        proto_err err;
    } bad[] = {
        { "ConnectService len 33", record_BootRequest, "00 21 00 61*33", PROTO_ERR_TOO_LONG },
        { "ConnectService len 0xffff", record_BootRequest, "00 ff ff", PROTO_ERR_TOO_LONG },
        { "Flags bool 2", record_ProbeRequest, "00 02 00", PROTO_ERR_BAD_BOOL },
        { "Flags color 3", record_ProbeRequest, "00 00 03", PROTO_ERR_BAD_ENUM },
        { "Note over its budget", record_ProbeRequest, "0d 04 00 61 62 63 64 03 00 01 02 03 00", PROTO_ERR_OVER_BUDGET },
        { "Maybe presence 2", record_ProbeRequest, "0a 00 02 00 00", PROTO_ERR_BAD_OPT },
        { "Shape blob len 5", record_ProbeRequest, "07 00*14 05 00 00*5 00 00", PROTO_ERR_TOO_LONG },
        { "empty", record_TimerRequest, "", PROTO_ERR_SHORT_BUFFER },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len;
        uint8_t *in = hex_bytes(bad[i].hex, &len);
        expect_rejected(bad[i].what, bad[i].dispatch, in, len, bad[i].err);
        free(in);
    }
}
