/* proto_format.h: the text runtime the generated formatters (P_format.c)
 * call: a bounded text cursor and the value writers. Hand-written, the same
 * for every schema (gen/runtime/; installed as include/wirec/ with
 * libwirec). Like snprintf, a formatter never writes past cap,
 * NUL-terminates when cap > 0 and returns the length of the whole text;
 * no value makes it fail. Freestanding: the kernel and the guest apps link
 * it. */

#ifndef WIREC_PROTO_FORMAT_H
#define WIREC_PROTO_FORMAT_H

#ifdef __cplusplus
extern "C" {
#endif

#include "proto.h"

/* A text cursor over buf[cap]: len counts every character written, also
 * those past the end, which are dropped. buf[cap - 1] is kept for the NUL
 * that proto_fmt_end writes.
 */
typedef struct proto_fmt { char *buf; size_t cap; size_t len; } proto_fmt;
#define PROTO_FMT_INIT(buf, cap) { (buf), (cap), 0 }

void proto_fmt_char(proto_fmt *f, char c);
/* A NUL-terminated text as it is. */
void proto_fmt_text(proto_fmt *f, const char *s);
void proto_fmt_u64(proto_fmt *f, uint64_t v);
void proto_fmt_i64(proto_fmt *f, int64_t v);
/* A float from its bits, exactly and without float arithmetic: a hex float
 * as C's %a writes it for normal numbers (0x1.8p+1, -0x1p-3, 0x0p+0,
 * -0x0p+0), subnormals as 0x0.HEXp-126 (f32) / 0x0.HEXp-1022 (f64), inf,
 * -inf, and nan(0xPAYLOAD) / -nan(0xPAYLOAD) with the mantissa bits, so
 * that every bit pattern has its own text.
 */
void proto_fmt_f32(proto_fmt *f, float v);
void proto_fmt_f64(proto_fmt *f, double v);
/* An enum value: its name, or the number when name is NULL (undefined). */
void proto_fmt_enum(proto_fmt *f, const char *name, uint64_t v);
void proto_fmt_enum_signed(proto_fmt *f, const char *name, int64_t v);
/* n bytes (at most max) in double quotes: printable ASCII as is, \" and \\
 * escaped, other bytes as \xNN.
 */
void proto_fmt_quoted(proto_fmt *f, const char *s, size_t n, size_t max);
/* n bytes (at most max) as hex in angle brackets: <de ad be ef>, <> when
 * empty.
 */
void proto_fmt_hex(proto_fmt *f, const uint8_t *p, size_t n, size_t max);
/* NUL-terminates the text (when cap > 0, cut at cap - 1); returns the
 * length of the whole text, as snprintf does.
 */
size_t proto_fmt_end(proto_fmt *f);

#ifdef __cplusplus
}
#endif
#endif
