/* Client stub <-> loopback transport <-> dispatch <-> handler: the generated
 * stubs talk to a host "service" that dispatches each request to the
 * recording handlers and replies through the generated encoders.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "boot_client.h"
#include "codec_check.h"
#include "handlers.h"
#include "loopback.h"
#include "probe_client.h"
#include "timer_client.h"

/* A service: the handlers' log, and what to reply. */
struct service {
    struct handler_log log;
    bool reply_nope;   /* probe: answer Nope instead of Pong */
    bool reply_point;  /* probe: answer a ProbePoint{x = the handler's result, -2, true} */
    bool reply_kept;   /* probe: answer a ProbeHand request Kept{count} */
    bool report;       /* probe: the requests are ProbeEvents, answered ProbeStatus{code = sensor} */
    ProbeEvent_Reading reading;   /* report: the Reading received last */
};

/* The channel the boot service hands out, as the loopback names caps. */
#define BOOT_CHANNEL 7

/* The timer service: dispatch, then Expired. */
static int timer_serve(void *svc, const uint8_t *req, size_t len, const proto_caps *req_caps, uint8_t *reply,
                       size_t cap, size_t *reply_len, proto_caps *reply_caps)
{
    struct service *s = svc;
    if (req_caps->n != 0 || record_TimerRequest(&s->log, req, len, NULL) != PROTO_OK) return LOOP_ERR_SERVICE;
    TimerResponse m = { .tag = TimerResponse_Expired_tag };
    return TimerResponse_encode_caps(&m, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
}

/* The boot service: the handler's result 0 means Ok with channel
 * BOOT_CHANNEL as its capability, anything else Error("busy"). */
static int boot_serve(void *svc, const uint8_t *req, size_t len, const proto_caps *req_caps, uint8_t *reply,
                      size_t cap, size_t *reply_len, proto_caps *reply_caps)
{
    struct service *s = svc;
    int result;
    if (req_caps->n != 0 || record_BootRequest(&s->log, req, len, &result) != PROTO_OK) return LOOP_ERR_SERVICE;
    BootResponse m = { .tag = result == 0 ? BootResponse_Ok_tag : BootResponse_Error_tag };
    if (result == 0) m.u.Ok.channel = BOOT_CHANNEL;
    if (result != 0 && PROTO_STR_SET(m.u.Error.message, "busy") != PROTO_OK) return LOOP_ERR_SERVICE;
    return BootResponse_encode_caps(&m, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
}

/* The probe service: Pong{handler result}, or Nope when told to; a
 * ProbeHand request (with its caps) is answered Took{back = its first cap,
 * count = how many came}, or None or Kept{count} when told to. */
static int probe_serve(void *svc, const uint8_t *req, size_t len, const proto_caps *req_caps, uint8_t *reply,
                       size_t cap, size_t *reply_len, proto_caps *reply_caps)
{
    struct service *s = svc;
    int result;
    if (s->report) {
        ProbeEvent e;
        if (ProbeEvent_decode(&e, req, len) != PROTO_OK || e.tag != ProbeEvent_Reading_tag) return LOOP_ERR_SERVICE;
        s->reading = e.u.Reading;
        s->log.calls++;
        ProbeStatus st = { .code = (uint8_t)e.u.Reading.sensor };
        return ProbeStatus_encode_caps(&st, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
    }
    if (req_caps->n > 0) {
        if (record_ProbeHand(&s->log, req, len, req_caps, &result) != PROTO_OK) return LOOP_ERR_SERVICE;
        ProbeHandReply m = { .tag = s->reply_nope ? ProbeHandReply_None_tag : ProbeHandReply_Took_tag };
        m.u.Took.back = s->log.give.first;
        m.u.Took.count = (uint8_t)req_caps->n;
        if (s->reply_kept) m = (ProbeHandReply){ .tag = ProbeHandReply_Kept_tag, .u.Kept.count = (uint8_t)req_caps->n };
        return ProbeHandReply_encode_caps(&m, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
    }
    if (record_ProbeRequest(&s->log, req, len, &result) != PROTO_OK) return LOOP_ERR_SERVICE;
    if (s->reply_point) {
        ProbePoint p = { (int16_t)result, -2, true };
        return ProbePoint_encode_caps(&p, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
    }
    ProbeResponse m = { .tag = s->reply_nope ? ProbeResponse_Nope_tag : ProbeResponse_Pong_tag };
    m.u.Pong.echo = result;
    return ProbeResponse_encode_caps(&m, reply, cap, reply_len, reply_caps) == PROTO_OK ? 0 : LOOP_ERR_SERVICE;
}

static struct service svc;
static struct loopback lb;
static proto_transport t;

static void connect_to(loop_serve_fn *serve)
{
    memset(&svc, 0, sizeof svc);
    loopback_init(&lb, serve, &svc);
    t = loopback_transport(&lb);
}

static void timer_setup(void) { connect_to(timer_serve); }
static void boot_setup(void) { connect_to(boot_serve); }
static void probe_setup(void) { connect_to(probe_serve); }

/* Sends raw bytes, with caps (NULL: none), as the next reply. */
static void queue_reply_caps(const char *hex, const proto_caps *caps)
{
    size_t len;
    uint8_t *msg = hex_bytes(hex, &len);
    cr_assert_eq(loop_push(&lb.replies, msg, len, caps), 0);
    free(msg);
}

static void queue_reply(const char *hex)
{
    queue_reply_caps(hex, NULL);
}

Test(client, timer_after_round_trip, .init = timer_setup)
{
    static const uint64_t durations[] = { 0, 1, 50000, UINT64_MAX };
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        cr_expect_eq(timer_after(&t, durations[i]), 0);
        cr_expect_eq(svc.log.calls, (int)i + 1);
        cr_expect_eq(svc.log.last, HANDLED_AFTER);
        cr_expect_eq(svc.log.after.duration_us, durations[i]);
    }
    cr_expect_eq(lb.requests.count, 0);
    cr_expect_eq(lb.replies.count, 0);
}

Test(client, timer_after_send_recv_halves, .init = timer_setup)
{
    cr_assert_eq(timer_after_send(&t, 50000), 0);
    cr_expect_eq(svc.log.calls, 0, "send alone must not reach the service's handler");
    cr_expect_eq(lb.requests.count, 1);
    cr_expect_arr_eq(lb.requests.msg[0], ((uint8_t[]){ 0x00, 0x50, 0xc3, 0, 0, 0, 0, 0, 0 }), 9);
    cr_expect_eq(lb.requests.len[0], 9);
    cr_assert_eq(timer_after_recv(&t), 0);
    cr_expect_eq(svc.log.calls, 1);
    cr_expect_eq(svc.log.after.duration_us, 50000);
}

Test(client, timer_after_decode_of_received_bytes)
{
    static const struct { const char *hex; int want; } replies[] = {
        { "00", 0 },
        { "01", PROTO_ERR_UNKNOWN_TAG },
        { "", PROTO_ERR_SHORT_BUFFER },
        { "00 00", PROTO_ERR_TRAILING_BYTES },
    };
    for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++) {
        size_t len;
        uint8_t *msg = hex_bytes(replies[i].hex, &len);
        cr_expect_eq(timer_after_decode(msg, len, NULL), replies[i].want, "reply \"%s\"", replies[i].hex);
        free(msg);
    }
}

Test(client, timer_after_malformed_reply, .init = timer_setup)
{
    queue_reply("07");
    cr_expect_eq(timer_after(&t, 5), PROTO_ERR_UNKNOWN_TAG);
}

Test(client, transport_errors_pass_through, .init = timer_setup)
{
    lb.send_error = -42;
    cr_expect_eq(timer_after(&t, 1), -42);
    cr_expect_eq(timer_after_send(&t, 1), -42);
    cr_expect_str_eq(proto_strerror(-42), "transport error");
    lb.send_error = 0;
    lb.recv_error = -7;
    cr_expect_eq(timer_after(&t, 1), -7);
    cr_expect_eq(timer_after_recv(&t), -7);
    cr_expect_eq(svc.log.calls, 0);
    lb.recv_error = 0;
    cr_expect_eq(timer_after_recv(&t), 0, "the request sent before is still served");
    cr_expect_eq(timer_after_recv(&t), LOOP_ERR_EMPTY, "nothing left: the transport's own code");
}

/* The struct-taking stubs (P_R_msg, P_R_msg_send) send what the positional
 * ones send; fields a call leaves out are zero. */
Test(client, timer_after_msg_sends_what_timer_after_sends, .init = timer_setup)
{
    cr_assert_eq(timer_after_msg(&t, &(TimerRequest_After){ .duration_us = 50000 }), 0);
    cr_expect_eq(svc.log.last, HANDLED_AFTER);
    cr_expect_eq(svc.log.after.duration_us, 50000);
    cr_assert_eq(timer_after_msg_send(&t, &(TimerRequest_After){ .duration_us = 7 }), 0);
    cr_assert_eq(timer_after_send(&t, 7), 0);
    uint8_t a[MAX_MSG_SIZE], b[MAX_MSG_SIZE];
    size_t alen, blen;
    cr_assert_eq(loop_pop(&lb.requests, a, sizeof a, &alen, NULL), 0);
    cr_assert_eq(loop_pop(&lb.requests, b, sizeof b, &blen, NULL), 0);
    cr_expect(alen == blen && memcmp(a, b, alen) == 0, "the same bytes both ways");
    cr_expect_eq(timer_after_msg(&t, &(TimerRequest_After){ 0 }), 0);
    cr_expect_eq(svc.log.after.duration_us, 0, "a field left out is zero");
}

Test(client, boot_connect_service_msg_with_a_literal_name, .init = boot_setup)
{
    BootResponse reply;
    cr_assert_eq(boot_connect_service_msg(&t, &(BootRequest_ConnectService){ .name = PROTO_STR_LIT("timer") }, &reply), 0);
    cr_expect_str_eq(svc.log.connect_service.name.data, "timer");
    cr_expect_eq(svc.log.connect_service.name.len, 5);
    cr_expect_eq(reply.tag, BootResponse_Ok_tag);
    /* A literal one byte over the bound (it fills the array, NUL left out) is refused, not sent cut. */
    cr_expect_eq(boot_connect_service_msg(&t, &(BootRequest_ConnectService){
        .name = PROTO_STR_LIT("abcdefghijklmnopqrstuvwxyz0123456") }, &reply), PROTO_ERR_TOO_LONG);
    cr_expect_eq(lb.requests.count, 0, "nothing was sent");
    cr_expect_eq(svc.log.calls, 1);
}

/* An extensible request and an extensible struct reply (probe's report):
 * the reply is received into PROTO_MAX_MSG_SIZE, so a newer peer's, longer
 * than ProbeStatus_MAX_SIZE, is read (its new field skipped), and an older
 * peer's, without detail, too. */
Test(client, probe_report_extensible_request_and_reply, .init = probe_setup)
{
    ProbeStatus st;
    svc.report = true;
    cr_assert_eq(probe_report_msg(&t, &(ProbeEvent_Reading){ .sensor = 7, .value = -5, .has_scale = true, .scale = 3 }, &st), 0);
    cr_expect(svc.reading.sensor == 7 && svc.reading.value == -5 && !svc.reading.has_label && !svc.reading.has_unit &&
              svc.reading.has_scale && svc.reading.scale == 3, "the fields left out are absent");
    cr_expect(st.code == 7 && !st.has_detail);
    cr_assert_eq(probe_report(&t, 9, NULL, 1, "cm", false, 0, &st), 0);
    cr_expect(svc.reading.sensor == 9 && svc.reading.has_unit && !svc.reading.has_scale && st.code == 9);
    size_t newer_len;
    uint8_t *newer = hex_bytes("05 01 06 00 73 74 61 74 75 73 01 09", &newer_len);
    cr_expect_gt(newer_len, ProbeStatus_MAX_SIZE);
    free(newer);
    queue_reply("05 01 06 00 73 74 61 74 75 73 01 09");
    cr_assert_eq(probe_report_msg(&t, &(ProbeEvent_Reading){ .sensor = 1 }, &st), 0, "a newer peer's longer reply");
    cr_expect(st.code == 5 && st.has_detail && strcmp(st.detail.data, "status") == 0);
    queue_reply("06");
    cr_assert_eq(probe_report_msg_send(&t, &(ProbeEvent_Reading){ .sensor = 2 }), 0);
    cr_assert_eq(probe_report_recv(&t, &st), 0, "an older peer's reply, without detail");
    cr_expect(st.code == 6 && !st.has_detail);
}

Test(client, boot_connect_service_ok, .init = boot_setup)
{
    BootResponse reply;
    memset(&reply, 0xa5, sizeof reply);
    cr_assert_eq(boot_connect_service(&t, "timer", &reply), 0);
    cr_expect_eq(reply.tag, BootResponse_Ok_tag);
    cr_expect_eq(reply.u.Ok.channel, BOOT_CHANNEL, "the channel came as the reply's capability");
    cr_expect_eq(lb.nclosed, 0, "and was handed over, not closed");
    cr_expect_eq(svc.log.last, HANDLED_CONNECT_SERVICE);
    cr_expect_eq(svc.log.connect_service.name.len, 5);
    cr_expect_str_eq(svc.log.connect_service.name.data, "timer");
}

Test(client, boot_connect_service_error, .init = boot_setup)
{
    BootResponse reply;
    svc.log.ret = 1;
    cr_assert_eq(boot_connect_service(&t, "", &reply), 0);
    cr_expect_eq(reply.tag, BootResponse_Error_tag);
    cr_expect_eq(reply.u.Error.message.len, 4);
    cr_expect_str_eq(reply.u.Error.message.data, "busy");
    cr_expect_eq(svc.log.connect_service.name.len, 0);
}

Test(client, boot_connect_service_split_halves, .init = boot_setup)
{
    BootResponse reply;
    cr_assert_eq(boot_connect_service_send(&t, "abcdefghijklmnopqrstuvwxyz012345"), 0);  /* 32: the bound */
    cr_expect_eq(svc.log.calls, 0);
    cr_assert_eq(boot_connect_service_recv(&t, &reply), 0);
    cr_expect_eq(reply.tag, BootResponse_Ok_tag);
    cr_expect_str_eq(svc.log.connect_service.name.data, "abcdefghijklmnopqrstuvwxyz012345");
    queue_reply("01 04 00 62 75 73 79");
    cr_assert_eq(boot_connect_service_recv(&t, &reply), 0);
    cr_expect_eq(reply.tag, BootResponse_Error_tag);
    cr_expect_str_eq(reply.u.Error.message.data, "busy");
    queue_reply("02");
    cr_expect_eq(boot_connect_service_recv(&t, &reply), PROTO_ERR_UNKNOWN_TAG);
}

Test(client, boot_name_over_bound_is_not_sent, .init = boot_setup)
{
    BootResponse reply;
    cr_expect_eq(boot_connect_service(&t, "abcdefghijklmnopqrstuvwxyz0123456", &reply), PROTO_ERR_TOO_LONG);  /* 33 */
    cr_expect_eq(lb.requests.count, 0);
    cr_expect_eq(svc.log.calls, 0);
    lb.send_error = -3;
    cr_expect_eq(boot_connect_service(&t, "timer", &reply), -3);
}

Test(client, probe_numbers_round_trip, .init = probe_setup)
{
    ProbeResponse_Pong pong = { 0 };
    svc.log.ret = -99;
    cr_assert_eq(probe_numbers(&t, INT8_MIN, -2, INT32_MIN, INT64_MIN, &pong), 0);
    cr_expect_eq(pong.echo, -99, "the handler's result travels back in Pong");
    cr_expect_eq(svc.log.numbers.s8, INT8_MIN);
    cr_expect_eq(svc.log.numbers.s16, -2);
    cr_expect_eq(svc.log.numbers.s32, INT32_MIN);
    cr_expect_eq(svc.log.numbers.s64, INT64_MIN);
}

Test(client, wrong_reply_variant_is_unexpected_reply, .init = probe_setup)
{
    ProbeResponse_Pong pong = { 12345 };
    svc.reply_nope = true;
    cr_expect_eq(probe_numbers(&t, 1, 2, 3, 4, &pong), PROTO_ERR_UNEXPECTED_REPLY);
    cr_expect_eq(svc.log.calls, 1);
    cr_expect_eq(pong.echo, 12345, "the out parameter is not written");
    static const uint8_t nope[] = { ProbeResponse_Nope_tag };
    cr_expect_eq(probe_numbers_decode(nope, sizeof nope, NULL, &pong), PROTO_ERR_UNEXPECTED_REPLY);
    static const uint8_t pong7[] = { ProbeResponse_Pong_tag, 7, 0, 0, 0 };
    cr_expect_eq(probe_numbers_decode(pong7, sizeof pong7, NULL, &pong), 0);
    cr_expect_eq(pong.echo, 7);
}

/* opt parameters: a scalar after has_NAME, the others as pointers (NULL: absent). */
Test(client, probe_maybe_opt_parameters, .init = probe_setup)
{
    static const ProbePoint point = { 5, -6, true };
    ProbeResponse_Pong pong;
    cr_assert_eq(probe_maybe(&t, true, 77, "ab", &point, false, true, &pong), 0);
    cr_expect(svc.log.maybe.has_count && svc.log.maybe.count == 77);
    cr_expect(svc.log.maybe.has_name && svc.log.maybe.name.len == 2);
    cr_expect_str_eq(svc.log.maybe.name.data, "ab");
    cr_expect(svc.log.maybe.has_point && svc.log.maybe.point.y == -6);
    cr_expect(!svc.log.maybe.has_flag && !svc.log.maybe.flag);
    cr_assert_eq(probe_maybe(&t, false, 77, NULL, NULL, true, false, &pong), 0);
    cr_expect(!svc.log.maybe.has_count && svc.log.maybe.count == 0, "an absent value decodes as zero");
    cr_expect(!svc.log.maybe.has_name && !svc.log.maybe.has_point);
    cr_expect(svc.log.maybe.has_flag && !svc.log.maybe.flag);
    cr_expect_eq(probe_maybe(&t, false, 0, "abcde", NULL, false, false, &pong), PROTO_ERR_TOO_LONG);
}

/* A budget: the stub refuses what goes over it, sending nothing. */
Test(client, probe_note_budget, .init = probe_setup)
{
    static const uint8_t body[4] = { 9, 8, 7, 6 };
    ProbeResponse_Pong pong;
    cr_assert_eq(probe_note(&t, "ab", body, 4, 1, &pong), 0);
    cr_expect(svc.log.note.title.len == 2 && svc.log.note.body.len == 4);
    cr_expect_eq(probe_note(&t, "abc", body, 4, 1, &pong), PROTO_ERR_OVER_BUDGET);
    cr_expect_eq(svc.log.calls, 1, "the refused note is not sent");
}

/* Union fields are passed by pointer, like structs. */
Test(client, probe_seek_union_fields, .init = probe_setup)
{
    static const ProbeOffset offset = { .tag = ProbeOffset_Explicit_tag, .u.Explicit = { 42 } };
    static const ProbeSpan span = { .from = { .tag = ProbeOffset_Stream_tag }, .length = 9 };
    static const ProbeOffset bad = { .tag = 7 };
    ProbeResponse_Pong pong;
    cr_assert_eq(probe_seek(&t, &offset, &span, &pong), 0);
    cr_expect(svc.log.seek.offset.tag == ProbeOffset_Explicit_tag && svc.log.seek.offset.u.Explicit.at == 42);
    cr_expect(svc.log.seek.span.from.tag == ProbeOffset_Stream_tag && svc.log.seek.span.length == 9);
    cr_expect_eq(probe_seek(&t, &bad, &span, &pong), PROTO_ERR_UNKNOWN_TAG, "an unknown tag is not sent");
}

/* f32/f64 parameters travel as their bits. */
Test(client, probe_floats_bits, .init = probe_setup)
{
    ProbeResponse_Pong pong;
    cr_assert_eq(probe_floats(&t, 3.0f, -2.5, true, 0x1p-1074, &pong), 0);
    uint32_t s;
    uint64_t w, m;
    memcpy(&s, &svc.log.floats.single, 4);
    memcpy(&w, &svc.log.floats.wide, 8);
    memcpy(&m, &svc.log.floats.maybe, 8);
    cr_expect_eq(s, 0x40400000u);
    cr_expect_eq(w, 0xc004000000000000ull);
    cr_expect(svc.log.floats.has_maybe && m == 1);
}

/* Stub parameters of every kind: an array of structs, bytes with a length,
 * an array of enums; the reply is the whole union.
 */
Test(client, probe_shape_arrays_bytes_and_structs, .init = probe_setup)
{
    static const ProbePoint points[PROBE_POINTS] = { { -2, 300, true }, { 1, -1, false } };
    static const uint8_t blob[] = { 0xde, 0xad, 0xbe };
    static const uint8_t colors[2] = { PROBE_COLOR_BLUE, PROBE_COLOR_WHITE };
    ProbeResponse reply;
    svc.log.ret = 3;
    cr_assert_eq(probe_shape(&t, points, blob, sizeof blob, colors, &reply), 0);
    cr_expect_eq(reply.tag, ProbeResponse_Pong_tag);
    cr_expect_eq(reply.u.Pong.echo, 3);
    cr_expect_eq(svc.log.last, HANDLED_SHAPE);
    cr_expect_eq(svc.log.shape.points[0].x, -2);
    cr_expect_eq(svc.log.shape.points[0].y, 300);
    cr_expect_eq(svc.log.shape.points[0].visible, true);
    cr_expect_eq(svc.log.shape.points[1].y, -1);
    cr_expect_eq(svc.log.shape.blob.len, 3);
    cr_expect_arr_eq(svc.log.shape.blob.data, blob, 3);
    cr_expect_eq(svc.log.shape.colors[0], PROBE_COLOR_BLUE);
    cr_expect_eq(svc.log.shape.colors[1], PROBE_COLOR_WHITE);
}

Test(client, probe_stubs_refuse_what_cannot_be_encoded, .init = probe_setup)
{
    static const ProbePoint points[PROBE_POINTS] = { { 0, 0, false }, { 0, 0, false } };
    static const uint8_t blob[PROBE_BLOB_MAX + 1] = { 0 };
    static const uint8_t good[2] = { PROBE_COLOR_RED, PROBE_COLOR_RED };
    static const uint8_t bad[2] = { PROBE_COLOR_RED, 3 };
    ProbeResponse reply;
    ProbeResponse_Pong pong;
    cr_expect_eq(probe_shape(&t, points, blob, PROBE_BLOB_MAX + 1, good, &reply), PROTO_ERR_TOO_LONG);
    cr_expect_eq(probe_shape(&t, points, blob, PROBE_BLOB_MAX, bad, &reply), PROTO_ERR_BAD_ENUM);
    cr_expect_eq(probe_flags(&t, true, 3, &pong), PROTO_ERR_BAD_ENUM);
    cr_expect_eq(lb.requests.count, 0, "nothing is sent");
    cr_expect_eq(probe_shape(&t, points, blob, PROBE_BLOB_MAX, good, &reply), 0);
    cr_expect_eq(svc.log.shape.blob.len, PROBE_BLOB_MAX);
}

Test(client, probe_flags_bool_and_enum, .init = probe_setup)
{
    ProbeResponse_Pong pong;
    cr_assert_eq(probe_flags(&t, true, PROBE_COLOR_WHITE, &pong), 0);
    cr_expect_eq(svc.log.flags.on, true);
    cr_expect_eq(svc.log.flags.color, PROBE_COLOR_WHITE);
}

/* A response variant without fields: no out parameter, and the other
 * variant is still UNEXPECTED_REPLY.
 */
Test(client, probe_ping_fieldless_reply, .init = probe_setup)
{
    cr_expect_eq(probe_ping(&t), PROTO_ERR_UNEXPECTED_REPLY, "the service answers Pong");
    svc.reply_nope = true;
    cr_expect_eq(probe_ping(&t), 0);
    cr_expect_eq(svc.log.calls, 2);
    cr_expect_eq(svc.log.last, HANDLED_PING);
}

/* A wire struct as the reply: decoded whole into the out parameter; bytes
 * that are not one (a Pong, a bad bool, a trailing byte) are refused. */
Test(client, probe_locate_struct_reply, .init = probe_setup)
{
    ProbePoint p = { 0 };
    svc.reply_point = true;
    svc.log.ret = 300;
    cr_assert_eq(probe_locate(&t, &p), 0);
    cr_expect(p.x == 300 && p.y == -2 && p.visible);
    cr_expect_eq(svc.log.last, HANDLED_PING);
    static const uint8_t point[] = { 0x34, 0x12, 0xff, 0xff, 0xff, 0xff, 0x00 };
    cr_assert_eq(probe_locate_decode(point, sizeof point, NULL, &p), 0);
    cr_expect(p.x == 0x1234 && p.y == -1 && !p.visible);
    static const uint8_t bad_bool[] = { 0, 0, 0, 0, 0, 0, 2 };
    cr_expect_eq(probe_locate_decode(bad_bool, sizeof bad_bool, NULL, &p), PROTO_ERR_BAD_BOOL);
    static const uint8_t pong[] = { ProbeResponse_Pong_tag, 7, 0, 0, 0 };
    cr_expect_eq(probe_locate_decode(pong, sizeof pong, NULL, &p), PROTO_ERR_SHORT_BUFFER);
    cr_expect(p.x == 0x1234 && p.y == -1, "the out parameter is not written on an error");
    svc.reply_point = false;
    cr_expect_eq(probe_locate(&t, &p), PROTO_ERR_SHORT_BUFFER, "a 5-byte Pong is no ProbePoint");
}

/* A transport that claims a reply longer than the buffer it was given: the
 * stub's decoder stops at the message's own end (never past the maximum
 * size, which fits the buffer), so the lie gives TRAILING_BYTES, not a read
 * past the buffer (ASan checks).
 */
static int lying_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    caps->n = 0;
    memset(buf, 0, cap);
    buf[0] = *(const uint8_t *)ctx;   /* the tag; then a maximal str length */
    buf[1] = BOOT_ERROR_MAX;
    *len = cap + 100;
    return 0;
}

Test(client, reply_length_over_the_buffer_is_not_trusted)
{
    uint8_t tag = TimerResponse_Expired_tag;
    proto_transport liar = { &tag, NULL, lying_recv, NULL };
    BootResponse reply;
    cr_expect_eq(timer_after_recv(&liar), PROTO_ERR_TRAILING_BYTES);
    tag = BootResponse_Error_tag;
    cr_expect_eq(boot_connect_service_recv(&liar, &reply), PROTO_ERR_TRAILING_BYTES);
}

/* Arrays of str and bytes: the stub takes the variant struct. */
Test(client, probe_labels_arrays_of_str_and_bytes, .init = probe_setup)
{
    ProbeRequest_Labels labels = ProbeRequest_Labels_init_zero;
    ProbeResponse_Pong pong;
    cr_assert_eq(PROTO_STR_SET(labels.names[0], "abcd"), PROTO_OK);
    cr_assert_eq(PROTO_STR_SET(labels.names[1], "x"), PROTO_OK);
    labels.blobs[1].len = 2;
    labels.blobs[1].data[0] = 0xaa;
    labels.blobs[1].data[1] = 0xbb;
    svc.log.ret = 11;
    cr_assert_eq(probe_labels(&t, &labels, &pong), 0);
    cr_expect_eq(pong.echo, 11);
    cr_expect_eq(svc.log.last, HANDLED_LABELS);
    cr_expect_str_eq(svc.log.labels.names[0].data, "abcd");
    cr_expect_str_eq(svc.log.labels.names[1].data, "x");
    cr_expect_eq(svc.log.labels.blobs[0].len, 0);
    cr_expect_eq(svc.log.labels.blobs[1].len, 2);
    cr_expect_arr_eq(svc.log.labels.blobs[1].data, ((uint8_t[]){ 0xaa, 0xbb }), 2);
    labels.names[0].len = 5;
    cr_expect_eq(probe_labels(&t, &labels, &pong), PROTO_ERR_TOO_LONG);
    cr_expect_eq(lb.requests.count, 0);
}

/* Capabilities through the stubs: the request's four go out in wire order
 * (the declared one first, then the chan fields), the reply's one comes back
 * as the out parameter, nothing is closed. */
Test(client, probe_hand_caps_round_trip, .init = probe_setup)
{
    static const uint32_t spares[2] = { 33, 34 };
    ProbeHandReply reply;
    cr_assert_eq(probe_hand(&t, 9, 32, spares, 31, &reply), 0);
    cr_expect_eq(svc.log.last, HANDLED_GIVE);
    cr_expect_eq(svc.log.give.first, 31);
    cr_expect_eq(svc.log.give.note, 9);
    cr_expect_eq(svc.log.give.second, 32);
    cr_expect_eq(svc.log.give.spares[0], 33);
    cr_expect_eq(svc.log.give.spares[1], 34);
    cr_expect_eq(reply.tag, ProbeHandReply_Took_tag);
    cr_expect_eq(reply.u.Took.back, 31);
    cr_expect_eq(reply.u.Took.count, 4);
    cr_expect_eq(lb.nclosed, 0);
}

/* A response list (Kept or None): a listed variant is handed back as the
 * union; Took, not listed, is UNEXPECTED_REPLY, the out parameter is not
 * written and the channel Took carried is closed. */
Test(client, probe_hand_over_response_list, .init = probe_setup)
{
    static const uint32_t spares[2] = { 33, 34 };
    ProbeHandReply reply;
    svc.reply_kept = true;
    cr_assert_eq(probe_hand_over(&t, 9, 32, spares, 31, &reply), 0);
    cr_expect_eq(reply.tag, ProbeHandReply_Kept_tag);
    cr_expect_eq(reply.u.Kept.count, 4);
    svc.reply_kept = false;
    svc.reply_nope = true;
    cr_assert_eq(probe_hand_over(&t, 9, 32, spares, 31, &reply), 0);
    cr_expect_eq(reply.tag, ProbeHandReply_None_tag);
    cr_expect_eq(lb.nclosed, 0);
    svc.reply_nope = false;
    memset(&reply, 0xa5, sizeof reply);
    cr_expect_eq(probe_hand_over(&t, 9, 32, spares, 31, &reply), PROTO_ERR_UNEXPECTED_REPLY);
    cr_expect_eq(svc.log.calls, 3);
    cr_expect_eq(reply.tag, 0xa5, "the out parameter is not written");
    cr_expect_eq(lb.nclosed, 1, "Took's channel is closed, not leaked");
    cr_expect_eq(lb.closed[0], 31);
    static const uint8_t kept[] = { ProbeHandReply_Kept_tag, 7 };
    cr_expect_eq(probe_hand_over_decode(kept, sizeof kept, NULL, &reply), 0);
    cr_expect(reply.tag == ProbeHandReply_Kept_tag && reply.u.Kept.count == 7);
    static const uint8_t took[] = { ProbeHandReply_Took_tag, 7 };
    cr_expect_eq(probe_hand_over_decode(took, sizeof took, &(proto_caps){ 1, { 5 } }, &reply), PROTO_ERR_UNEXPECTED_REPLY);
}

/* A reply whose caps do not match what it declares fails with BAD_CAP, and
 * every cap that came with it is closed: none leaks. */
Test(client, reply_caps_missing_extra_or_unclaimed_are_closed, .init = boot_setup)
{
    BootResponse reply;
    queue_reply("00");   /* Ok without its channel */
    cr_expect_eq(boot_connect_service_recv(&t, &reply), PROTO_ERR_BAD_CAP);
    cr_expect_eq(lb.nclosed, 0, "nothing came, nothing to close");
    queue_reply_caps("00", &(proto_caps){ 2, { 11, 12 } });   /* Ok with one too many */
    cr_expect_eq(boot_connect_service_recv(&t, &reply), PROTO_ERR_BAD_CAP);
    cr_expect_eq(lb.nclosed, 2);
    cr_expect_eq(lb.closed[0], 11);
    cr_expect_eq(lb.closed[1], 12);
    queue_reply_caps("01 04 00 62 75 73 79", &(proto_caps){ 1, { 13 } });   /* Error carries none */
    cr_expect_eq(boot_connect_service_recv(&t, &reply), PROTO_ERR_BAD_CAP);
    cr_expect_eq(lb.nclosed, 3);
    cr_expect_eq(lb.closed[2], 13);
    queue_reply_caps("00", &(proto_caps){ 1, { 14 } });
    cr_expect_eq(boot_connect_service_recv(&t, &reply), 0);
    cr_expect_eq(reply.u.Ok.channel, 14);
    cr_expect_eq(lb.nclosed, 3, "a claimed cap is the caller's");
}

Test(client, a_cap_on_a_reply_that_carries_none_is_closed, .init = probe_setup)
{
    ProbeResponse_Pong pong;
    queue_reply_caps("00 05 00 00 00", &(proto_caps){ 1, { 21 } });   /* Pong does not carry caps */
    cr_expect_eq(probe_numbers_recv(&t, &pong), PROTO_ERR_BAD_CAP);
    cr_expect_eq(lb.nclosed, 1);
    cr_expect_eq(lb.closed[0], 21);
}
