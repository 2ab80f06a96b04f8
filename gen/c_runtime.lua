-- The codec runtime every protocol shares: generated/proto.h and proto.c.
-- Freestanding C11: the kernel, guest apps and host tests build the same files.

local emit = require("emit")

local M = {}

M.VERSION = 1

-- Error codes: name, value, what it means. The order is the ABI.
M.ERRORS = {
  { "PROTO_OK", "no error" },
  { "PROTO_ERR_SHORT_BUFFER", "input ended inside the message" },
  { "PROTO_ERR_UNKNOWN_TAG", "unknown union tag" },
  { "PROTO_ERR_TOO_LONG", "string or bytes longer than the schema bound" },
  { "PROTO_ERR_BAD_BOOL", "bool byte other than 0 or 1" },
  { "PROTO_ERR_TRAILING_BYTES", "bytes left after the message" },
  { "PROTO_ERR_OUTPUT_TOO_SMALL", "output buffer too small" },
  { "PROTO_ERR_BAD_ENUM", "undefined enum value" },
  { "PROTO_ERR_UNEXPECTED_REPLY", "reply is not the one the call expects" },
  { "PROTO_ERR_BAD_CAP", "capability missing, extra, repeated or out of range" },
  { "PROTO_ERR_BAD_OPT", "opt presence byte other than 0 or 1" },
  { "PROTO_ERR_BAD_UTF8", "str that is not valid UTF-8" },
  { "PROTO_ERR_OVER_BUDGET", "str and bytes fields over the budget they share" },
}

local SIZES = { 8, 16, 32, 64 }

-- The value of the const with limit = role, or dflt.
local function limit(model, role, dflt)
  local c = model.limits[role]
  return c and c.value or dflt
end

local function header()
  local e = emit.new()
  emit.c_header_open(e, "every schema (shared runtime)", "gen/c_runtime.lua", "proto.h")
  e:line("#include <stdbool.h>")
  e:line("#include <stddef.h>")
  e:line("#include <stdint.h>")
  e:blank()
  e:comment("Generated headers check this and stop with #error when they were made by another generator version.")
  e:line("#define PROTO_GEN_VERSION %d", M.VERSION)
  e:blank()
  emit.c_static_assert_shim(e)
  e:blank()
  e:comment("Marks a function whose status the caller must check (the codecs, proto_str_set, the client stubs). Under gcc a (void) cast does not silence it: test the result.")
  e:line("#if defined(__GNUC__) || defined(__clang__)")
  e:line("#define PROTO_MUST_CHECK __attribute__((warn_unused_result))")
  e:line("#else")
  e:line("#define PROTO_MUST_CHECK")
  e:line("#endif")
  e:blank()
  e:comment("What a codec call reports. Encode and decode return the first error they meet; transports report their own errors as negative numbers.")
  e:block("typedef enum proto_err", function()
    for i, err in ipairs(M.ERRORS) do e:line("%s = %d, /* %s */", err[1], i - 1, err[2]) end
  end, " proto_err;")
  e:comment("How many proto_err codes there are (new ones are added at the end).")
  e:line("#define PROTO_ERR_COUNT %d", #M.ERRORS)
  e:blank()
  e:comment("Names an error: a proto_err, or a transport's negative code.")
  e:line("const char *proto_strerror(int err);")
  e:blank()
  e:comment("The capabilities (channel handles, as the transport names them) that travel beside a message's bytes, in wire order: a variant's declared caps first, then its chan fields. Defined below, with the limits.")
  e:line("typedef struct proto_caps proto_caps;")
  e:blank()
  e:comment("How client stubs move whole messages. send queues one message with its caps (NULL: none); recv blocks for one, stores its length and its caps. Both return 0 or a negative transport error. close gives back a received cap nobody claimed (NULL when the transport has nothing to close). call (NULL when the transport has none) sends one message and waits for the next on the same channel in one step, as send then recv would: the kernel's call syscall.")
  e:block("typedef struct proto_transport", function()
    e:line("void *ctx;")
    e:line("int (*send)(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps);")
    e:line("int (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);")
    e:line("void (*close)(void *ctx, uint32_t cap);")
    e:line("int (*call)(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps);")
  end, " proto_transport;")
  e:blank()
  e:comment("What an rpc's stub does: sends msg with its caps and receives the reply into buf (cap bytes), its length in *rlen and its caps in rcaps, through t's call, or its send then its recv when it has none. 0 or the transport's negative error.")
  e:line("int proto_transact(const proto_transport *t, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps);")
  e:blank()
  e:comment("Sets a str field (data[max + 1], len) from a C string: PROTO_OK, or PROTO_ERR_TOO_LONG when s is longer than max, which leaves the field empty. Callers must check it (PROTO_MUST_CHECK; gcc warns even through a (void) cast): ignored, a string that does not fit would go out empty.")
  e:line("PROTO_MUST_CHECK proto_err proto_str_set(char *data, uint16_t *len, size_t max, const char *s);")
  e:line("#define PROTO_STR_SET(field, s) \\")
  e:line("    proto_str_set((field).data, &(field).len, sizeof((field).data) - 1, (s))")
  e:comment("A str field's initializer from a string literal (only a literal compiles), for a request struct written with designated initializers: .name = PROTO_STR_LIT(\"timer\"). A literal over the field's bound never goes out cut: the encoder refuses its length (PROTO_ERR_TOO_LONG), and the compiler warns when it does not fit the array.")
  e:line("#define PROTO_STR_LIT(s) { sizeof(\"\" s) - 1, \"\" s }")
  e:blank()
  e:comment("Cursors the generated codecs move along a buffer; they never step past cap or len. caps (NULL: the message may carry none) collects or supplies the capabilities; taken counts those the reader has claimed, in order.")
  e:line("typedef struct proto_writer { uint8_t *buf; size_t cap; size_t pos; proto_caps *caps; } proto_writer;")
  e:line("typedef struct proto_reader { const uint8_t *buf; size_t len; size_t pos; const proto_caps *caps; uint32_t taken; } proto_reader;")
  e:blank()
  e:line("#define PROTO_TRY(call) \\")
  e:line("    do { proto_err proto_try_ = (call); if (proto_try_ != PROTO_OK) return proto_try_; } while (0)")
  e:blank()
  e:comment("Integers are little-endian on the wire: a little-endian machine copies them whole, others shift.")
  e:line("#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__")
  e:line("#define PROTO_LITTLE_ENDIAN 1")
  e:line("#else")
  e:line("#define PROTO_LITTLE_ENDIAN 0")
  e:line("#endif")
  e:blank()
  -- The cursor's buffer is read into a local pointer first: a byte store
  -- through w->buf could alias *w, which would make the compiler reload it.
  e:comment("Room for n more bytes: a run of fixed-size fields (integers, floats, arrays of them), whose only error is running out, is checked once, then written or read with the _raw calls.")
  e:func("static inline proto_err proto_need(const proto_writer *w, size_t n)", function()
    e:line("return w->cap - w->pos < n ? PROTO_ERR_OUTPUT_TOO_SMALL : PROTO_OK;")
  end)
  e:blank()
  e:func("static inline proto_err proto_have(const proto_reader *r, size_t n)", function()
    e:line("return r->len - r->pos < n ? PROTO_ERR_SHORT_BUFFER : PROTO_OK;")
  end)
  e:blank()
  for _, bits in ipairs(SIZES) do
    local n = bits // 8
    e:func(string.format("static inline void proto_put_u%d_raw(proto_writer *w, uint%d_t v)", bits, bits), function()
      e:line("uint8_t *p = w->buf + w->pos;")
      if n == 1 then
        e:line("p[0] = v;")
      else
        e:line("#if PROTO_LITTLE_ENDIAN")
        e:line("__builtin_memcpy(p, &v, %d);", n)
        e:line("#else")
        for i = 0, n - 1 do e:line("p[%d] = (uint8_t)(v >> %d);", i, i * 8) end
        e:line("#endif")
      end
      e:line("w->pos += %d;", n)
    end)
    e:blank()
    e:func(string.format("static inline uint%d_t proto_get_u%d_raw(proto_reader *r)", bits, bits), function()
      e:line("const uint8_t *p = r->buf + r->pos;")
      e:line("uint%d_t v;", bits)
      if n == 1 then
        e:line("v = p[0];")
      else
        e:line("#if PROTO_LITTLE_ENDIAN")
        e:line("__builtin_memcpy(&v, p, %d);", n)
        e:line("#else")
        local parts = {}
        for i = 0, n - 1 do parts[#parts + 1] = string.format("(uint%d_t)p[%d] << %d", bits, i, i * 8) end
        e:line("v = %s;", table.concat(parts, " | "))
        e:line("#endif")
      end
      e:line("r->pos += %d;", n)
      e:line("return v;")
    end)
    e:blank()
    e:func(string.format("static inline proto_err proto_put_u%d(proto_writer *w, uint%d_t v)", bits, bits), function()
      e:line("PROTO_TRY(proto_need(w, %d));", n)
      e:line("proto_put_u%d_raw(w, v);", bits)
      e:line("return PROTO_OK;")
    end)
    e:blank()
    e:func(string.format("static inline proto_err proto_get_u%d(proto_reader *r, uint%d_t *v)", bits, bits), function()
      e:line("PROTO_TRY(proto_have(r, %d));", n)
      e:line("*v = proto_get_u%d_raw(r);", bits)
      e:line("return PROTO_OK;")
    end)
    e:blank()
  end
  e:comment("A byte's high bit in each byte of a word: ASCII has none.")
  e:line("#define PROTO_HIGH_BITS 0x8080808080808080ull")
  e:comment("Whether n bytes are valid UTF-8: no overlong form, no surrogate (U+D800..DFFF), nothing past U+10FFFF, no truncated sequence, no stray continuation byte. Every str is checked on encode and decode (PROTO_ERR_BAD_UTF8).")
  e:line("bool proto_utf8_valid(const void *s, size_t n);")
  e:comment("Copies n bytes from src to dst (which do not overlap) and says whether they are valid UTF-8, in one pass: words are copied whole and OR-ed together, so ASCII costs no branch per byte; only a string with a byte past 0x7f is checked again, by proto_utf8_valid.")
  e:line("bool proto_utf8_copy(void *dst, const void *src, size_t n);")
  e:blank()
  e:comment("Copies n < 16 bytes as pieces of 8, 4, 2 and 1 bytes that never overlap, and returns them OR-ed. A decoder that reads a message right after it was encoded then loads exactly what was stored: a load over two stores (as memcpy's overlapping words make) waits for them to reach the cache.")
  e:func("static inline uint64_t proto_copy_short(uint8_t *d, const uint8_t *s, size_t n)", function()
    e:line("uint64_t seen = 0;")
    for _, k in ipairs({ 8, 4, 2 }) do
      e:block(string.format("if (n & %d)", k), function()
        e:line("uint%d_t v;", k * 8)
        e:line("__builtin_memcpy(&v, s, %d);", k)
        e:line("__builtin_memcpy(d, &v, %d);", k)
        e:line("seen |= v;")
        e:line("s += %d;", k)
        e:line("d += %d;", k)
      end)
    end
    e:line("if (n & 1) seen |= *d = *s;")
    e:line("return seen;")
  end)
  e:blank()
  e:comment("proto_utf8_copy with a string under 16 bytes, the common case, inline (a call costs as much as the copy); not when optimising for size.")
  e:func("static inline bool proto_utf8_copy_inline(void *dst, const void *src, size_t n)", function()
    e:line("#ifndef __OPTIMIZE_SIZE__")
    e:line("if (n < 16) return (proto_copy_short((uint8_t *)dst, (const uint8_t *)src, n) & PROTO_HIGH_BITS) == 0 || proto_utf8_valid(dst, n);")
    e:line("#endif")
    e:line("return proto_utf8_copy(dst, src, n);")
  end)
  e:blank()
  e:comment("memcpy, out of line: inlined with the bound the compiler knows from a bytes field's max, gcc would copy with `rep movsq`, slower than the C library's memcpy below some hundred bytes.")
  e:line("void proto_copy(void *dst, const void *src, size_t n);")
  e:blank()
  e:comment("A bytes field's contents (its length prefix is written or read before).")
  e:func("static inline proto_err proto_put_bytes(proto_writer *w, const void *src, size_t n)", function()
    e:line("if (w->cap - w->pos < n) return PROTO_ERR_OUTPUT_TOO_SMALL;")
    e:line("proto_copy(w->buf + w->pos, src, n);")
    e:line("w->pos += n;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:func("static inline proto_err proto_get_bytes(proto_reader *r, void *dst, size_t n)", function()
    e:line("if (r->len - r->pos < n) return PROTO_ERR_SHORT_BUFFER;")
    e:line("proto_copy(dst, r->buf + r->pos, n);")
    e:line("r->pos += n;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("A str field: its u16 length n, then its bytes, copied and checked in one pass (PROTO_ERR_BAD_UTF8 comes before PROTO_ERR_OUTPUT_TOO_SMALL, as when the check came first).")
  e:func("static inline proto_err proto_put_str(proto_writer *w, const char *src, uint16_t n)", function()
    e:line("if (w->cap - w->pos < 2 + (size_t)n) return proto_utf8_valid(src, n) ? PROTO_ERR_OUTPUT_TOO_SMALL : PROTO_ERR_BAD_UTF8;")
    e:line("if (!proto_utf8_copy_inline(w->buf + w->pos + 2, src, n)) return PROTO_ERR_BAD_UTF8;")
    e:line("PROTO_TRY(proto_put_u16(w, n));")
    e:line("w->pos += n;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("Reads a str's n bytes (its length prefix checked by proto_get_len) into data[n + 1], NUL-terminated.")
  e:func("static inline proto_err proto_get_str(proto_reader *r, char *data, size_t n)", function()
    e:line("bool ok = proto_utf8_copy_inline(data, r->buf + r->pos, n);")
    e:line("data[n] = '\\0';")
    e:line("r->pos += n;")
    e:line("return ok ? PROTO_OK : PROTO_ERR_BAD_UTF8;")
  end)
  e:blank()
  e:comment("A length prefix, checked against the bound before anything is read.")
  e:func("static inline proto_err proto_get_len(proto_reader *r, uint16_t max, uint16_t *len)", function()
    e:line("PROTO_TRY(proto_get_u16(r, len));")
    e:line("if (*len > max) return PROTO_ERR_TOO_LONG;")
    e:line("if (r->len - r->pos < *len) return PROTO_ERR_SHORT_BUFFER;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("A length prefix in a struct or variant with a budget: counted into *spent, which must stay within budget, before its bytes are looked for.")
  e:func("static inline proto_err proto_get_len_budget(proto_reader *r, uint16_t max, uint16_t *len, uint32_t *spent, uint32_t budget)", function()
    e:line("PROTO_TRY(proto_get_u16(r, len));")
    e:line("if (*len > max) return PROTO_ERR_TOO_LONG;")
    e:line("*spent += *len;")
    e:line("if (*spent > budget) return PROTO_ERR_OVER_BUDGET;")
    e:line("if (r->len - r->pos < *len) return PROTO_ERR_SHORT_BUFFER;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:func("static inline proto_err proto_get_bool(proto_reader *r, bool *v)", function()
    e:line("uint8_t b;")
    e:line("PROTO_TRY(proto_get_u8(r, &b));")
    e:line("if (b > 1) return PROTO_ERR_BAD_BOOL;")
    e:line("*v = b == 1;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("An opt field's presence byte: 0 (absent) or 1 (its value follows).")
  e:func("static inline proto_err proto_get_opt(proto_reader *r, bool *v)", function()
    e:line("uint8_t b;")
    e:line("PROTO_TRY(proto_get_u8(r, &b));")
    e:line("if (b > 1) return PROTO_ERR_BAD_OPT;")
    e:line("*v = b == 1;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  -- What depends on the schema set's limits: compiled in the codecs' files,
  -- never in the runtime's own (proto.c, proto_format.c define
  -- PROTO_RUNTIME_ONLY), so one runtime library serves every schema set.
  e:comment("What depends on the limits of the schema set the codecs were generated from: proto_limits.h, written by the generator beside them. The runtime's own files (proto.c, proto_format.c) define PROTO_RUNTIME_ONLY: the library they make holds nothing that depends on a schema.")
  e:line("#ifndef PROTO_RUNTIME_ONLY")
  e:line("#include \"proto_limits.h\"")
  e:blank()
  e:line("struct proto_caps { uint32_t n; uint32_t h[PROTO_MAX_CAPS > 0 ? PROTO_MAX_CAPS : 1]; };")
  e:blank()
  e:comment("Whether position i is within PROTO_MAX_CAPS, written so that no compiler warns of a comparison always false when PROTO_MAX_CAPS is 0 (a schema set whose messages carry none).")
  e:line("#define PROTO_CAP_FITS(i) ((uint64_t)(i) + 1 <= PROTO_MAX_CAPS)")
  e:blank()
  e:comment("Closes every cap in caps through t (a message that did not decode, or one its receiver does not take).")
  e:func("static inline void proto_caps_close(const proto_transport *t, const proto_caps *caps)", function()
    e:line("if (t->close == NULL || caps == NULL) return;")
    e:line("for (uint32_t i = 0; i < caps->n && PROTO_CAP_FITS(i); i++) t->close(t->ctx, caps->h[i]);")
  end)
  e:blank()
  e:comment("Appends a capability; with index, also writes its position as a u8 (a chan field).")
  e:func("static inline proto_err proto_put_cap(proto_writer *w, uint32_t handle, bool index)", function()
    e:line("if (w->caps == NULL || !PROTO_CAP_FITS(w->caps->n)) return PROTO_ERR_BAD_CAP;")
    e:line("if (index) PROTO_TRY(proto_put_u8(w, (uint8_t)w->caps->n));")
    e:line("w->caps->h[w->caps->n++] = handle;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("Takes capability i (a declared cap by position, or a chan field's index). Caps are taken in wire order, so i must be the next one (the encoding is canonical: no index out of range, repeated or out of order) and present.")
  e:func("static inline proto_err proto_take_cap(proto_reader *r, uint32_t i, uint32_t *handle)", function()
    e:line("if (r->caps == NULL || i != r->taken || i >= r->caps->n || !PROTO_CAP_FITS(i)) return PROTO_ERR_BAD_CAP;")
    e:line("r->taken++;")
    e:line("*handle = r->caps->h[i];")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("A chan field: a u8 index into the message's capabilities.")
  e:func("static inline proto_err proto_get_chan(proto_reader *r, uint32_t *handle)", function()
    e:line("uint8_t i;")
    e:line("PROTO_TRY(proto_get_u8(r, &i));")
    e:line("return proto_take_cap(r, i, handle);")
  end)
  e:blank()
  e:comment("After a whole message: every capability received was claimed by it.")
  e:func("static inline proto_err proto_caps_all_taken(const proto_reader *r)", function()
    e:line("return r->taken == (r->caps ? r->caps->n : 0) ? PROTO_OK : PROTO_ERR_BAD_CAP;")
  end)
  e:line("#endif")
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

-- Prints C source text as it is written here.
local function verbatim(e, text)
  for line in text:gmatch("([^\n]*)\n") do e:line(line) end
end

-- The UTF-8 check and the one-pass copy of a str (proto_utf8_valid, proto_utf8_copy).
local UTF8_C = [[
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
]]

local function source()
  local e = emit.new()
  emit.c_source_open(e, "every schema (shared runtime)", "gen/c_runtime.lua", "proto.h", "PROTO_RUNTIME_ONLY")
  e:func("const char *proto_strerror(int err)", function()
    e:line("if (err < 0) return \"transport error\";")
    e:block("switch ((proto_err)err)", function()
      for _, err in ipairs(M.ERRORS) do e:line("case %s: return \"%s\";", err[1], err[2]) end
    end)
    e:line("return \"unknown error\";")
  end)
  e:blank()
  e:func("proto_err proto_str_set(char *data, uint16_t *len, size_t max, const char *s)", function()
    e:line("size_t n = 0;")
    e:line("while (n <= max && s[n] != '\\0') n++;")
    e:block("if (n > max)", function()
      e:line("data[0] = '\\0';")
      e:line("*len = 0;")
      e:line("return PROTO_ERR_TOO_LONG;")
    end)
    e:line("for (size_t i = 0; i < n; i++) data[i] = s[i];")
    e:line("data[n] = '\\0';")
    e:line("*len = (uint16_t)n;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  verbatim(e, UTF8_C)
  e:blank()
  e:func("int proto_transact(const proto_transport *t, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap, size_t *rlen, proto_caps *rcaps)", function()
    e:line("if (t->call != NULL) return t->call(t->ctx, msg, len, caps, buf, cap, rlen, rcaps);")
    e:line("int rc = t->send(t->ctx, msg, len, caps);")
    e:line("if (rc < 0) return rc;")
    e:line("return t->recv(t->ctx, buf, cap, rlen, rcaps);")
  end)
  return e:text()
end

-- The schema set's part of the runtime: its limits, which proto.h includes
-- (proto.c and proto_format.c do without).
local function limits(model)
  local e = emit.new()
  emit.c_header_open(e, "every schema (the limits of this schema set)", "gen/c_runtime.lua", "proto_limits.h")
  local bytes, caps = model.limits.message_bytes, model.limits.message_caps
  e:comment(string.format("The transport's limits (%s and %s, the consts with limit = \"message_bytes\" and \"message_caps\").",
    bytes and bytes.name or "none: 65535", caps and caps.name or "none: 0"))
  e:line("#define PROTO_MAX_MSG_SIZE %d", limit(model, "message_bytes", 65535))
  e:line("#define PROTO_MAX_CAPS %d", limit(model, "message_caps", 0))
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

-- proto_limits.h is of its own kind, "limits"; the other files are "runtime".
function M.generate(out, model)
  out("proto.h", header())
  out("proto.c", source())
  out("proto_limits.h", limits(model), "limits")
end

return M
