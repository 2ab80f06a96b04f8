/* The test-only probe schema (tests/codec/schema/probe.lua): the wire types
 * timer and boot do not use. bool (0/1, anything else BAD_BOOL), enums
 * (undefined value BAD_ENUM, also inside arrays), bytes, signed integers
 * (two's complement, little-endian), fixed arrays, a nested wire struct and
 * opt fields (a presence byte 0/1, anything else BAD_OPT, then the value),
 * f32/f64 (IEEE 754 bits, little-endian, every pattern valid); every str is
 * valid UTF-8 (BAD_UTF8 on decode and encode); union fields (a u8 tag, then
 * that variant's fields; an unknown tag inside is UNKNOWN_TAG); budgets
 * shared by str and bytes fields and by what union and struct fields take
 * beyond their smallest encoding (OVER_BUDGET on decode and encode).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_check.h"
#include "probe.h"
#include "probe_values.h"

CODEC_DEFINE(ProbeRequest);
CODEC_DEFINE(ProbeResponse);
CODEC_DEFINE(ProbePoint);
CODEC_DEFINE(ProbeHand);
CODEC_DEFINE(ProbeHandReply);
CODEC_DEFINE(ProbeTags);
CODEC_DEFINE(ProbeOffset);
CODEC_DEFINE(ProbeSpan);

static const ProbeRequest shape = {
    .tag = ProbeRequest_Shape_tag,
    .u.Shape = {
        .points = { { -2, 300, true }, { 1, -1, false } },
        .blob = { 3, { 0xde, 0xad, 0xbe } },
        .colors = { PROBE_COLOR_BLUE, PROBE_COLOR_GREEN },
    },
};
static const ProbeRequest shape_full_blob = {
    .tag = ProbeRequest_Shape_tag,
    .u.Shape = { .blob = { 4, { 1, 2, 3, 4 } }, .colors = { PROBE_COLOR_WHITE, PROBE_COLOR_RED } },
};
static const ProbeRequest labels_short = {
    .tag = ProbeRequest_Labels_tag,
    .u.Labels = { .names = { { 2, "ab" }, { 0, "" } }, .blobs = { { 3, { 1, 2, 3 } }, { 0, { 0 } } } },
};
static const ProbeRequest labels_max = {
    .tag = ProbeRequest_Labels_tag,
    .u.Labels = { .names = { { 4, "abcd" }, { 4, "wxyz" } }, .blobs = { { 3, { 7, 8, 9 } }, { 3, { 0xff, 0, 1 } } } },
};
static const ProbeRequest labels_utf8 = {
    .tag = ProbeRequest_Labels_tag,
    .u.Labels = { .names = { { 2, "\xc3\xa9" }, { 4, "\xf4\x8f\xbf\xbf" } } },
};
static const ProbeRequest ping = { .tag = ProbeRequest_Ping_tag };
static const ProbeResponse pong = { .tag = ProbeResponse_Pong_tag, .u.Pong = { -5 } };
static const ProbeResponse nope = { .tag = ProbeResponse_Nope_tag };
static const ProbePoint point = { 0x1234, -1, true };
static const ProbeTags tags_full = { .names = { { 3, "abc" }, { 2, "de" }, { 0, "" } } };
static const ProbeOffset offset_stream = { .tag = ProbeOffset_Stream_tag };
static const ProbeSpan span_at_256 = { .from = { .tag = ProbeOffset_Explicit_tag, .u.Explicit = { 256 } }, .length = 1 };

static const ProbeRequest chunk_stream = {
    .tag = ProbeRequest_Chunk_tag,
    .u.Chunk = { .at = { .tag = ProbeOffset_Stream_tag }, .data = { 8, { 1, 2, 3, 4, 5, 6, 7, 8 } },
                 .span = { .from = { .tag = ProbeOffset_Stream_tag } } },
};

static const struct wire_case cases[] = {
    { "Flags{false, RED}", &codec_ProbeRequest, &flags_off_red, "00 00 00" },
    { "Flags{true, WHITE}", &codec_ProbeRequest, &flags_on_white, "00 01 04" },
    { "Numbers{0, 0, 0, 0}", &codec_ProbeRequest, &numbers_zero, "03 00*15" },
    { "Numbers{-1, -2, -3, -4}", &codec_ProbeRequest, &numbers_minus,
      "03 ff fe ff fd ff ff ff fc ff ff ff ff ff ff ff" },
    { "Numbers{min...}", &codec_ProbeRequest, &numbers_min, "03 80 00 80 00 00 00 80 00 00 00 00 00 00 00 80" },
    { "Numbers{max...}", &codec_ProbeRequest, &numbers_max, "03 7f ff 7f ff ff ff 7f ff ff ff ff ff ff ff 7f" },
    { "Shape{points, 3-byte blob, colors}", &codec_ProbeRequest, &shape,
      "07 fe ff 2c 01 00 00 01  01 00 ff ff ff ff 00  03 00 de ad be  02 01" },
    { "Shape{zero points, 4-byte blob}", &codec_ProbeRequest, &shape_full_blob,
      "07 00*7 00*7 04 00 01 02 03 04 04 00" },
    { "Labels{\"ab\", \"\"; 3 bytes, none}", &codec_ProbeRequest, &labels_short,
      "09 02 00 61 62 00 00  03 00 01 02 03 00 00" },
    { "Labels{max names, max blobs}", &codec_ProbeRequest, &labels_max,
      "09 04 00 61 62 63 64 04 00 77 78 79 7a  03 00 07 08 09 03 00 ff 00 01" },
    { "Labels{\"é\", U+10FFFF}", &codec_ProbeRequest, &labels_utf8,
      "09 02 00 c3 a9 04 00 f4 8f bf bf  00 00 00 00" },
    { "Maybe{none, none, none, none}", &codec_ProbeRequest, &maybe_none, "0a 00 00 00 00" },
    { "Maybe{0x01020304, \"ab\", point, false}", &codec_ProbeRequest, &maybe_all,
      "0a 01 04 03 02 01  01 02 00 61 62  01 34 12 ff ff ff ff 01  01 00" },
    { "Floats{3.0f, -2.5, none}", &codec_ProbeRequest, &floats_small,
      "0b 00 00 40 40  00 00 00 00 00 00 04 c0  00" },
    { "Floats{-0.0f, 1.0, smallest subnormal}", &codec_ProbeRequest, &floats_edges,
      "0b 00 00 00 80  00 00 00 00 00 00 f0 3f  01 01 00 00 00 00 00 00 00" },
    { "Seek{Explicit{0x0102030405060708}, {Stream, 5}}", &codec_ProbeRequest, &seek_explicit,
      "0c  00 08 07 06 05 04 03 02 01  01 05 00 00 00" },
    { "Seek{Stream, {Explicit{1}, 0}}", &codec_ProbeRequest, &seek_stream,
      "0c  01  00 01 00 00 00 00 00 00 00  00 00 00 00" },
    { "Note{\"ab\", 4 bytes, 7}: the whole budget of 6", &codec_ProbeRequest, &note_full,
      "0d 02 00 61 62  04 00 01 02 03 04  07" },
    { "Chunk{Explicit{1}, 2 bytes, {Stream, 5}}: the whole budget of 10", &codec_ProbeRequest, &chunk_full,
      "0e 00 01 00*7  02 00 aa bb  01 05 00 00 00" },
    { "Chunk{Stream, 8 bytes, {Stream, 0}}: 8 of 10", &codec_ProbeRequest, &chunk_stream,
      "0e 01  08 00 01 02 03 04 05 06 07 08  01 00 00 00 00" },
    { "Ping (tag 255)", &codec_ProbeRequest, &ping, "ff" },
    { "Pong{-5}", &codec_ProbeResponse, &pong, "00 fb ff ff ff" },
    { "Nope", &codec_ProbeResponse, &nope, "01" },
    { "ProbePoint{0x1234, -1, true}", &codec_ProbePoint, &point, "34 12 ff ff ff ff 01" },
    { "ProbeTags{\"abc\", \"de\", \"\"}: the whole budget of 5", &codec_ProbeTags, &tags_full,
      "03 00 61 62 63  02 00 64 65  00 00" },
    { "ProbeOffset::Stream", &codec_ProbeOffset, &offset_stream, "01" },
    { "ProbeSpan{Explicit{256}, 1}", &codec_ProbeSpan, &span_at_256, "00 00 01 00 00 00 00 00 00  01 00 00 00" },
};

static const struct bad_input bad_inputs[] = {
    { "Flags bool 2", &codec_ProbeRequest, "00 02 00", PROTO_ERR_BAD_BOOL },
    { "Flags bool 0xff", &codec_ProbeRequest, "00 ff 00", PROTO_ERR_BAD_BOOL },
    { "Flags bool 2, then nothing (first error wins)", &codec_ProbeRequest, "00 02", PROTO_ERR_BAD_BOOL },
    { "Flags color 3 (the gap)", &codec_ProbeRequest, "00 01 03", PROTO_ERR_BAD_ENUM },
    { "Flags color 5", &codec_ProbeRequest, "00 01 05", PROTO_ERR_BAD_ENUM },
    { "Flags color 0xff", &codec_ProbeRequest, "00 00 ff", PROTO_ERR_BAD_ENUM },
    { "Shape nested bool 2", &codec_ProbeRequest, "07 00*6 02 00*7 00 00 00 00", PROTO_ERR_BAD_BOOL },
    { "Shape second color 3", &codec_ProbeRequest, "07 00*14 00 00 00 03", PROTO_ERR_BAD_ENUM },
    { "Shape blob len 5, no bytes", &codec_ProbeRequest, "07 00*14 05 00", PROTO_ERR_TOO_LONG },
    { "Shape blob len 5, 5 bytes", &codec_ProbeRequest, "07 00*14 05 00 01 02 03 04 05 00 00", PROTO_ERR_TOO_LONG },
    { "Labels names[1] len 5", &codec_ProbeRequest, "09 00 00 05 00 61*5", PROTO_ERR_TOO_LONG },
    { "Labels blobs[0] len 4", &codec_ProbeRequest, "09 00 00 00 00 04 00", PROTO_ERR_TOO_LONG },
    { "Labels names[0] stray continuation byte", &codec_ProbeRequest, "09 01 00 80 00 00 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[0] byte ff", &codec_ProbeRequest, "09 01 00 ff 00 00 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[0] overlong '/'", &codec_ProbeRequest, "09 02 00 c0 af 00 00 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[0] overlong U+20AC", &codec_ProbeRequest, "09 04 00 f0 82 82 ac 00 00 00 00 00 00",
      PROTO_ERR_BAD_UTF8 },
    { "Labels names[1] surrogate U+D800", &codec_ProbeRequest, "09 00 00 03 00 ed a0 80 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[1] U+110000", &codec_ProbeRequest, "09 00 00 04 00 f4 90 80 80 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[1] truncated U+20AC", &codec_ProbeRequest, "09 00 00 02 00 e2 82 00 00 00 00", PROTO_ERR_BAD_UTF8 },
    { "Labels names[1] 3-byte start then ASCII", &codec_ProbeRequest, "09 00 00 03 00 e2 41 41 00 00 00 00",
      PROTO_ERR_BAD_UTF8 },
    { "Maybe present name not UTF-8", &codec_ProbeRequest, "0a 00 01 01 00 c1 00 00", PROTO_ERR_BAD_UTF8 },
    { "Maybe count presence 2", &codec_ProbeRequest, "0a 02 00 00 00", PROTO_ERR_BAD_OPT },
    { "Maybe flag presence 0xff", &codec_ProbeRequest, "0a 00 00 00 ff", PROTO_ERR_BAD_OPT },
    { "Maybe present flag 2", &codec_ProbeRequest, "0a 00 00 00 01 02", PROTO_ERR_BAD_BOOL },
    { "Maybe present name len 5", &codec_ProbeRequest, "0a 00 01 05 00 61*5 00 00", PROTO_ERR_TOO_LONG },
    { "Maybe present point, visible 2", &codec_ProbeRequest, "0a 00 00 01 00*6 02 00", PROTO_ERR_BAD_BOOL },
    { "Maybe count present, 3 of its 4 bytes", &codec_ProbeRequest, "0a 01 04 03 02", PROTO_ERR_SHORT_BUFFER },
    { "Note title 4 + body 3 > 6, no bytes after", &codec_ProbeRequest, "0d 04 00 61 62 63 64 03 00",
      PROTO_ERR_OVER_BUDGET },
    { "Note title 4 + body 3 > 6", &codec_ProbeRequest, "0d 04 00 61 62 63 64 03 00 01 02 03 00", PROTO_ERR_OVER_BUDGET },
    { "Note body 5 (its own bound first)", &codec_ProbeRequest, "0d 00 00 05 00", PROTO_ERR_TOO_LONG },
    { "Note title 4 + body 2, body short", &codec_ProbeRequest, "0d 04 00 61 62 63 64 02 00 01", PROTO_ERR_SHORT_BUFFER },
    { "Chunk at Explicit 8 + data 3 > 10, at data's length", &codec_ProbeRequest, "0e 00 00*8 03 00",
      PROTO_ERR_OVER_BUDGET },
    { "Chunk 8 + 2 + span Explicit 8 > 10, once span is read", &codec_ProbeRequest,
      "0e 00 00*8 02 00 aa bb 00 00*8 05 00 00 00", PROTO_ERR_OVER_BUDGET },
    { "Chunk 8 + 2 + span Explicit, span short (its own error first)", &codec_ProbeRequest,
      "0e 00 00*8 02 00 aa bb 00 00*8 05 00", PROTO_ERR_SHORT_BUFFER },
    { "Chunk at Stream 0 + data 8 + span Explicit 8 > 10", &codec_ProbeRequest, "0e 01 08 00 00*8 00 00*8 00*4",
      PROTO_ERR_OVER_BUDGET },
    { "ProbeTags 3 + 2 + 1 > 5", &codec_ProbeTags, "03 00 61 62 63 02 00 64 65 01 00 66", PROTO_ERR_OVER_BUDGET },
    { "Seek offset tag 2 (unknown)", &codec_ProbeRequest, "0c 02 00 00 00 00 00", PROTO_ERR_UNKNOWN_TAG },
    { "Seek span.from tag 0xff (unknown)", &codec_ProbeRequest, "0c 01 ff 00 00 00 00", PROTO_ERR_UNKNOWN_TAG },
    { "Seek offset Explicit, 8 bytes short", &codec_ProbeRequest, "0c 00", PROTO_ERR_SHORT_BUFFER },
    { "Seek offset Stream, span missing", &codec_ProbeRequest, "0c 01", PROTO_ERR_SHORT_BUFFER },
    { "ProbeSpan from tag 2", &codec_ProbeSpan, "02 00 00 00 00", PROTO_ERR_UNKNOWN_TAG },
    { "Floats wide cut to 7 of 8 bytes", &codec_ProbeRequest, "0b 00 00 40 40  00*7", PROTO_ERR_SHORT_BUFFER },
    { "Floats maybe presence 2", &codec_ProbeRequest, "0b 00*4 00*8 02 00*8", PROTO_ERR_BAD_OPT },
    { "ProbePoint bool 2", &codec_ProbePoint, "00 00 00 00 00 00 02", PROTO_ERR_BAD_BOOL },
    { "ProbePoint + trailing", &codec_ProbePoint, "00 00 00 00 00 00 01 00", PROTO_ERR_TRAILING_BYTES },
};

static const ProbeRequest flags_color_gap = FLAGS(false, 3);
static const ProbeRequest shape_bad_color = {
    .tag = ProbeRequest_Shape_tag, .u.Shape = { .colors = { PROBE_COLOR_RED, 0xff } },
};
static const ProbeRequest shape_long_blob = {
    .tag = ProbeRequest_Shape_tag, .u.Shape = { .blob = { 5, { 0 } } },
};
static const ProbeRequest labels_long_name = {
    .tag = ProbeRequest_Labels_tag, .u.Labels = { .names = { { 5, "abcde" } } },
};
static const ProbeRequest labels_long_blob = {
    .tag = ProbeRequest_Labels_tag, .u.Labels = { .blobs = { [1] = { 4, { 0 } } } },
};
static const ProbeRequest labels_surrogate = {
    .tag = ProbeRequest_Labels_tag, .u.Labels = { .names = { [1] = { 3, "\xed\xbf\xbf" } } },
};
static const ProbeRequest maybe_truncated_name = {
    .tag = ProbeRequest_Maybe_tag, .u.Maybe = { .has_name = true, .name = { 1, "\xe2" } },
};
static const ProbeRequest seek_bad_tag = {
    .tag = ProbeRequest_Seek_tag, .u.Seek = { .offset = { .tag = 9 } },
};
static const ProbeRequest note_over = {
    .tag = ProbeRequest_Note_tag, .u.Note = { .title = { 4, "abcd" }, .body = { 3, { 0 } } },
};
static const ProbeRequest chunk_over = {
    .tag = ProbeRequest_Chunk_tag,
    .u.Chunk = { .at = { .tag = ProbeOffset_Stream_tag }, .data = { 3, { 0 } },
                 .span = { .from = { .tag = ProbeOffset_Explicit_tag } } },
};
static const ProbeTags tags_over = { .names = { { 1, "a" }, { 3, "bcd" }, { 2, "ef" } } };
static const struct bad_message bad_messages[] = {
    { "Note 4 + 3 over the budget of 6", &codec_ProbeRequest, &note_over, PROTO_ERR_OVER_BUDGET },
    { "ProbeTags 1 + 3 + 2 over the budget of 5", &codec_ProbeTags, &tags_over, PROTO_ERR_OVER_BUDGET },
    { "Chunk data 3 + span Explicit 8 over the budget of 10", &codec_ProbeRequest, &chunk_over, PROTO_ERR_OVER_BUDGET },
    { "Seek offset tag 9", &codec_ProbeRequest, &seek_bad_tag, PROTO_ERR_UNKNOWN_TAG },
    { "Labels names[1] surrogate U+DFFF", &codec_ProbeRequest, &labels_surrogate, PROTO_ERR_BAD_UTF8 },
    { "Maybe name truncated", &codec_ProbeRequest, &maybe_truncated_name, PROTO_ERR_BAD_UTF8 },
    { "Labels names[0] len 5 (max + 1)", &codec_ProbeRequest, &labels_long_name, PROTO_ERR_TOO_LONG },
    { "Labels blobs[1] len 4 (max + 1)", &codec_ProbeRequest, &labels_long_blob, PROTO_ERR_TOO_LONG },
    { "Flags color 3", &codec_ProbeRequest, &flags_color_gap, PROTO_ERR_BAD_ENUM },
    { "Shape colors[1] 0xff", &codec_ProbeRequest, &shape_bad_color, PROTO_ERR_BAD_ENUM },
    { "Shape blob len 5 (max + 1)", &codec_ProbeRequest, &shape_long_blob, PROTO_ERR_TOO_LONG },
};

WIRE_CASE_TESTS(probe, cases)

Test(probe, every_unknown_tag)
{
    check_unknown_tags(&codec_ProbeRequest);
    check_unknown_tags(&codec_ProbeResponse);
    check_unknown_tags(&codec_ProbeOffset);
}

Test(probe, bad_bool_bad_enum_and_bounds_on_decode)
{
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) check_bad_input(&bad_inputs[i]);
}

Test(probe, encode_refuses_bad_enum_and_long_bytes)
{
    for (size_t i = 0; i < sizeof bad_messages / sizeof bad_messages[0]; i++) check_bad_message(&bad_messages[i]);
}

/* Every bool byte: 0 and 1 decode, the other 254 are BAD_BOOL. */
Test(probe, every_bool_byte)
{
    for (unsigned b = 0; b <= 255; b++) {
        const uint8_t in[3] = { ProbeRequest_Flags_tag, (uint8_t)b, PROBE_COLOR_RED };
        ProbeRequest m;
        proto_err err = ProbeRequest_decode(&m, in, sizeof in);
        cr_expect_eq(err, b <= 1 ? PROTO_OK : PROTO_ERR_BAD_BOOL, "bool byte %u: %s", b, proto_strerror((int)err));
        if (b <= 1) cr_expect_eq(m.u.Flags.on, b == 1);
    }
}

/* Every presence byte: 0 and 1 decode (1 with its value after it), the
 * other 254 are BAD_OPT. */
Test(probe, every_opt_presence_byte)
{
    for (unsigned b = 0; b <= 255; b++) {
        const uint8_t in[6] = { ProbeRequest_Maybe_tag, 0, 0, 0, (uint8_t)b, 1 };
        ProbeRequest m;
        proto_err err = ProbeRequest_decode(&m, in, b == 1 ? 6 : 5);
        cr_expect_eq(err, b <= 1 ? PROTO_OK : PROTO_ERR_BAD_OPT, "presence byte %u: %s", b, proto_strerror((int)err));
        if (b <= 1) cr_expect(m.u.Maybe.has_flag == (b == 1) && m.u.Maybe.flag == (b == 1));
    }
}

/* f32/f64 are bits: NaNs (quiet, signaling, with payloads, negative),
 * infinities and subnormals decode and re-encode bit for bit, and the
 * decoded value holds those bits (compared as bits, never as floats). */
Test(probe, float_bit_patterns_round_trip_exactly)
{
    static const uint32_t singles[] = { 0x7f800001, 0x7fc00000, 0x7fbfffff, 0xffc00001, 0xffffffff,
                                        0x7f800000, 0xff800000, 0x00000001, 0x80000000, 0x12345678 };
    static const uint64_t wides[] = { 0x7ff0000000000001, 0x7ff8000000000000, 0xfff8000000000001,
                                      0xffffffffffffffff, 0x7ff0000000000000, 0x0000000000000001,
                                      0x8000000000000000, 0x0123456789abcdef };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        for (size_t k = 0; k < sizeof wides / sizeof wides[0]; k++) {
            uint8_t in[ProbeRequest_Floats_MAX_SIZE] = { ProbeRequest_Floats_tag };
            for (int b = 0; b < 4; b++) in[1 + b] = (uint8_t)(singles[i] >> (8 * b));
            for (int b = 0; b < 8; b++) in[5 + b] = in[14 + b] = (uint8_t)(wides[k] >> (8 * b));
            in[13] = 1;
            ProbeRequest m;
            cr_assert_eq(ProbeRequest_decode(&m, in, sizeof in), PROTO_OK);
            uint32_t s;
            uint64_t w, mb;
            memcpy(&s, &m.u.Floats.single, 4);
            memcpy(&w, &m.u.Floats.wide, 8);
            memcpy(&mb, &m.u.Floats.maybe, 8);
            cr_expect(s == singles[i] && w == wides[k] && mb == wides[k], "bits %08x %016llx", (unsigned)singles[i],
                      (unsigned long long)wides[k]);
            uint8_t out[ProbeRequest_MAX_SIZE];
            size_t len;
            cr_assert_eq(ProbeRequest_encode(&m, out, sizeof out, &len), PROTO_OK);
            cr_expect(len == sizeof in && memcmp(out, in, len) == 0, "re-encoding of %08x %016llx",
                      (unsigned)singles[i], (unsigned long long)wides[k]);
        }
    }
}

/* Every first byte of a 1- and 2-byte str: ASCII alone, C2..DF with a
 * continuation byte, nothing else (continuation bytes, C0/C1, E0..FF
 * truncated or with a second byte that cannot follow). */
Test(probe, utf8_first_bytes)
{
    for (unsigned b = 0; b <= 255; b++) {
        const uint8_t one[10] = { ProbeRequest_Labels_tag, 1, 0, (uint8_t)b };
        const uint8_t two[11] = { ProbeRequest_Labels_tag, 2, 0, (uint8_t)b, 0x80 };
        ProbeRequest m;
        proto_err err = ProbeRequest_decode(&m, one, sizeof one);
        cr_expect_eq(err, b < 0x80 ? PROTO_OK : PROTO_ERR_BAD_UTF8, "byte %02x alone: %s", b, proto_strerror((int)err));
        err = ProbeRequest_decode(&m, two, sizeof two);
        cr_expect_eq(err, b >= 0xc2 && b <= 0xdf ? PROTO_OK : PROTO_ERR_BAD_UTF8, "bytes %02x 80: %s", b,
                     proto_strerror((int)err));
    }
    cr_expect(proto_utf8_valid("\xef\xbf\xbf\xee\x80\x80\xed\x9f\xbf", 9), "U+FFFF, U+E000, U+D7FF");
    cr_expect(!proto_utf8_valid("\xe0\x9f\xbf", 3), "overlong U+07FF");
    cr_expect(!proto_utf8_valid("\xf8\x88\x80\x80\x80", 5), "5-byte form");
}

/* Every enum byte: the four defined values decode, every other is BAD_ENUM. */
Test(probe, every_enum_byte)
{
    for (unsigned v = 0; v <= 255; v++) {
        const uint8_t in[3] = { ProbeRequest_Flags_tag, 1, (uint8_t)v };
        bool defined = v == 0 || v == 1 || v == 2 || v == 4;
        ProbeRequest m;
        proto_err err = ProbeRequest_decode(&m, in, sizeof in);
        cr_expect_eq(err, defined ? PROTO_OK : PROTO_ERR_BAD_ENUM, "enum byte %u: %s", v, proto_strerror((int)err));
        cr_expect_eq(probe_color_name((uint8_t)v) != NULL, defined, "probe_color_name(%u)", v);
    }
    cr_expect_str_eq(probe_color_name(PROBE_COLOR_WHITE), "WHITE");
}

Test(probe, negative_numbers_decode_field_by_field)
{
    static const uint8_t in[] = { 0x03, 0xff, 0xfe, 0xff, 0xfd, 0xff, 0xff, 0xff,
                                  0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    ProbeRequest m;
    cr_assert_eq(ProbeRequest_decode(&m, in, sizeof in), PROTO_OK);
    cr_expect_eq(m.u.Numbers.s8, -1);
    cr_expect_eq(m.u.Numbers.s16, -2);
    cr_expect_eq(m.u.Numbers.s32, -3);
    cr_expect_eq(m.u.Numbers.s64, -4);
}

Test(probe, max_size_constants)
{
    cr_expect_eq(ProbePoint_MAX_SIZE, 2 + 4 + 1);
    cr_expect_eq(ProbeRequest_Flags_MAX_SIZE, 1 + 1 + 1);
    cr_expect_eq(ProbeRequest_Numbers_MAX_SIZE, 1 + 1 + 2 + 4 + 8);
    cr_expect_eq(ProbeRequest_Shape_MAX_SIZE, 1 + 2 * 7 + 2 + 4 + 2);
    cr_expect_eq(ProbeRequest_Labels_MAX_SIZE, 1 + 2 * (2 + 4) + 2 * (2 + 3));
    cr_expect_eq(ProbeRequest_Maybe_MAX_SIZE, 1 + (1 + 4) + (1 + 2 + 4) + (1 + 7) + (1 + 1));
    cr_expect_eq(ProbeRequest_Floats_MAX_SIZE, 1 + 4 + 8 + (1 + 8));
    cr_expect_eq(ProbeRequest_Seek_MAX_SIZE, 1 + 9 + (9 + 4));
    cr_expect_eq(ProbeSpan_MAX_SIZE, 9 + 4);
    cr_expect_eq(ProbeOffset_MAX_SIZE, 9);
    cr_expect_eq(ProbeRequest_Note_MAX_SIZE, 1 + 2 + 2 + PROBE_NOTE_BUDGET + 1, "the budget, not 4 + 4");
    cr_expect_eq(ProbeTags_MAX_SIZE, 3 * 2 + 5);
    cr_expect_eq(ProbeRequest_Chunk_MAX_SIZE, 1 + 1 + 2 + 5 + 10, "its smallest encoding and the budget, not 9 + 10 + 13");
    cr_expect_eq(ProbeRequest_Ping_MAX_SIZE, 1);
    cr_expect_eq(ProbeRequest_MAX_SIZE, 23);
    cr_expect_eq(ProbeResponse_MAX_SIZE, 5);
}

/* Every generated file's banner names its schema file as given to gen/cli.lua. */
Test(probe, banner_names_the_schema_path)
{
    FILE *f = fopen("build/tests/probe-gen/probe.h", "r");
    cr_assert_not_null(f, "run from the top of the tree (ninja test-codec does)");
    char line[256] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    cr_expect_not_null(strstr(line, "tests/codec/schema/probe.lua"), "banner: %s", line);
}

/* Capabilities: Give's declared cap is position 0 (no bytes), its chan
 * fields are u8 indexes 1, 2, 3 in field order; the handles beside the
 * bytes are whatever the transport names them. */
static const ProbeHand give = {
    .tag = ProbeHand_Give_tag, .u.Give = { .note = 0x42, .second = 71, .spares = { 72, 73 }, .first = 70 },
};
static const ProbeHand nothing = { .tag = ProbeHand_Nothing_tag };
static const ProbeHandReply took = { .tag = ProbeHandReply_Took_tag, .u.Took = { .count = 3, .back = 9 } };

static const struct wire_case cap_cases[] = {
    { "Give{first 70; note, second 71, spares 72 73}", &codec_ProbeHand, &give, "00 42 01 02 03",
      { 4, { 70, 71, 72, 73 } } },
    { "Nothing", &codec_ProbeHand, &nothing, "01" },
    { "Took{back 9, count 3}", &codec_ProbeHandReply, &took, "00 03", { 1, { 9 } } },
};

WIRE_CASE_TESTS(probe_caps, cap_cases)

/* Every malformed combination of bytes and caps gives BAD_CAP. */
static const struct bad_input bad_caps[] = {
    { "index out of range", &codec_ProbeHand, "00 42 01 02 04", PROTO_ERR_BAD_CAP, { 4, { 70, 71, 72, 73 } } },
    { "index 255", &codec_ProbeHand, "00 42 01 02 ff", PROTO_ERR_BAD_CAP, { 4, { 70, 71, 72, 73 } } },
    { "index used twice", &codec_ProbeHand, "00 42 01 02 02", PROTO_ERR_BAD_CAP, { 4, { 70, 71, 72, 73 } } },
    { "index of the declared cap", &codec_ProbeHand, "00 42 00 02 03", PROTO_ERR_BAD_CAP, { 4, { 70, 71, 72, 73 } } },
    { "one cap missing", &codec_ProbeHand, "00 42 01 02 03", PROTO_ERR_BAD_CAP, { 3, { 70, 71, 72 } } },
    { "no caps at all", &codec_ProbeHand, "00 42 01 02 03", PROTO_ERR_BAD_CAP },
    { "one cap extra (never claimed)", &codec_ProbeHandReply, "00 03", PROTO_ERR_BAD_CAP, { 2, { 9, 10 } } },
    { "a cap beside Nothing", &codec_ProbeHand, "01", PROTO_ERR_BAD_CAP, { 1, { 70 } } },
    { "Took without its cap", &codec_ProbeHandReply, "00 03", PROTO_ERR_BAD_CAP },
    { "None with a cap", &codec_ProbeHandReply, "01", PROTO_ERR_BAD_CAP, { 1, { 9 } } },
};

Test(probe_caps, index_out_of_range_repeated_missing_extra)
{
    for (size_t i = 0; i < sizeof bad_caps / sizeof bad_caps[0]; i++) check_bad_input(&bad_caps[i]);
}

/* The plain encode and decode carry no caps: a message with one fails. */
Test(probe_caps, plain_encode_and_decode_refuse_a_message_with_caps)
{
    uint8_t buf[ProbeHand_MAX_SIZE];
    size_t len;
    ProbeHand m;
    cr_expect_eq(ProbeHand_encode(&give, buf, sizeof buf, &len), PROTO_ERR_BAD_CAP);
    cr_expect_eq(ProbeHand_decode(&m, (const uint8_t *)"\x00\x42\x01\x02\x03", 5), PROTO_ERR_BAD_CAP);
    cr_expect_eq(ProbeHand_encode(&nothing, buf, sizeof buf, &len), PROTO_OK);
    cr_expect_eq(ProbeHand_MAX_CAPS, 4);
    cr_expect_eq(ProbeHand_Give_MAX_CAPS, 4);
}

/* Extensible messages (ProbeEvent, ProbeStatus: extensible = true). A newer
 * peer's message (bytes after the fields this side knows) decodes to the
 * same value, the bytes skipped; an older peer's (cut where a trailing opt
 * field starts) decodes with that field and those after it absent; every
 * other cut is SHORT_BUFFER, and a presence byte other than 0/1 BAD_OPT, as
 * in any message. The re-encoding is this side's own: without the skipped
 * bytes, with a presence byte 0 for each absent field. Inputs are heap
 * buffers of exactly their length (ASan). */
static const char reading_hex[] = "00 07 00 00 fb ff ff ff 01 02 00 63 6d 01 03";   /* sensor 7, value -5, unit "cm", scale 3 */

static proto_err decode_event(const char *hex, ProbeEvent *m, uint8_t *out, size_t *out_len)
{
    size_t len;
    uint8_t *in = hex_bytes(hex, &len);
    memset(m, 0xaa, sizeof *m);   /* what the decoder leaves unwritten shows */
    proto_err err = ProbeEvent_decode(m, in, len);
    free(in);
    if (err == PROTO_OK)
        cr_assert_eq(ProbeEvent_encode(m, out, ProbeEvent_MAX_SIZE, out_len), PROTO_OK);
    return err;
}

Test(probe_extensible, the_macro_says_which_messages_may_grow)
{
    cr_expect_eq(ProbeEvent_EXTENSIBLE, 1);
    cr_expect_eq(ProbeStatus_EXTENSIBLE, 1);
    cr_expect_eq(ProbeRequest_EXTENSIBLE, 0);
    cr_expect_eq(ProbePoint_EXTENSIBLE, 0);
}

Test(probe_extensible, every_cut_of_a_reading)
{
    size_t full_len;
    uint8_t *full = hex_bytes(reading_hex, &full_len);
    for (size_t n = 0; n <= full_len; n++) {
        uint8_t *in = heap_copy(full, n), out[ProbeEvent_MAX_SIZE];
        size_t out_len = 0;
        ProbeEvent m;
        memset(&m, 0xaa, sizeof m);
        proto_err err = ProbeEvent_decode(&m, in, n);
        /* Where unit (byte 8) and scale (byte 13) start, and the whole. */
        bool older = n == 8 || n == 13 || n == full_len;
        cr_expect_eq(err, older ? PROTO_OK : PROTO_ERR_SHORT_BUFFER, "cut to %zu bytes: %s", n, proto_strerror((int)err));
        if (err == PROTO_OK) {
            const ProbeEvent_Reading *r = &m.u.Reading;
            cr_expect(r->sensor == 7 && r->value == -5 && !r->has_label && r->label.len == 0, "cut to %zu", n);
            cr_expect_eq(r->has_unit, n > 8);
            cr_expect(n > 8 ? r->unit.len == 2 && memcmp(r->unit.data, "cm", 3) == 0 : r->unit.len == 0 && r->unit.data[0] == 0,
                      "cut to %zu: an absent unit is zero", n);
            cr_expect(r->has_scale == (n > 13) && r->scale == (n > 13 ? 3 : 0), "cut to %zu: scale", n);
            cr_assert_eq(ProbeEvent_encode(&m, out, sizeof out, &out_len), PROTO_OK);
            cr_expect_eq(out_len, n == 8 ? n + 2 : n == 13 ? n + 1 : n, "the re-encoding adds a 0 per absent field");
            cr_expect(memcmp(out, full, n) == 0 && (out_len == n || out[out_len - 1] == 0), "cut to %zu: re-encoding", n);
        }
        free(in);
    }
    free(full);
}

Test(probe_extensible, a_newer_peers_bytes_are_skipped)
{
    static const char *const more[] = { "00", "01 2a 00 00 00", "ff ff ff", "01*200" };
    size_t full_len;
    uint8_t *full = hex_bytes(reading_hex, &full_len);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        char hex[1024];
        snprintf(hex, sizeof hex, "%s %s", reading_hex, more[i]);
        ProbeEvent m;
        uint8_t out[ProbeEvent_MAX_SIZE];
        size_t out_len = 0;
        cr_expect_eq(decode_event(hex, &m, out, &out_len), PROTO_OK, "+ %s", more[i]);
        cr_expect(out_len == full_len && memcmp(out, full, full_len) == 0, "+ %s: re-encoded as this side's", more[i]);
        cr_expect(m.u.Reading.has_unit && m.u.Reading.scale == 3);
    }
    free(full);
    ProbeEvent m;
    uint8_t out[ProbeEvent_MAX_SIZE];
    size_t out_len;
    cr_expect_eq(decode_event("02 01 2a", &m, out, &out_len), PROTO_OK, "Tick, no fields yet: the rest skipped");
    cr_expect(m.tag == ProbeEvent_Tick_tag && out_len == 1);
    cr_expect_eq(decode_event("01 02 00 68 69 00", &m, out, &out_len), PROTO_OK, "Mark + a newer field");
    cr_expect(m.u.Mark.note.len == 2 && out_len == 5);
}

Test(probe_extensible, what_stays_strict)
{
    static const struct { const char *hex; proto_err err; const char *what; } cases[] = {
        { "", PROTO_ERR_SHORT_BUFFER, "no tag" },
        { "03 00", PROTO_ERR_UNKNOWN_TAG, "an unknown tag (a newer variant)" },
        { "00 07 00", PROTO_ERR_SHORT_BUFFER, "before label, an opt field a fixed one follows" },
        { "00 07 00 00 fb ff ff ff 02", PROTO_ERR_BAD_OPT, "unit's presence byte 2" },
        { "00 07 00 00 fb ff ff ff 01 02 00 63", PROTO_ERR_SHORT_BUFFER, "cut inside unit" },
        { "00 07 00 00 fb ff ff ff 01 05 00", PROTO_ERR_TOO_LONG, "unit over its bound" },
        { "00 07 00 00 fb ff ff ff 01 01 00 ff", PROTO_ERR_BAD_UTF8, "unit not UTF-8" },
        { "01 00", PROTO_ERR_SHORT_BUFFER, "Mark cut inside note (no opt field to end before)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ProbeEvent m;
        uint8_t out[ProbeEvent_MAX_SIZE];
        size_t out_len;
        proto_err err = decode_event(cases[i].hex, &m, out, &out_len);
        cr_expect_eq(err, cases[i].err, "%s: %s", cases[i].what, proto_strerror((int)err));
    }
}

Test(probe_extensible, a_struct_older_and_newer)
{
    static const struct { const char *hex; proto_err err; bool has_detail; size_t out_len; } cases[] = {
        { "05", PROTO_OK, false, 2 },                          /* an older peer's: detail absent */
        { "05 01 02 00 6f 6b", PROTO_OK, true, 6 },
        { "05 01 02 00 6f 6b 01 09", PROTO_OK, true, 6 },      /* a newer peer's: retries skipped */
        { "", PROTO_ERR_SHORT_BUFFER, false, 0 },
        { "05 01 02 00 6f", PROTO_ERR_SHORT_BUFFER, false, 0 },
        { "05 07", PROTO_ERR_BAD_OPT, false, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len, out_len = 0;
        uint8_t *in = hex_bytes(cases[i].hex, &len), out[ProbeStatus_MAX_SIZE];
        ProbeStatus m;
        proto_err err = ProbeStatus_decode(&m, in, len);
        cr_expect_eq(err, cases[i].err, "\"%s\": %s", cases[i].hex, proto_strerror((int)err));
        if (err == PROTO_OK) {
            cr_expect(m.code == 5 && m.has_detail == cases[i].has_detail, "\"%s\"", cases[i].hex);
            cr_expect_eq(ProbeStatus_encode(&m, out, sizeof out, &out_len), PROTO_OK);
            cr_expect_eq(out_len, cases[i].out_len, "\"%s\" re-encoded", cases[i].hex);
        }
        free(in);
    }
}
