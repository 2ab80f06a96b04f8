/* Probe messages that test_probe.c (their bytes) and test_format.c (their
 * text) both check. */
#ifndef TESTS_CODEC_PROBE_VALUES_H
#define TESTS_CODEC_PROBE_VALUES_H

#include "probe.h"

#define FLAGS(on, color) { .tag = ProbeRequest_Flags_tag, .u.Flags = { on, color } }
#define NUMBERS(a, b, c, d) { .tag = ProbeRequest_Numbers_tag, .u.Numbers = { a, b, c, d } }
static const ProbeRequest flags_off_red = FLAGS(false, PROBE_COLOR_RED);
static const ProbeRequest flags_on_white = FLAGS(true, PROBE_COLOR_WHITE);
static const ProbeRequest numbers_zero = NUMBERS(0, 0, 0, 0);
static const ProbeRequest numbers_minus = NUMBERS(-1, -2, -3, -4);
static const ProbeRequest numbers_min = NUMBERS(INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN);
static const ProbeRequest numbers_max = NUMBERS(INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX);
static const ProbeRequest floats_small = {
    .tag = ProbeRequest_Floats_tag, .u.Floats = { .single = 3.0f, .wide = -2.5 },
};
static const ProbeRequest floats_edges = {
    .tag = ProbeRequest_Floats_tag,
    .u.Floats = { .single = -0.0f, .wide = 1.0, .has_maybe = true, .maybe = 0x1p-1074 /* smallest subnormal */ },
};
static const ProbeRequest seek_explicit = {
    .tag = ProbeRequest_Seek_tag,
    .u.Seek = { .offset = { .tag = ProbeOffset_Explicit_tag, .u.Explicit = { 0x0102030405060708 } },
                .span = { .from = { .tag = ProbeOffset_Stream_tag }, .length = 5 } },
};
static const ProbeRequest seek_stream = {
    .tag = ProbeRequest_Seek_tag,
    .u.Seek = { .offset = { .tag = ProbeOffset_Stream_tag },
                .span = { .from = { .tag = ProbeOffset_Explicit_tag, .u.Explicit = { 1 } } } },
};
static const ProbeRequest note_full = {
    .tag = ProbeRequest_Note_tag, .u.Note = { .title = { 2, "ab" }, .body = { 4, { 1, 2, 3, 4 } }, .kind = 7 },
};
/* Chunk's budget of 10: at Explicit counts 8, data's 2 bytes 2, span at Stream 0. */
static const ProbeRequest chunk_full = {
    .tag = ProbeRequest_Chunk_tag,
    .u.Chunk = { .at = { .tag = ProbeOffset_Explicit_tag, .u.Explicit = { 1 } }, .data = { 2, { 0xaa, 0xbb } },
                 .span = { .from = { .tag = ProbeOffset_Stream_tag }, .length = 5 } },
};
static const ProbeRequest maybe_none = { .tag = ProbeRequest_Maybe_tag };
static const ProbeRequest maybe_all = {
    .tag = ProbeRequest_Maybe_tag,
    .u.Maybe = { .has_count = true, .count = 0x01020304, .has_name = true, .name = { 2, "ab" },
                 .has_point = true, .point = { 0x1234, -1, true }, .has_flag = true, .flag = false },
};

#endif
