-- Conformance vectors as C data: per protocol with messages (unions and
-- wire structs), NAME_vectors.h/.c (every vector of gen/conformance.lua,
-- and per message a round-trip
-- function: decode into a stack value, encode it back); once per run,
-- proto_vectors.h/.c (the vector type and the one runner every table goes
-- through). Host tests (tests/codec/test_vectors.c) and the guest's ktest
-- walk the tables; tests/fuzz/verdict.c uses the round-trip functions.

local emit = require("emit")
local loader = require("loader")
local conformance = require("conformance")

local M = {}

local GEN = "gen/c_vectors.lua"

local function shared_header()
  local e = emit.new()
  emit.c_header_open(e, "every schema (conformance vectors)", GEN, "proto_vectors.h")
  e:line("#include \"proto.h\"")
  e:blank()
  e:comment("Decodes in (len bytes), with ncaps capabilities beside it (handles 100, 101, ...), into a value on the stack; when that succeeds, encodes the value back into out (cap bytes), storing the encoder's status in *encoded (PROTO_ERR_BAD_CAP when it carries other capabilities than came in) and the length in *out_len. Returns the decoder's status.")
  e:line("typedef proto_err (*proto_roundtrip_fn)(const uint8_t *in, size_t len, uint32_t ncaps, uint8_t *out,")
  e:line("    size_t cap, size_t *out_len, proto_err *encoded);")
  e:blank()
  e:comment("The capabilities a round trip puts beside an input, and whether the re-encoding gave the same back.")
  e:line("void proto_vector_caps(proto_caps *caps, uint32_t n);")
  e:line("bool proto_vector_same_caps(const proto_caps *a, const proto_caps *b);")
  e:blank()
  e:comment("One conformance vector, computed by the reference codec (gen/wire_ref.lua). The wire format has one encoding per value, so a valid input's expected re-encoding is its own bytes, except an extensible message's input from a newer peer (bytes after the known fields, skipped) or an older one (cut before its trailing opt fields, absent).")
  e:block("typedef struct proto_vector", function()
    e:line("const char *message;          /* the union or wire struct, e.g. \"TimerRequest\" */")
    e:line("const char *name;             /* what the vector tries */")
    e:line("proto_roundtrip_fn roundtrip; /* the message's decode -> encode */")
    e:line("size_t max_size;              /* the message's _MAX_SIZE (an extensible one's input may be longer) */")
    e:line("const uint8_t *in;            /* the input; NULL when in_len is 0 */")
    e:line("size_t in_len;")
    e:line("uint32_t ncaps;               /* capabilities beside the input */")
    e:line("proto_err expect;             /* what decoding in returns */")
    e:line("const uint8_t *out;           /* PROTO_OK: the re-encoding (an extensible message's: without the bytes it skipped, with the opt fields it found absent); else NULL */")
    e:line("size_t out_len;")
  end, " proto_vector;")
  e:blank()
  e:comment("Every vector of one protocol.")
  e:block("typedef struct proto_vector_suite", function()
    e:line("const char *protocol;")
    e:line("const proto_vector *vectors;")
    e:line("size_t count;")
  end, " proto_vector_suite;")
  e:blank()
  e:comment("Runs v: in is the caller's copy of v->in (v->in_len bytes), out a buffer of cap >= v->max_size bytes. Stores the decoder's status in *got; returns NULL when the codec does what v expects, else what went wrong.")
  e:line("const char *proto_vector_run(const proto_vector *v, const uint8_t *in, uint8_t *out, size_t cap,")
  e:line("    proto_err *got);")
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

local function shared_source()
  local e = emit.new()
  emit.c_source_open(e, "every schema (conformance vectors)", GEN, "proto_vectors.h")
  e:func("const char *proto_vector_run(const proto_vector *v, const uint8_t *in, uint8_t *out, size_t cap,\n    proto_err *got)", function()
    e:line("size_t out_len = 0;")
    e:line("proto_err encoded = PROTO_OK;")
    e:line("*got = v->roundtrip(in, v->in_len, v->ncaps, out, cap, &out_len, &encoded);")
    e:line("if (*got != v->expect) return \"the decoder returned another status\";")
    e:line("if (*got != PROTO_OK) return NULL;")
    e:line("if (encoded != PROTO_OK) return \"the decoded value does not encode back (bytes and capabilities)\";")
    e:line("if (out_len != v->out_len) return \"the re-encoding has another length\";")
    e:block("for (size_t i = 0; i < out_len; i++)", function()
      e:line("if (out[i] != v->out[i]) return \"the re-encoding has other bytes\";")
    end)
    e:line("return NULL;")
  end)
  e:blank()
  e:func("void proto_vector_caps(proto_caps *caps, uint32_t n)", function()
    e:line("caps->n = n;")
    e:line("for (uint32_t i = 0; i < n && PROTO_CAP_FITS(i); i++) caps->h[i] = 100 + i;")
  end)
  e:blank()
  e:func("bool proto_vector_same_caps(const proto_caps *a, const proto_caps *b)", function()
    e:line("if (a->n != b->n) return false;")
    e:block("for (uint32_t i = 0; i < a->n && PROTO_CAP_FITS(i); i++)", function()
      e:line("if (a->h[i] != b->h[i]) return false;")
    end)
    e:line("return true;")
  end)
  return e:text()
end

local function c_string(s)
  return '"' .. s:gsub('[\\"]', "\\%0") .. '"'
end

local function hex_lines(e, bytes)
  for i = 1, #bytes, 12 do
    local piece = {}
    for j = i, math.min(i + 11, #bytes) do piece[#piece + 1] = string.format("0x%02x", bytes:byte(j)) end
    e:line("%s,", table.concat(piece, ", "))
  end
end

local function header(file, name, messages, count)
  local e = emit.new()
  emit.c_header_open(e, file.path, GEN, name .. ".h")
  e:line("#include \"proto_vectors.h\"")
  e:line("#include \"%s.h\"", file.protocol.name)
  e:blank()
  for _, u in ipairs(messages) do
    e:comment(u.name .. ": decode into a stack value, encode it back (a proto_roundtrip_fn).")
    e:line("proto_err %s_roundtrip(const uint8_t *in, size_t len, uint32_t ncaps, uint8_t *out, size_t cap,", u.name)
    e:line("    size_t *out_len, proto_err *encoded);")
  end
  e:blank()
  e:comment(string.format("The %d conformance vectors of every message of %s.", count, file.protocol.name))
  e:line("extern const proto_vector_suite %s;", name)
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

local function source(file, name, messages, per_message)
  local e = emit.new()
  emit.c_source_open(e, file.path, GEN, name .. ".h")
  for _, u in ipairs(messages) do
    e:func(string.format("proto_err %s_roundtrip(const uint8_t *in, size_t len, uint32_t ncaps, uint8_t *out, size_t cap,\n    size_t *out_len, proto_err *encoded)", u.name), function()
      e:line("%s m;", u.name)
      e:line("proto_caps caps, again;")
      e:line("proto_vector_caps(&caps, ncaps);")
      e:line("proto_err err = %s_decode_caps(&m, in, len, &caps);", u.name)
      e:block("if (err == PROTO_OK)", function()
        e:line("*encoded = %s_encode_caps(&m, out, cap, out_len, &again);", u.name)
        e:line("if (*encoded == PROTO_OK && !proto_vector_same_caps(&caps, &again)) *encoded = PROTO_ERR_BAD_CAP;")
      end)
      e:line("return err;")
    end)
    e:blank()
  end
  -- An input that starts an array already written (a cut) points into it:
  -- runners copy in_len bytes into a buffer of exactly that length.
  local rows, n, arrays = {}, 0, {}
  local function array_for(input)
    if #input == 0 then return "NULL" end
    for _, a in ipairs(arrays) do
      if a.bytes:sub(1, #input) == input then return a.name end
    end
    local a = { name = string.format("in%d", #arrays + 1), bytes = input }
    arrays[#arrays + 1] = a
    e:line("static const uint8_t %s[] = {", a.name)
    e:indent(function() hex_lines(e, input) end)
    e:line("};")
    return a.name
  end
  for i, u in ipairs(messages) do
    for _, vec in ipairs(per_message[i]) do
      n = n + 1
      local bytes = array_for(vec.input)
      local ok = vec.expect == "OK"
      rows[#rows + 1] = string.format("{ \"%s\", %s, %s_roundtrip, %s_MAX_SIZE, %s, %d, %d, %s, %s, %d },",
        u.name, c_string(vec.name), u.name, u.name, bytes, #vec.input, vec.ncaps,
        ok and "PROTO_OK" or "PROTO_ERR_" .. vec.expect, ok and array_for(vec.output) or "NULL", ok and #vec.output or 0)
    end
  end
  e:blank()
  e:line("static const proto_vector vectors[%d] = {", n)
  e:indent(function() for _, r in ipairs(rows) do e:line("%s", r) end end)
  e:line("};")
  e:blank()
  e:line("const proto_vector_suite %s = { \"%s\", vectors, %d };", name, file.protocol.name, n)
  return e:text()
end

-- proto_vectors.h/.c: once per run, beside proto.h.
function M.generate_shared(out)
  out("proto_vectors.h", shared_header())
  out("proto_vectors.c", shared_source())
end

-- vector_suites.h/.c: every protocol's suite, for the suites that run
-- them all (the host codec test, ktest in the guest).
function M.generate_registry(model, out)
  local files = {}
  for _, file in ipairs(model.files) do
    if #loader.messages(file) > 0 then files[#files + 1] = file end
  end
  local h, c = emit.new(), emit.new()
  emit.c_header_open(h, "every schema with a message", "gen/c_vectors.lua", "vector_suites.h")
  h:line("#include \"proto_vectors.h\"")
  h:blank()
  h:comment("The conformance vectors of every protocol with a message (a union or wire struct), in schema order.")
  h:line("#define PROTO_VECTOR_SUITES %d", #files)
  h:line("extern const proto_vector_suite *const proto_vector_suites[%d];", math.max(#files, 1))
  h:blank()
  emit.c_header_close(h)
  emit.c_source_open(c, "every schema with a message", "gen/c_vectors.lua", "vector_suites.h")
  for _, file in ipairs(files) do c:line("#include \"%s_vectors.h\"", file.protocol.name) end
  c:blank()
  c:block(string.format("const proto_vector_suite *const proto_vector_suites[%d] =", math.max(#files, 1)), function()
    for _, file in ipairs(files) do c:line("&%s_vectors,", file.protocol.name) end
    if #files == 0 then c:line("NULL,") end
  end, ";")
  out("vector_suites.h", h:text(), "suites")
  out("vector_suites.c", c:text(), "suites")
end

function M.generate(file, model, out)
  local messages = loader.messages(file)
  if #messages == 0 then return end
  local per_message, count = {}, 0
  for i, u in ipairs(messages) do
    per_message[i] = conformance.message_vectors(u)
    count = count + #per_message[i]
  end
  local name = file.protocol.name .. "_vectors"
  out(name .. ".h", header(file, name, messages, count))
  out(name .. ".c", source(file, name, messages, per_message))
end

return M
