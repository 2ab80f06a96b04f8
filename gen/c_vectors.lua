-- Conformance vectors as C data: per protocol with messages (unions and
-- wire structs), NAME_vectors.h/.c (every vector of gen/conformance.lua,
-- and per message a round-trip
-- function: decode into a stack value, encode it back); once per run,
-- vector_suites.h/.c (every protocol's table). The vector type and the one
-- runner every table goes through are the runtime's, hand-written:
-- gen/runtime/proto_vectors.h and proto_vectors.c. Host tests (tests/codec/test_vectors.c) and the guest's ktest
-- walk the tables; tests/fuzz/verdict.c uses the round-trip functions.

local emit = require("emit")
local loader = require("loader")
local conformance = require("conformance")

local M = {}

local GEN = "gen/c_vectors.lua"

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
