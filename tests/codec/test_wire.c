/* The four schema messages on the wire: golden bytes written out by hand
 * (independent of the generator), round trips with edge values, and every
 * malformed-input class with its own error.
 */
#include <criterion/criterion.h>

#include "boot.h"
#include "codec_check.h"
#include "timer.h"

CODEC_DEFINE(TimerRequest);
CODEC_DEFINE(TimerResponse);
CODEC_DEFINE(BootRequest);
CODEC_DEFINE(BootResponse);

#define A8 "aaaaaaaa"
#define A32 A8 A8 A8 A8
#define B16 "bbbbbbbbbbbbbbbb"
#define B64 B16 B16 B16 B16

static const TimerRequest after_0 = { .tag = TimerRequest_After_tag, .u.After = { 0 } };
static const TimerRequest after_1 = { .tag = TimerRequest_After_tag, .u.After = { 1 } };
static const TimerRequest after_50000 = { .tag = TimerRequest_After_tag, .u.After = { 50000 } };
static const TimerRequest after_order = { .tag = TimerRequest_After_tag, .u.After = { 0x0102030405060708u } };
static const TimerRequest after_max = { .tag = TimerRequest_After_tag, .u.After = { UINT64_MAX } };
static const TimerResponse expired = { .tag = TimerResponse_Expired_tag };

#define CONNECT(n, s) { .tag = BootRequest_ConnectService_tag, .u.ConnectService.name = { n, s } }
static const BootRequest connect_empty = CONNECT(0, "");
static const BootRequest connect_t = CONNECT(1, "t");
static const BootRequest connect_timer = CONNECT(5, "timer");
static const BootRequest connect_max = CONNECT(32, A32);
static const BootRequest connect_over = CONNECT(33, A32 "a");
static const BootRequest connect_huge = CONNECT(0xffff, A32 "a");

#define ERROR(n, s) { .tag = BootResponse_Error_tag, .u.Error.message = { n, s } }
static const BootResponse ok = { .tag = BootResponse_Ok_tag, .u.Ok.channel = 5 };
static const BootResponse error_empty = ERROR(0, "");
static const BootResponse error_x = ERROR(1, "x");
static const BootResponse error_busy = ERROR(4, "busy");
static const BootResponse error_max = ERROR(64, B64);
static const BootResponse error_over = ERROR(65, B64 "b");

static const struct wire_case cases[] = {
    { "After{0}", &codec_TimerRequest, &after_0, "00 00 00 00 00 00 00 00 00" },
    { "After{1}", &codec_TimerRequest, &after_1, "00 01 00 00 00 00 00 00 00" },
    { "After{50000}", &codec_TimerRequest, &after_50000, "00 50 c3 00 00 00 00 00 00" },
    { "After{0x0102030405060708}", &codec_TimerRequest, &after_order, "00 08 07 06 05 04 03 02 01" },
    { "After{UINT64_MAX}", &codec_TimerRequest, &after_max, "00 ff ff ff ff ff ff ff ff" },
    { "Expired", &codec_TimerResponse, &expired, "00" },
    { "ConnectService(\"\")", &codec_BootRequest, &connect_empty, "00 00 00" },
    { "ConnectService(\"t\")", &codec_BootRequest, &connect_t, "00 01 00 74" },
    { "ConnectService(\"timer\")", &codec_BootRequest, &connect_timer, "00 05 00 74 69 6d 65 72" },
    { "ConnectService(32 x a)", &codec_BootRequest, &connect_max, "00 20 00 61*32" },
    { "Ok (channel 5 beside the byte)", &codec_BootResponse, &ok, "00", { 1, { 5 } } },
    { "Error(\"\")", &codec_BootResponse, &error_empty, "01 00 00" },
    { "Error(\"x\")", &codec_BootResponse, &error_x, "01 01 00 78" },
    { "Error(\"busy\")", &codec_BootResponse, &error_busy, "01 04 00 62 75 73 79" },
    { "Error(64 x b)", &codec_BootResponse, &error_max, "01 40 00 62*64" },
};

/* Length prefixes over the bound: refused before the bytes are read, so
 * the same error whether or not the bytes are there.
 */
static const struct bad_input bad_inputs[] = {
    { "ConnectService len 33, no bytes", &codec_BootRequest, "00 21 00", PROTO_ERR_TOO_LONG },
    { "ConnectService len 33, 33 bytes", &codec_BootRequest, "00 21 00 61*33", PROTO_ERR_TOO_LONG },
    { "ConnectService len 0xffff", &codec_BootRequest, "00 ff ff", PROTO_ERR_TOO_LONG },
    { "ConnectService len 0x0100 (high byte)", &codec_BootRequest, "00 00 01 61*32", PROTO_ERR_TOO_LONG },
    { "Error len 65, no bytes", &codec_BootResponse, "01 41 00", PROTO_ERR_TOO_LONG },
    { "Error len 65, 65 bytes", &codec_BootResponse, "01 41 00 62*65", PROTO_ERR_TOO_LONG },
    { "Error len 0xffff", &codec_BootResponse, "01 ff ff", PROTO_ERR_TOO_LONG },
    { "ConnectService len 5, 4 bytes", &codec_BootRequest, "00 05 00 74 69 6d 65", PROTO_ERR_SHORT_BUFFER },
    { "ConnectService len 5, 6 bytes", &codec_BootRequest, "00 05 00 74 69 6d 65 72 73", PROTO_ERR_TRAILING_BYTES },
    { "Ok with a body", &codec_BootResponse, "00 00 00", PROTO_ERR_TRAILING_BYTES, { 1, { 5 } } },
    { "Ok without its channel", &codec_BootResponse, "00", PROTO_ERR_BAD_CAP },
    { "Ok with two channels", &codec_BootResponse, "00", PROTO_ERR_BAD_CAP, { 2, { 5, 6 } } },
    { "Error with a channel", &codec_BootResponse, "01 00 00", PROTO_ERR_BAD_CAP, { 1, { 5 } } },
    { "Ok with more caps than any message holds", &codec_BootResponse, "00", PROTO_ERR_BAD_CAP, { PROTO_MAX_CAPS + 1, { 5 } } },
    { "ConnectService with a channel", &codec_BootRequest, "00 00 00", PROTO_ERR_BAD_CAP, { 1, { 5 } } },
    { "After tag only", &codec_TimerRequest, "00", PROTO_ERR_SHORT_BUFFER },
    { "empty TimerResponse", &codec_TimerResponse, "", PROTO_ERR_SHORT_BUFFER },
};

static const struct bad_message bad_messages[] = {
    { "ConnectService len 33 (max + 1)", &codec_BootRequest, &connect_over, PROTO_ERR_TOO_LONG },
    { "ConnectService len 0xffff", &codec_BootRequest, &connect_huge, PROTO_ERR_TOO_LONG },
    { "Error len 65 (max + 1)", &codec_BootResponse, &error_over, PROTO_ERR_TOO_LONG },
};

static const struct codec *const codecs[] = {
    &codec_TimerRequest, &codec_TimerResponse, &codec_BootRequest, &codec_BootResponse,
};

WIRE_CASE_TESTS(wire, cases)

Test(wire, every_unknown_tag)
{
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) check_unknown_tags(codecs[i]);
}

Test(wire, length_prefix_over_bound_and_hand_made_inputs)
{
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) check_bad_input(&bad_inputs[i]);
}

Test(wire, encode_refuses_string_over_bound)
{
    for (size_t i = 0; i < sizeof bad_messages / sizeof bad_messages[0]; i++) check_bad_message(&bad_messages[i]);
}

/* The values, field by field, of the examples in ARCHITECTURE.md. */
Test(wire, decoded_fields_of_the_documented_examples)
{
    static const uint8_t after[] = { 0x00, 0x50, 0xc3, 0, 0, 0, 0, 0, 0 };
    static const uint8_t connect[] = { 0x00, 0x05, 0x00, 't', 'i', 'm', 'e', 'r' };
    static const uint8_t error[] = { 0x01, 0x04, 0x00, 'b', 'u', 's', 'y' };
    TimerRequest tr;
    BootRequest br;
    BootResponse bs;
    cr_assert_eq(TimerRequest_decode(&tr, after, sizeof after), PROTO_OK);
    cr_expect_eq(tr.tag, TimerRequest_After_tag);
    cr_expect_eq(tr.u.After.duration_us, 50000);
    cr_assert_eq(BootRequest_decode(&br, connect, sizeof connect), PROTO_OK);
    cr_expect_eq(br.tag, BootRequest_ConnectService_tag);
    cr_expect_eq(br.u.ConnectService.name.len, 5);
    cr_expect_str_eq(br.u.ConnectService.name.data, "timer");
    cr_assert_eq(BootResponse_decode(&bs, error, sizeof error), PROTO_OK);
    cr_expect_eq(bs.tag, BootResponse_Error_tag);
    cr_expect_eq(bs.u.Error.message.len, 4);
    cr_expect_str_eq(bs.u.Error.message.data, "busy");
}

Test(wire, max_size_constants)
{
    cr_expect_eq(TimerRequest_MAX_SIZE, 9);
    cr_expect_eq(TimerResponse_MAX_SIZE, 1);
    cr_expect_eq(BootRequest_MAX_SIZE, 1 + 2 + 32);
    cr_expect_eq(BootResponse_Ok_MAX_SIZE, 1);
    cr_expect_eq(BootResponse_Error_MAX_SIZE, 1 + 2 + 64);
    cr_expect_eq(BootResponse_MAX_SIZE, 1 + 2 + 64);
}

/* No buffer at all: nothing to read, nowhere to write. */
Test(wire, null_buffers_of_length_zero)
{
    TimerRequest tr;
    BootResponse bs;
    size_t len = 7;
    cr_expect_eq(TimerRequest_decode(&tr, NULL, 0), PROTO_ERR_SHORT_BUFFER);
    cr_expect_eq(BootResponse_decode(&bs, NULL, 0), PROTO_ERR_SHORT_BUFFER);
    cr_expect_eq(TimerRequest_encode(&after_50000, NULL, 0, &len), PROTO_ERR_OUTPUT_TOO_SMALL);
    cr_expect_eq(BootResponse_encode(&ok, NULL, 0, &len), PROTO_ERR_OUTPUT_TOO_SMALL);
    cr_expect_eq(len, 7);
}
