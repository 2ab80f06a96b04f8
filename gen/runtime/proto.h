/* proto.h: the runtime every codec wirec generates calls (gen/runtime/,
 * hand-written; installed as include/wirec/proto.h with libwirec).
 * Freestanding C11: the kernel, guest apps and host programs build the same
 * files. Nothing here depends on a schema but what proto_limits.h says,
 * which the generator writes beside the codecs (see PROTO_RUNTIME_ONLY). */

#ifndef WIREC_PROTO_H
#define WIREC_PROTO_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version of this interface. Generated headers check it and stop with
 * #error when they were made by a generator of another version (the
 * generator reads the number from here: gen/c_runtime.lua). */
#define PROTO_GEN_VERSION 2

/* C++ users: the headers' layout checks are C11 _Static_assert. */
#if defined(__cplusplus) && !defined(_Static_assert)
#define _Static_assert static_assert
#endif

/* Marks a function whose status the caller must check (the codecs,
 * proto_str_set, the client stubs). Under gcc a (void) cast does not
 * silence it: test the result. */
#if defined(__GNUC__) || defined(__clang__)
#define PROTO_MUST_CHECK __attribute__((warn_unused_result))
#else
#define PROTO_MUST_CHECK
#endif

/* Every error a codec call reports, in value order from 0 (the order is
 * the ABI: new codes go at the end), with what it means. This list is the
 * one place they are written: proto_err, proto_strerror and the generator
 * (the errors table of every reference page, gen/c_runtime.lua) take them
 * from it. */
#define PROTO_ERRORS(X) \
    X(PROTO_OK, "no error") \
    X(PROTO_ERR_SHORT_BUFFER, "input ended inside the message") \
    X(PROTO_ERR_UNKNOWN_TAG, "unknown union tag") \
    X(PROTO_ERR_TOO_LONG, "string or bytes longer than the schema bound") \
    X(PROTO_ERR_BAD_BOOL, "bool byte other than 0 or 1") \
    X(PROTO_ERR_TRAILING_BYTES, "bytes left after the message") \
    X(PROTO_ERR_OUTPUT_TOO_SMALL, "output buffer too small") \
    X(PROTO_ERR_BAD_ENUM, "undefined enum value") \
    X(PROTO_ERR_UNEXPECTED_REPLY, "reply is not the one the call expects") \
    X(PROTO_ERR_BAD_CAP, "capability missing, extra, repeated or out of range") \
    X(PROTO_ERR_BAD_OPT, "opt presence byte other than 0 or 1") \
    X(PROTO_ERR_BAD_UTF8, "str that is not valid UTF-8") \
    X(PROTO_ERR_OVER_BUDGET, "str and bytes fields over the budget they share")

/* What a codec call reports. Encode and decode return the first error they
 * meet; transports report their own errors as negative numbers. */
#define PROTO_ERR_ENUMERATOR_(name, text) name,
typedef enum proto_err { PROTO_ERRORS(PROTO_ERR_ENUMERATOR_) } proto_err;
#undef PROTO_ERR_ENUMERATOR_

/* How many proto_err codes there are (a constant expression, also in #if). */
#define PROTO_ERR_PLUS_ONE_(name, text) + 1
#define PROTO_ERR_COUNT (0 PROTO_ERRORS(PROTO_ERR_PLUS_ONE_))

/* Names an error: a proto_err, or a transport's negative code. */
const char *proto_strerror(int err);

/* The capabilities (channel handles, as the transport names them) that
 * travel beside a message's bytes, in wire order: a variant's declared caps
 * first, then its chan fields. Defined below, with the limits. */
typedef struct proto_caps proto_caps;

/* How client stubs move whole messages. send queues one message with its
 * caps (NULL: none); recv blocks for one, stores its length and its caps.
 * Both return 0 or a negative transport error. close gives back a received
 * cap nobody claimed (NULL when the transport has nothing to close). call
 * (NULL when the transport has none) sends one message and waits for the
 * next on the same channel in one step, as send then recv would: the
 * kernel's call syscall. */
typedef struct proto_transport {
    void *ctx;
    int (*send)(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps);
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);
    void (*close)(void *ctx, uint32_t cap);
    int (*call)(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps);
} proto_transport;

/* What an rpc's stub does: sends msg with its caps and receives the reply
 * into buf (cap bytes), its length in *rlen and its caps in rcaps, through
 * t's call, or its send then its recv when it has none. 0 or the
 * transport's negative error. */
int proto_transact(const proto_transport *t, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps);

/* Sets a str field (data[max + 1], len) from a C string: PROTO_OK, or
 * PROTO_ERR_TOO_LONG when s is longer than max, which leaves the field
 * empty. Callers must check it (PROTO_MUST_CHECK; gcc warns even through a
 * (void) cast): ignored, a string that does not fit would go out empty. */
PROTO_MUST_CHECK proto_err proto_str_set(char *data, uint16_t *len, size_t max, const char *s);
#define PROTO_STR_SET(field, s) \
    proto_str_set((field).data, &(field).len, sizeof((field).data) - 1, (s))
/* A str field's initializer from a string literal (only a literal
 * compiles), for a request struct written with designated initializers:
 * .name = PROTO_STR_LIT("timer"). A literal over the field's bound never
 * goes out cut: the encoder refuses its length (PROTO_ERR_TOO_LONG), and
 * the compiler warns when it does not fit the array.
 */
#define PROTO_STR_LIT(s) { sizeof("" s) - 1, "" s }

/* 16 bytes as one value (a vector register where the target has them, two
 * words where it does not). */
typedef uint64_t proto_block __attribute__((vector_size(16)));

/* A byte's high bit in each byte of a word: ASCII has none. */
#define PROTO_HIGH_BITS 0x8080808080808080ull

/* Cursors the generated codecs move along a buffer; they never step past
 * cap or len. caps (NULL: the message may carry none) collects or supplies
 * the capabilities; taken counts those the reader has claimed, in order.
 * seen and seen_word gather the bytes of every str the fast path copied
 * (OR-ed, as blocks of 16 and as words): a high bit set, the careful codec
 * checks them. */
typedef struct proto_writer { uint8_t *buf; size_t cap; size_t pos; proto_caps *caps; proto_block seen; uint64_t seen_word; } proto_writer;
typedef struct proto_reader { const uint8_t *buf; size_t len; size_t pos; const proto_caps *caps; uint32_t taken; proto_block seen; uint64_t seen_word; } proto_reader;

/* A cursor at the start of buf (cap bytes to write, len to read). */
static inline void proto_writer_init(proto_writer *w, uint8_t *buf, size_t cap, proto_caps *caps)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->caps = caps;
    w->seen[0] = w->seen[1] = w->seen_word = 0;
}

static inline void proto_reader_init(proto_reader *r, const uint8_t *buf, size_t len, const proto_caps *caps)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->caps = caps;
    r->taken = 0;
    r->seen[0] = r->seen[1] = r->seen_word = 0;
}

/* Whether the bytes gathered in a cursor's seen (blocks of 16, and words)
 * are all ASCII. */
static inline bool proto_seen_ascii(proto_block seen, uint64_t word)
{
    return ((seen[0] | seen[1] | word) & PROTO_HIGH_BITS) == 0;
}

#define PROTO_TRY(call) \
    do { proto_err proto_try_ = (call); if (proto_try_ != PROTO_OK) return proto_try_; } while (0)

/* Fast paths. Optimising for speed, a codec's encode and decode first run
 * a copy of its code made for the common case, a message that is right and
 * whose strings are ASCII (its T_write_ and T_read_ with fast true): no
 * call anywhere in it for fields up to 64 bytes (str and bytes copied
 * inline, the nested types of its file inline), so it saves no register
 * and spills nothing, and the bytes of every str are OR-ed into the
 * cursor's seen instead of each being checked. Unless it ends well (no
 * error, no byte past 0x7f seen, every rule of the whole message kept),
 * the careful codec (fast false: the one T_write and T_read are, and the
 * only one when optimising for size) starts over and gives the answer: so
 * every error, and every check of a str's UTF-8, is the careful codec's.
 * The fast encoder may write zeros past the message into its buffer (never
 * past cap). Only on x86-64 and aarch64, where unaligned loads and 16-byte
 * vectors are cheap (a RISC-V core without them would copy inline byte by
 * byte). Define PROTO_FAST_PATHS 0 to build the careful codec only. */
#ifndef PROTO_FAST_PATHS
#if defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && (defined(__x86_64__) || defined(__aarch64__))
#define PROTO_FAST_PATHS 1
#else
#define PROTO_FAST_PATHS 0
#endif
#endif

/* With fast paths, a codec's T_write_ / T_read_ and the helpers they call
 * are inlined wherever they are used (without, the compiler chooses, as
 * for size), and the careful encode and decode stay out of line: the fast
 * one reaches them by a jump (a tail call) and stays free of calls, and
 * encode and encode_caps (decode and decode_caps) share them. */
#if PROTO_FAST_PATHS
#define PROTO_ALWAYS_INLINE inline __attribute__((always_inline))
#define PROTO_CAREFUL __attribute__((noinline))
#elif defined(__GNUC__) || defined(__clang__)
#define PROTO_ALWAYS_INLINE inline
#define PROTO_CAREFUL __attribute__((noinline))
#else
#define PROTO_ALWAYS_INLINE inline
#define PROTO_CAREFUL
#endif

/* Integers are little-endian on the wire: a little-endian machine copies
 * them whole, others shift. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PROTO_LITTLE_ENDIAN 1
#else
#define PROTO_LITTLE_ENDIAN 0
#endif

/* The low n bytes of v at p, little-endian, and back (n a constant: each
 * call compiles to one load or store on a little-endian machine). */
static inline void proto_store_le(uint8_t *p, uint64_t v, size_t n)
{
#if PROTO_LITTLE_ENDIAN
    __builtin_memcpy(p, &v, n);
#else
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static inline uint64_t proto_load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
#if PROTO_LITTLE_ENDIAN
    __builtin_memcpy(&v, p, n);
#else
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
#endif
    return v;
}

/* Room for n more bytes: a run of fixed-size fields (integers, floats,
 * arrays of them), whose only error is running out, is checked once, then
 * written or read with the _raw calls. */
static inline proto_err proto_need(const proto_writer *w, size_t n)
{
    return w->cap - w->pos < n ? PROTO_ERR_OUTPUT_TOO_SMALL : PROTO_OK;
}

static inline proto_err proto_have(const proto_reader *r, size_t n)
{
    return r->len - r->pos < n ? PROTO_ERR_SHORT_BUFFER : PROTO_OK;
}

/* Integers, unchecked (after proto_need or proto_have). The cursor's
 * buffer is read into a pointer before the store: a byte store through
 * w->buf could alias *w, which would make the compiler reload it. */
static inline void proto_put_u8_raw(proto_writer *w, uint8_t v) { uint8_t *p = w->buf + w->pos; p[0] = v; w->pos += 1; }
static inline void proto_put_u16_raw(proto_writer *w, uint16_t v) { proto_store_le(w->buf + w->pos, v, 2); w->pos += 2; }
static inline void proto_put_u32_raw(proto_writer *w, uint32_t v) { proto_store_le(w->buf + w->pos, v, 4); w->pos += 4; }
static inline void proto_put_u64_raw(proto_writer *w, uint64_t v) { proto_store_le(w->buf + w->pos, v, 8); w->pos += 8; }

static inline uint8_t proto_get_u8_raw(proto_reader *r) { uint8_t v = r->buf[r->pos]; r->pos += 1; return v; }
static inline uint16_t proto_get_u16_raw(proto_reader *r) { uint16_t v = (uint16_t)proto_load_le(r->buf + r->pos, 2); r->pos += 2; return v; }
static inline uint32_t proto_get_u32_raw(proto_reader *r) { uint32_t v = (uint32_t)proto_load_le(r->buf + r->pos, 4); r->pos += 4; return v; }
static inline uint64_t proto_get_u64_raw(proto_reader *r) { uint64_t v = proto_load_le(r->buf + r->pos, 8); r->pos += 8; return v; }

/* Integers, checked: PROTO_ERR_OUTPUT_TOO_SMALL or PROTO_ERR_SHORT_BUFFER
 * when they do not fit. */
static inline proto_err proto_put_u8(proto_writer *w, uint8_t v) { PROTO_TRY(proto_need(w, 1)); proto_put_u8_raw(w, v); return PROTO_OK; }
static inline proto_err proto_put_u16(proto_writer *w, uint16_t v) { PROTO_TRY(proto_need(w, 2)); proto_put_u16_raw(w, v); return PROTO_OK; }
static inline proto_err proto_put_u32(proto_writer *w, uint32_t v) { PROTO_TRY(proto_need(w, 4)); proto_put_u32_raw(w, v); return PROTO_OK; }
static inline proto_err proto_put_u64(proto_writer *w, uint64_t v) { PROTO_TRY(proto_need(w, 8)); proto_put_u64_raw(w, v); return PROTO_OK; }

static inline proto_err proto_get_u8(proto_reader *r, uint8_t *v) { PROTO_TRY(proto_have(r, 1)); *v = proto_get_u8_raw(r); return PROTO_OK; }
static inline proto_err proto_get_u16(proto_reader *r, uint16_t *v) { PROTO_TRY(proto_have(r, 2)); *v = proto_get_u16_raw(r); return PROTO_OK; }
static inline proto_err proto_get_u32(proto_reader *r, uint32_t *v) { PROTO_TRY(proto_have(r, 4)); *v = proto_get_u32_raw(r); return PROTO_OK; }
static inline proto_err proto_get_u64(proto_reader *r, uint64_t *v) { PROTO_TRY(proto_have(r, 8)); *v = proto_get_u64_raw(r); return PROTO_OK; }

/* Whether n bytes are valid UTF-8: no overlong form, no surrogate
 * (U+D800..DFFF), nothing past U+10FFFF, no truncated sequence, no stray
 * continuation byte. Every str is checked on encode and decode
 * (PROTO_ERR_BAD_UTF8). */
bool proto_utf8_valid(const void *s, size_t n);

/* Copies n bytes from src to dst (which do not overlap) and says whether
 * they are valid UTF-8, in one pass: words are copied whole and OR-ed
 * together, so ASCII costs no branch per byte; only a string with a byte
 * past 0x7f is checked again, by proto_utf8_valid. */
bool proto_utf8_copy(void *dst, const void *src, size_t n);

/* Copies n < 16 bytes as pieces of 8, 4, 2 and 1 bytes that never overlap,
 * and returns them OR-ed. A decoder that reads a message right after it was
 * encoded then loads exactly what was stored: a load over two stores (as
 * memcpy's overlapping words make) waits for them to reach the cache. */
static PROTO_ALWAYS_INLINE uint64_t proto_copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
    uint64_t seen = 0;
    if (n & 8) {
        uint64_t v;
        __builtin_memcpy(&v, s, 8);
        __builtin_memcpy(d, &v, 8);
        seen |= v;
        s += 8;
        d += 8;
    }
    if (n & 4) {
        uint32_t v;
        __builtin_memcpy(&v, s, 4);
        __builtin_memcpy(d, &v, 4);
        seen |= v;
        s += 4;
        d += 4;
    }
    if (n & 2) {
        uint16_t v;
        __builtin_memcpy(&v, s, 2);
        __builtin_memcpy(d, &v, 2);
        seen |= v;
        s += 2;
        d += 2;
    }
    if (n & 1) seen |= *d = *s;
    return seen;
}

/* Copies 16 bytes; returns them. */
static PROTO_ALWAYS_INLINE proto_block proto_copy16(uint8_t *d, const uint8_t *s)
{
    proto_block v;
    __builtin_memcpy(&v, s, 16);
    __builtin_memcpy(d, &v, 16);
    return v;
}

/* proto_utf8_copy with a string under 16 bytes, the common case, inline (a
 * call costs as much as the copy); not when optimising for size. */
static inline bool proto_utf8_copy_inline(void *dst, const void *src, size_t n)
{
#ifndef __OPTIMIZE_SIZE__
    if (n < 16) return (proto_copy_short((uint8_t *)dst, (const uint8_t *)src, n) & PROTO_HIGH_BITS) == 0 || proto_utf8_valid(dst, n);
#endif
    return proto_utf8_copy(dst, src, n);
}

/* memcpy, out of line: inlined with the bound the compiler knows from a
 * bytes field's max, gcc would copy with `rep movsq`, slower than the C
 * library's memcpy below some hundred bytes. */
void proto_copy(void *dst, const void *src, size_t n);

/* Copies n bytes (the buffers apart) and returns them OR-ed into a word;
 * proto_utf8_copy's pass, and the fast paths' copy of a long field. On
 * x86-64 Linux it runs with AVX2 where the machine has it. */
uint64_t proto_copy_or(void *dst, const void *src, size_t n);

#if PROTO_FAST_PATHS
/* The masks of proto_copy_blocks: the one for the first v bytes of a block
 * of 16 is the 16 bytes at 16 - v. */
static const uint8_t proto_tail_mask_[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Copies n bytes (n at most 64, 0 included) as whole blocks of 16 up to
 * last + 16, where last is n - 1 rounded down to 16 (both sides have room
 * for that): the bytes past n are written as zeros, so a decoder never
 * takes the bytes after a string for it, an encoder never writes stale
 * ones. Adds the bytes to *seen. */
static PROTO_ALWAYS_INLINE void proto_copy_blocks(uint8_t *d, const uint8_t *s, size_t n, size_t last, proto_block *seen)
{
    proto_block v, mask;
    for (size_t i = 0; i < last; i += 16) *seen |= proto_copy16(d + i, s + i);
    __builtin_memcpy(&mask, proto_tail_mask_ + ((last + 16 - n) & 15), 16); /* & 15: for the compiler */
    __builtin_memcpy(&v, s + last, 16);
    v &= mask;
    __builtin_memcpy(d + last, &v, 16);
    *seen |= v;
}

/* The fast decoder's copy of n bytes, added to *seen (blocks) or *word:
 * exactly (no byte past the string read or written), so that its loads are
 * those of the encoder's stores (a load over two stores would wait for
 * them to reach the cache). Up to 64 bytes inline, so that a field whose
 * bound is at most 64 makes no call; longer ones out of line. */
static PROTO_ALWAYS_INLINE void proto_copy_in(uint8_t *d, const uint8_t *s, size_t n, proto_block *seen, uint64_t *word)
{
    if (n <= 64) {
        size_t whole = n & ~(size_t)15;
        if (__builtin_expect(whole != 0, 0)) {
            for (size_t i = 0; i < whole; i += 16) *seen |= proto_copy16(d + i, s + i);
        }
        *word |= proto_copy_short(d + whole, s + whole, n & 15);
    } else {
        *word |= proto_copy_or(d, s, n);
    }
}

/* The fast encoder's copy of n bytes from the field's array (s_cap bytes)
 * to its buffer (d_room bytes writable), added to *seen
 * (blocks) or *word: as whole blocks when both sides have room for them,
 * exactly past 64 bytes (out of line); else false (the careful encoder
 * copies it: a field's array shorter than 16 bytes, the end of a buffer). */
static PROTO_ALWAYS_INLINE bool proto_copy_out(uint8_t *d, size_t d_room, const uint8_t *s, size_t s_cap, size_t n,
    proto_block *seen, uint64_t *word)
{
    size_t last = (n - 1) & ~(size_t)15; /* where the last block starts, for n over 16 */
    if (__builtin_expect(n <= 16 && 16 <= d_room && 16 <= s_cap, 1)) {
        proto_copy_blocks(d, s, n, 0, seen); /* one block, the common case, on its own */
    } else if (n > 16 && n <= 64 && last + 16 <= d_room && last + 16 <= s_cap) {
        proto_copy_blocks(d, s, n, last, seen);
    } else if (n > 64 && n <= d_room) {
        *word |= proto_copy_or(d, s, n);
    } else {
        return false;
    }
    return true;
}
#endif

/* A bytes field's contents (its length prefix is written or read before).
 * src_cap: the size of the field's array, which the fast path may read
 * whole blocks of. */
static PROTO_ALWAYS_INLINE proto_err proto_put_bytes(proto_writer *w, const void *src, size_t n, size_t src_cap, bool fast)
{
    (void)fast, (void)src_cap;
#if PROTO_FAST_PATHS
    proto_block seen = { 0, 0 };
    uint64_t word = 0;
    if (fast) {
        if (!proto_copy_out(w->buf + w->pos, w->cap - w->pos, (const uint8_t *)src, src_cap, n, &seen, &word))
            return PROTO_ERR_OUTPUT_TOO_SMALL;
        w->pos += n;
        return PROTO_OK;
    }
#endif
    if (w->cap - w->pos < n) return PROTO_ERR_OUTPUT_TOO_SMALL;
    proto_copy(w->buf + w->pos, src, n);
    w->pos += n;
    return PROTO_OK;
}

static PROTO_ALWAYS_INLINE proto_err proto_get_bytes(proto_reader *r, void *dst, size_t n, bool fast)
{
    (void)fast;
    if (r->len - r->pos < n) return PROTO_ERR_SHORT_BUFFER;
#if PROTO_FAST_PATHS
    proto_block seen = { 0, 0 };
    uint64_t word = 0;
    if (fast) proto_copy_in((uint8_t *)dst, r->buf + r->pos, n, &seen, &word);
    else
#endif
    proto_copy(dst, r->buf + r->pos, n);
    r->pos += n;
    return PROTO_OK;
}

/* A str field: its u16 length n, then its bytes, copied and checked in one
 * pass (PROTO_ERR_BAD_UTF8 comes before PROTO_ERR_OUTPUT_TOO_SMALL, as when
 * the check came first). src_cap: as for proto_put_bytes. The fast path
 * adds the bytes to the cursor's seen, unchecked, and leaves every error to
 * the careful codec. */
static PROTO_ALWAYS_INLINE proto_err proto_put_str(proto_writer *w, const char *src, uint16_t n, size_t src_cap, bool fast)
{
    (void)fast, (void)src_cap;
    uint8_t *p = w->buf + w->pos;
    size_t room = w->cap - w->pos;
#if PROTO_FAST_PATHS
    if (fast) {
        if (room < 2 || !proto_copy_out(p + 2, room - 2, (const uint8_t *)src, src_cap, n, &w->seen, &w->seen_word))
            return PROTO_ERR_OUTPUT_TOO_SMALL;
        proto_store_le(p, n, 2);
        w->pos += 2 + (size_t)n;
        return PROTO_OK;
    }
#endif
    if (room < 2 + (size_t)n) return proto_utf8_valid(src, n) ? PROTO_ERR_OUTPUT_TOO_SMALL : PROTO_ERR_BAD_UTF8;
    if (!proto_utf8_copy_inline(p + 2, src, n)) return PROTO_ERR_BAD_UTF8;
    proto_store_le(p, n, 2);
    w->pos += 2 + (size_t)n;
    return PROTO_OK;
}

/* Reads a str's n bytes (its length prefix checked by proto_get_len) into
 * data[n + 1], NUL-terminated. The fast path adds them to the cursor's
 * seen, unchecked. */
static PROTO_ALWAYS_INLINE proto_err proto_get_str(proto_reader *r, char *data, size_t n, bool fast)
{
    bool ok = true;
    (void)fast;
#if PROTO_FAST_PATHS
    if (fast) proto_copy_in((uint8_t *)data, r->buf + r->pos, n, &r->seen, &r->seen_word);
    else
#endif
    ok = proto_utf8_copy_inline(data, r->buf + r->pos, n);
    data[n] = '\0';
    r->pos += n;
    return ok ? PROTO_OK : PROTO_ERR_BAD_UTF8;
}

/* A length prefix, checked against the bound before anything is read. */
static inline proto_err proto_get_len(proto_reader *r, uint16_t max, uint16_t *len)
{
    PROTO_TRY(proto_get_u16(r, len));
    if (*len > max) return PROTO_ERR_TOO_LONG;
    if (r->len - r->pos < *len) return PROTO_ERR_SHORT_BUFFER;
    return PROTO_OK;
}

/* A length prefix in a struct or variant with a budget: counted into
 * *spent, which must stay within budget, before its bytes are looked for. */
static inline proto_err proto_get_len_budget(proto_reader *r, uint16_t max, uint16_t *len, uint32_t *spent, uint32_t budget)
{
    PROTO_TRY(proto_get_u16(r, len));
    if (*len > max) return PROTO_ERR_TOO_LONG;
    *spent += *len;
    if (*spent > budget) return PROTO_ERR_OVER_BUDGET;
    if (r->len - r->pos < *len) return PROTO_ERR_SHORT_BUFFER;
    return PROTO_OK;
}

static inline proto_err proto_get_bool(proto_reader *r, bool *v)
{
    uint8_t b;
    PROTO_TRY(proto_get_u8(r, &b));
    if (b > 1) return PROTO_ERR_BAD_BOOL;
    *v = b == 1;
    return PROTO_OK;
}

/* An opt field's presence byte: 0 (absent) or 1 (its value follows). */
static inline proto_err proto_get_opt(proto_reader *r, bool *v)
{
    uint8_t b;
    PROTO_TRY(proto_get_u8(r, &b));
    if (b > 1) return PROTO_ERR_BAD_OPT;
    *v = b == 1;
    return PROTO_OK;
}

/* What depends on the limits of the schema set the codecs were generated
 * from: proto_limits.h, written by the generator beside them. The runtime's
 * own files (the .c files beside this one) define PROTO_RUNTIME_ONLY: the library they
 * make holds nothing that depends on a schema. */
#ifndef PROTO_RUNTIME_ONLY
#include "proto_limits.h"

struct proto_caps { uint32_t n; uint32_t h[PROTO_MAX_CAPS > 0 ? PROTO_MAX_CAPS : 1]; };

/* Whether position i is within PROTO_MAX_CAPS, written so that no compiler
 * warns of a comparison always false when PROTO_MAX_CAPS is 0 (a schema set
 * whose messages carry none). */
#define PROTO_CAP_FITS(i) ((uint64_t)(i) + 1 <= PROTO_MAX_CAPS)

/* Closes every cap in caps through t (a message that did not decode, or one
 * its receiver does not take). */
static inline void proto_caps_close(const proto_transport *t, const proto_caps *caps)
{
    if (t->close == NULL || caps == NULL) return;
    for (uint32_t i = 0; i < caps->n && PROTO_CAP_FITS(i); i++) t->close(t->ctx, caps->h[i]);
}

/* Appends a capability; with index, also writes its position as a u8 (a
 * chan field). */
static inline proto_err proto_put_cap(proto_writer *w, uint32_t handle, bool index)
{
    if (w->caps == NULL || !PROTO_CAP_FITS(w->caps->n)) return PROTO_ERR_BAD_CAP;
    if (index) PROTO_TRY(proto_put_u8(w, (uint8_t)w->caps->n));
    w->caps->h[w->caps->n++] = handle;
    return PROTO_OK;
}

/* Takes capability i (a declared cap by position, or a chan field's index).
 * Caps are taken in wire order, so i must be the next one (the encoding is
 * canonical: no index out of range, repeated or out of order) and present. */
static inline proto_err proto_take_cap(proto_reader *r, uint32_t i, uint32_t *handle)
{
    if (r->caps == NULL || i != r->taken || i >= r->caps->n || !PROTO_CAP_FITS(i)) return PROTO_ERR_BAD_CAP;
    r->taken++;
    *handle = r->caps->h[i];
    return PROTO_OK;
}

/* A chan field: a u8 index into the message's capabilities. */
static inline proto_err proto_get_chan(proto_reader *r, uint32_t *handle)
{
    uint8_t i;
    PROTO_TRY(proto_get_u8(r, &i));
    return proto_take_cap(r, i, handle);
}

/* After a whole message: every capability received was claimed by it. */
static inline proto_err proto_caps_all_taken(const proto_reader *r)
{
    return r->taken == (r->caps ? r->caps->n : 0) ? PROTO_OK : PROTO_ERR_BAD_CAP;
}
#endif

#ifdef __cplusplus
}
#endif
#endif
