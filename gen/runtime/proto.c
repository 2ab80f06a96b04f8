/* proto.c: the out-of-line part of the codec runtime (proto.h): error
 * names, proto_str_set, the UTF-8 check and one-pass copy of a str, and
 * proto_transact. Hand-written, the same for every schema (libwirec). */

#define PROTO_RUNTIME_ONLY
#include "proto.h"

const char *proto_strerror(int err)
{
    if (err < 0) return "transport error";
    switch ((proto_err)err) {
#define PROTO_ERR_CASE_(name, text) case name: return text;
        PROTO_ERRORS(PROTO_ERR_CASE_)
#undef PROTO_ERR_CASE_
    }
    return "unknown error";
}

proto_err proto_str_set(char *data, uint16_t *len, size_t max, const char *s)
{
    size_t n = 0;
    while (n <= max && s[n] != '\0') n++;
    if (n > max) {
        data[0] = '\0';
        *len = 0;
        return PROTO_ERR_TOO_LONG;
    }
    for (size_t i = 0; i < n; i++) data[i] = s[i];
    data[n] = '\0';
    *len = (uint16_t)n;
    return PROTO_OK;
}

/* The check past the first byte over 0x7f. The second byte's range narrows
 * for E0 (no overlong), ED (no surrogate), F0 (no overlong) and F4 (nothing
 * past U+10FFFF). */
static bool utf8_valid_rest(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t more;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) more = 1;
        else if (c >= 0xe0 && c <= 0xef) more = 2;
        else if (c >= 0xf0 && c <= 0xf4) more = 3;
        else return false; /* a continuation byte, C0/C1 (overlong) or F5..FF */
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
        if (n - i - 1 < more || p[i + 1] < lo || p[i + 1] > hi) return false;
        for (size_t k = 2; k <= more; k++) if ((p[i + k] & 0xc0) != 0x80) return false;
        i += more + 1;
    }
    return true;
}

void proto_copy(void *dst, const void *src, size_t n)
{
    __builtin_memcpy(dst, src, n);
}

/* ASCII, the common case, is skipped a word at a time. */
bool proto_utf8_valid(const void *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        __builtin_memcpy(&w, p + i, 8);
        if (w & PROTO_HIGH_BITS) break;
    }
    for (; i < n && p[i] < 0x80; i++) {}
    return i == n || utf8_valid_rest(p + i, n - i);
}

/* 16 bytes as one value (a vector register where the target has them, two
 * words where it does not). */
typedef uint64_t proto_block __attribute__((vector_size(16)));

/* Copies 16 bytes; returns them. */
static inline proto_block copy16(uint8_t *d, const uint8_t *s)
{
    proto_block v;
    __builtin_memcpy(&v, s, 16);
    __builtin_memcpy(d, &v, 16);
    return v;
}

/* 64 (not when optimising for size) then 16 bytes at a time, then the rest
 * as proto_copy_short does. */
bool proto_utf8_copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    proto_block a = { 0, 0 };
    size_t i = 0;
#ifndef __OPTIMIZE_SIZE__
    proto_block b = { 0, 0 }, c = { 0, 0 }, e = { 0, 0 };
    for (; i + 64 <= n; i += 64) {
        a |= copy16(d + i, s + i);
        b |= copy16(d + i + 16, s + i + 16);
        c |= copy16(d + i + 32, s + i + 32);
        e |= copy16(d + i + 48, s + i + 48);
    }
    a |= b | c | e;
#endif
    for (; i + 16 <= n; i += 16) a |= copy16(d + i, s + i);
    /* every byte copied, OR-ed: ASCII when no high bit is set */
    uint64_t seen = a[0] | a[1] | proto_copy_short(d + i, s + i, n - i);
    return (seen & PROTO_HIGH_BITS) == 0 || proto_utf8_valid(d, n);
}

int proto_transact(const proto_transport *t, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps)
{
    if (t->call != NULL) return t->call(t->ctx, msg, len, caps, buf, cap, rlen, rcaps);
    int rc = t->send(t->ctx, msg, len, caps);
    if (rc < 0) return rc;
    return t->recv(t->ctx, buf, cap, rlen, rcaps);
}
