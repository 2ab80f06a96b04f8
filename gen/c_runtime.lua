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

local function header(model)
  local e = emit.new()
  emit.c_header_open(e, "every schema (shared runtime)", "gen/c_runtime.lua", "proto.h")
  e:line("#include <stdbool.h>")
  e:line("#include <stddef.h>")
  e:line("#include <stdint.h>")
  e:blank()
  e:comment("Generated headers check this and stop with #error when they were made by another generator version.")
  e:line("#define PROTO_GEN_VERSION %d", M.VERSION)
  e:blank()
  e:comment("Marks a function whose status the caller must check.")
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
  local bytes, caps = model.limits.message_bytes, model.limits.message_caps
  e:comment(string.format("The transport's limits (%s and %s, the consts with limit = \"message_bytes\" and \"message_caps\").",
    bytes and bytes.name or "none: 65535", caps and caps.name or "none: 0"))
  e:line("#define PROTO_MAX_MSG_SIZE %d", limit(model, "message_bytes", 65535))
  e:line("#define PROTO_MAX_CAPS %d", limit(model, "message_caps", 0))
  e:blank()
  e:comment("The capabilities (channel handles, as the transport names them) that travel beside a message's bytes, in wire order: a variant's declared caps first, then its chan fields.")
  e:line("typedef struct proto_caps { uint32_t n; uint32_t h[PROTO_MAX_CAPS > 0 ? PROTO_MAX_CAPS : 1]; } proto_caps;")
  e:blank()
  e:comment("How client stubs move whole messages. send queues one message with its caps (NULL: none); recv blocks for one, stores its length and its caps. Both return 0 or a negative transport error. close gives back a received cap nobody claimed (NULL when the transport has nothing to close).")
  e:block("typedef struct proto_transport", function()
    e:line("void *ctx;")
    e:line("int (*send)(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps);")
    e:line("int (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);")
    e:line("void (*close)(void *ctx, uint32_t cap);")
  end, " proto_transport;")
  e:blank()
  e:comment("Closes every cap in caps through t (a message that did not decode, or one its receiver does not take).")
  e:line("void proto_caps_close(const proto_transport *t, const proto_caps *caps);")
  e:blank()
  e:comment("Sets a str field (data[max + 1], len) from a C string; PROTO_ERR_TOO_LONG leaves it empty.")
  e:line("PROTO_MUST_CHECK proto_err proto_str_set(char *data, uint16_t *len, size_t max, const char *s);")
  e:line("#define PROTO_STR_SET(field, s) \\")
  e:line("    proto_str_set((field).data, &(field).len, sizeof((field).data) - 1, (s))")
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
  for _, bits in ipairs(SIZES) do
    local n = bits // 8
    e:func(string.format("static inline proto_err proto_put_u%d(proto_writer *w, uint%d_t v)", bits, bits), function()
      e:line("uint8_t *p = w->buf + w->pos;")
      e:line("if (w->cap - w->pos < %d) return PROTO_ERR_OUTPUT_TOO_SMALL;", n)
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
      e:line("return PROTO_OK;")
    end)
    e:blank()
    e:func(string.format("static inline proto_err proto_get_u%d(proto_reader *r, uint%d_t *v)", bits, bits), function()
      e:line("const uint8_t *p = r->buf + r->pos;")
      e:line("if (r->len - r->pos < %d) return PROTO_ERR_SHORT_BUFFER;", n)
      if n == 1 then
        e:line("*v = p[0];")
      else
        e:line("#if PROTO_LITTLE_ENDIAN")
        e:line("__builtin_memcpy(v, p, %d);", n)
        e:line("#else")
        local parts = {}
        for i = 0, n - 1 do parts[#parts + 1] = string.format("(uint%d_t)p[%d] << %d", bits, i, i * 8) end
        e:line("*v = %s;", table.concat(parts, " | "))
        e:line("#endif")
      end
      e:line("r->pos += %d;", n)
      e:line("return PROTO_OK;")
    end)
    e:blank()
  end
  e:func("static inline proto_err proto_put_bytes(proto_writer *w, const void *src, size_t n)", function()
    e:line("uint8_t *p = w->buf + w->pos;")
    e:line("const uint8_t *s = src;")
    e:line("if (w->cap - w->pos < n) return PROTO_ERR_OUTPUT_TOO_SMALL;")
    e:line("for (size_t i = 0; i < n; i++) p[i] = s[i];")
    e:line("w->pos += n;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:func("static inline proto_err proto_get_bytes(proto_reader *r, void *dst, size_t n)", function()
    e:line("const uint8_t *p = r->buf + r->pos;")
    e:line("uint8_t *d = dst;")
    e:line("if (r->len - r->pos < n) return PROTO_ERR_SHORT_BUFFER;")
    e:line("for (size_t i = 0; i < n; i++) d[i] = p[i];")
    e:line("r->pos += n;")
    e:line("return PROTO_OK;")
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
  e:comment("Appends a capability; with index, also writes its position as a u8 (a chan field).")
  e:func("static inline proto_err proto_put_cap(proto_writer *w, uint32_t handle, bool index)", function()
    e:line("if (w->caps == NULL || w->caps->n >= PROTO_MAX_CAPS) return PROTO_ERR_BAD_CAP;")
    e:line("if (index) PROTO_TRY(proto_put_u8(w, (uint8_t)w->caps->n));")
    e:line("w->caps->h[w->caps->n++] = handle;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("Takes capability i (a declared cap by position, or a chan field's index). Caps are taken in wire order, so i must be the next one (the encoding is canonical: no index out of range, repeated or out of order) and present.")
  e:func("static inline proto_err proto_take_cap(proto_reader *r, uint32_t i, uint32_t *handle)", function()
    e:line("if (r->caps == NULL || i != r->taken || i >= r->caps->n || i >= PROTO_MAX_CAPS) return PROTO_ERR_BAD_CAP;")
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
  e:blank()
  e:func("static inline proto_err proto_get_bool(proto_reader *r, bool *v)", function()
    e:line("uint8_t b;")
    e:line("PROTO_TRY(proto_get_u8(r, &b));")
    e:line("if (b > 1) return PROTO_ERR_BAD_BOOL;")
    e:line("*v = b == 1;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:comment("Whether n bytes are valid UTF-8: no overlong form, no surrogate (U+D800..DFFF), nothing past U+10FFFF, no truncated sequence, no stray continuation byte. Every str is checked on encode and decode (PROTO_ERR_BAD_UTF8).")
  e:line("bool proto_utf8_valid(const void *s, size_t n);")
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
  e:line("#endif")
  return e:text()
end

local function source()
  local e = emit.new()
  emit.c_source_open(e, "every schema (shared runtime)", "gen/c_runtime.lua", "proto.h")
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
  e:comment("The second byte's range narrows for E0 (no overlong), ED (no surrogate), F0 (no overlong) and F4 (nothing past U+10FFFF).")
  e:func("bool proto_utf8_valid(const void *s, size_t n)", function()
    e:line("const uint8_t *p = s;")
    e:line("size_t i = 0;")
    e:block("while (i < n)", function()
      e:line("uint8_t c = p[i];")
      e:line("size_t more;")
      e:line("uint8_t lo = 0x80, hi = 0xbf;")
      e:line("if (c < 0x80) { i++; continue; }")
      e:line("if (c >= 0xc2 && c <= 0xdf) more = 1;")
      e:line("else if (c >= 0xe0 && c <= 0xef) more = 2;")
      e:line("else if (c >= 0xf0 && c <= 0xf4) more = 3;")
      e:line("else return false; /* a continuation byte, C0/C1 (overlong) or F5..FF */")
      e:line("if (c == 0xe0) lo = 0xa0;")
      e:line("if (c == 0xed) hi = 0x9f;")
      e:line("if (c == 0xf0) lo = 0x90;")
      e:line("if (c == 0xf4) hi = 0x8f;")
      e:line("if (n - i - 1 < more || p[i + 1] < lo || p[i + 1] > hi) return false;")
      e:line("for (size_t k = 2; k <= more; k++) if ((p[i + k] & 0xc0) != 0x80) return false;")
      e:line("i += more + 1;")
    end)
    e:line("return true;")
  end)
  e:blank()
  e:func("void proto_caps_close(const proto_transport *t, const proto_caps *caps)", function()
    e:line("if (t->close == NULL || caps == NULL) return;")
    e:line("for (uint32_t i = 0; i < caps->n && i < PROTO_MAX_CAPS; i++) t->close(t->ctx, caps->h[i]);")
  end)
  return e:text()
end

function M.generate(out, model)
  out("proto.h", header(model))
  out("proto.c", source())
end

return M
