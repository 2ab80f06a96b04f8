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

/* On x86-64 Linux, 64 bytes and more 128, then 32 at a time (with AVX2
 * where the machine has it: gcc's target_clones picks the copy when the
 * program loads; clang does not take it on a function declared before);
 * else 16 at a time (64 first, not when optimising for size) and the rest
 * as proto_copy_short does. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__OPTIMIZE_SIZE__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PROTO_AVX2_CLONE
#endif
#endif
#ifdef PROTO_AVX2_CLONE
typedef uint64_t proto_block32 __attribute__((vector_size(32)));
__attribute__((target_clones("avx2", "default")))
#endif
uint64_t proto_copy_or(void *dst, const void *src, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    proto_block a = { 0, 0 };
    size_t i = 0;
#ifdef PROTO_AVX2_CLONE
    /* 32 bytes a value: AVX2 registers in the avx2 clone, two 16-byte ones
     * in the default. The stores are aligned: the first 32 bytes, then on
     * from the next 32-byte boundary, the last 32 bytes over some copied. */
    if (n >= 64) {
        proto_block32 x, y = { 0, 0, 0, 0 }, v, w, t, u;
        __builtin_memcpy(&x, s, 32);
        __builtin_memcpy(d, &x, 32);
        i = 32 - ((uintptr_t)d & 31);
        for (; i + 128 <= n; i += 128) {
            __builtin_memcpy(&v, s + i, 32);
            __builtin_memcpy(&w, s + i + 32, 32);
            __builtin_memcpy(&t, s + i + 64, 32);
            __builtin_memcpy(&u, s + i + 96, 32);
            __builtin_memcpy(d + i, &v, 32);
            __builtin_memcpy(d + i + 32, &w, 32);
            __builtin_memcpy(d + i + 64, &t, 32);
            __builtin_memcpy(d + i + 96, &u, 32);
            x |= v | t;
            y |= w | u;
        }
        for (; i + 32 <= n; i += 32) {
            __builtin_memcpy(&v, s + i, 32);
            __builtin_memcpy(d + i, &v, 32);
            x |= v;
        }
        __builtin_memcpy(&v, s + n - 32, 32);
        __builtin_memcpy(d + n - 32, &v, 32);
        x |= y | v;
        return x[0] | x[1] | x[2] | x[3];
    }
#endif
#ifndef __OPTIMIZE_SIZE__
    proto_block b = { 0, 0 }, c = { 0, 0 }, e = { 0, 0 };
    for (; i + 64 <= n; i += 64) {
        a |= proto_copy16(d + i, s + i);
        b |= proto_copy16(d + i + 16, s + i + 16);
        c |= proto_copy16(d + i + 32, s + i + 32);
        e |= proto_copy16(d + i + 48, s + i + 48);
    }
    a |= b | c | e;
#endif
    for (; i + 16 <= n; i += 16) a |= proto_copy16(d + i, s + i);
    return a[0] | a[1] | proto_copy_short(d + i, s + i, n - i);
}

bool proto_utf8_copy(void *dst, const void *src, size_t n)
{
    return (proto_copy_or(dst, src, n) & PROTO_HIGH_BITS) == 0 || proto_utf8_valid(dst, n);
}

int proto_transact(const proto_transport *t, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps)
{
    if (t->call != NULL) return t->call(t->ctx, msg, len, caps, buf, cap, rlen, rcaps);
    int rc = t->send(t->ctx, msg, len, caps);
    if (rc < 0) return rc;
    return t->recv(t->ctx, buf, cap, rlen, rcaps);
}
