/* proto_format.c: the text runtime of the formatters (proto_format.h).
 * Hand-written, the same for every schema (libwirec). */

#define PROTO_RUNTIME_ONLY
#include "proto_format.h"

static const char proto_fmt_digits[] = "0123456789abcdef";

void proto_fmt_char(proto_fmt *f, char c)
{
    if (f->cap > 0 && f->len < f->cap - 1) f->buf[f->len] = c;
    f->len++;
}

void proto_fmt_text(proto_fmt *f, const char *s)
{
    while (*s != '\0') proto_fmt_char(f, *s++);
}

void proto_fmt_u64(proto_fmt *f, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do { tmp[n++] = proto_fmt_digits[v % 10]; v /= 10; } while (v != 0);
    while (n > 0) proto_fmt_char(f, tmp[--n]);
}

void proto_fmt_i64(proto_fmt *f, int64_t v)
{
    if (v < 0) proto_fmt_char(f, '-');
    proto_fmt_u64(f, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

/* v in hex without leading zeros (at least one digit). */
static void proto_fmt_hex_u64(proto_fmt *f, uint64_t v)
{
    unsigned n = 1;
    while (n < 16 && (v >> (4 * n)) != 0) n++;
    while (n-- > 0) proto_fmt_char(f, proto_fmt_digits[(v >> (4 * n)) & 15]);
}

/* IEEE 754 bits with mant_bits of mantissa and exp_bits of exponent, as
 * proto_format.h says: integer operations only.
 */
static void proto_fmt_ieee(proto_fmt *f, uint64_t bits, unsigned mant_bits, unsigned exp_bits)
{
    uint64_t mant = bits & (((uint64_t)1 << mant_bits) - 1);
    uint64_t exp_max = ((uint64_t)1 << exp_bits) - 1;
    uint64_t exp = (bits >> mant_bits) & exp_max;
    int64_t power = (exp == 0 ? 1 : (int64_t)exp) - (int64_t)(exp_max >> 1);
    unsigned digits = (mant_bits + 3) / 4; /* whole hex digits: 23 bits -> 6, 52 -> 13 */
    if ((bits >> (mant_bits + exp_bits)) & 1) proto_fmt_char(f, '-');
    if (exp == exp_max) {
        proto_fmt_text(f, mant == 0 ? "inf" : "nan(0x");
        if (mant != 0) {
            proto_fmt_hex_u64(f, mant);
            proto_fmt_char(f, ')');
        }
        return;
    }
    if (exp == 0 && mant == 0) {
        proto_fmt_text(f, "0x0p+0");
        return;
    }
    proto_fmt_text(f, exp == 0 ? "0x0" : "0x1");
    if (mant != 0) {
        mant <<= digits * 4 - mant_bits;
        while ((mant & 15) == 0) { mant >>= 4; digits--; }
        proto_fmt_char(f, '.');
        while (digits-- > 0) proto_fmt_char(f, proto_fmt_digits[(mant >> (4 * digits)) & 15]);
    }
    proto_fmt_char(f, 'p');
    if (power >= 0) proto_fmt_char(f, '+');
    proto_fmt_i64(f, power);
}

void proto_fmt_f32(proto_fmt *f, float v)
{
    uint32_t bits;
    __builtin_memcpy(&bits, &v, 4);
    proto_fmt_ieee(f, bits, 23, 8);
}

void proto_fmt_f64(proto_fmt *f, double v)
{
    uint64_t bits;
    __builtin_memcpy(&bits, &v, 8);
    proto_fmt_ieee(f, bits, 52, 11);
}

void proto_fmt_enum(proto_fmt *f, const char *name, uint64_t v)
{
    if (name != NULL) proto_fmt_text(f, name);
    else proto_fmt_u64(f, v);
}

void proto_fmt_enum_signed(proto_fmt *f, const char *name, int64_t v)
{
    if (name != NULL) proto_fmt_text(f, name);
    else proto_fmt_i64(f, v);
}

static void proto_fmt_byte(proto_fmt *f, uint8_t b)
{
    proto_fmt_char(f, proto_fmt_digits[b >> 4]);
    proto_fmt_char(f, proto_fmt_digits[b & 15]);
}

void proto_fmt_quoted(proto_fmt *f, const char *s, size_t n, size_t max)
{
    if (n > max) n = max;
    proto_fmt_char(f, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c < 0x20 || c >= 0x7f) {
            proto_fmt_text(f, "\\x");
            proto_fmt_byte(f, c);
            continue;
        }
        if (c == '"' || c == '\\') proto_fmt_char(f, '\\');
        proto_fmt_char(f, (char)c);
    }
    proto_fmt_char(f, '"');
}

void proto_fmt_hex(proto_fmt *f, const uint8_t *p, size_t n, size_t max)
{
    if (n > max) n = max;
    proto_fmt_char(f, '<');
    for (size_t i = 0; i < n; i++) {
        if (i > 0) proto_fmt_char(f, ' ');
        proto_fmt_byte(f, p[i]);
    }
    proto_fmt_char(f, '>');
}

size_t proto_fmt_end(proto_fmt *f)
{
    if (f->cap > 0) f->buf[f->len < f->cap - 1 ? f->len : f->cap - 1] = '\0';
    return f->len;
}
