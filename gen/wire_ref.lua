-- The reference codec: a second encoder and decoder of the wire format,
-- written in Lua from the rules alone (docs: ARCHITECTURE.md "Wire format"),
-- sharing nothing with the C emitter but the loader's model. The conformance
-- vectors (gen/conformance.lua) and the fuzzers' differential check
-- (tests/fuzz/differential.lua) hold the C codecs to it.
--
-- Values: a message is { tag = N, fields = { name = value, ... } }; an
-- integer or enum is a Lua integer, a float its IEEE 754 bits as an integer (a u64 above 2^63 - 1 is the negative
-- integer with the same 64 bits); a bool is true/false; str and bytes are
-- Lua strings; a struct is a table of its fields; a union field is
-- { tag = N, fields = { ... } } like a message; an array is a list; an
-- absent opt value is M.NONE, a present one is its value.
--
-- The rules:
--   union    one u8 tag, then the variant's fields in order
--   integer  fixed width, little-endian, two's complement when signed
--   float    f32/f64: the IEEE 754 bits, 4/8 bytes little-endian; every
--            pattern is valid (NaN payloads too: a value is its bits)
--   bool     one byte, 0 or 1; anything else is BAD_BOOL
--   enum     its underlying integer; an undefined value is BAD_ENUM
--   str      u16 little-endian length, then the bytes; over the bound is
--   bytes      TOO_LONG (checked before the bytes are looked for); a str
--            must be valid UTF-8 (Lua's strict utf8.len: no overlong
--            form, surrogate, code point past U+10FFFF, truncated sequence
--            or stray continuation byte), else BAD_UTF8, checked after
--            its bytes are taken
--   struct   its fields in order, no padding
--   budget   a struct or variant with budget = N: the bytes of its str and
--            bytes fields (not their length prefixes) and the bytes its
--            struct and union fields take beyond their smallest encoding
--            (through arrays and opt) add up to at most N; a str's or
--            bytes' length that goes over is OVER_BUDGET (after TOO_LONG,
--            before its bytes are looked for), a struct or union field that
--            goes over is OVER_BUDGET once it is all read (after any error
--            inside it)
--   union    (a field of a union type) exactly as a message: one u8 tag,
--            then that variant's fields; an unknown tag is UNKNOWN_TAG
--   array    `count` elements one after another
--   opt      one byte, 0 (absent, nothing follows) or 1 (the value
--            follows); anything else is BAD_OPT
--   caps     a message travels with n capabilities beside its bytes: the
--            variant's declared caps are positions 0..k-1 (no bytes), each
--            chan field one u8, the next position (k, k+1, ... in field
--            order); a position out of order or not there, or caps left
--            over, is BAD_CAP
-- A decoder reads nothing past the input: running out is SHORT_BUFFER; an
-- unknown tag is UNKNOWN_TAG; bytes left after the message are TRAILING_BYTES
-- (checked before the caps left over). A chan field's value is its position.
--
-- An extensible message (a union or wire struct with extensible = true,
-- never a field of another type) may grow by opt fields appended to a
-- variant or to the struct, so two peers may know different field lists:
--   newer    bytes left after the fields this side knows are skipped, not
--            TRAILING_BYTES (a newer peer's appended fields);
--   older    an input that ends exactly where a field starts, when that
--            field and every field after it is opt, decodes with those
--            fields absent (an older peer's message, from before they
--            were appended); ending anywhere else is SHORT_BUFFER as ever.
-- Everything else is as strict as for any message (a presence byte other
-- than 0 or 1 is BAD_OPT, a short field SHORT_BUFFER). The encoder writes
-- every field it knows, an absent opt field as its presence byte 0, so the
-- encoding of a value is still one sequence of bytes.

local M = {}

-- The decoder's verdicts are named as proto_err names them, without the
-- PROTO_ERR_ (the runtime's list: PROTO_ERRORS in gen/runtime/proto.h).

-- The value of an absent opt field.
M.NONE = setmetatable({}, { __tostring = function() return "none" end })

-- Integer limits of a type of `bytes` bytes; for u64 max is -1 (all ones).
function M.int_limits(bytes, signed)
  local bits = bytes * 8
  if signed then
    if bits == 64 then return math.mininteger, math.maxinteger end
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
  end
  if bits == 64 then return 0, -1 end
  return 0, (1 << bits) - 1
end

-- Little-endian bytes of the low `bytes` bytes of v.
local function le(v, bytes)
  local out = {}
  for i = 1, bytes do
    out[i] = string.char(v & 0xff)
    v = v >> 8
  end
  return table.concat(out)
end
M.le = le

local function enum_defined(decl, v)
  for _, ev in ipairs(decl.values) do if ev.value == v then return true end end
  return false
end

-- Encoding -----------------------------------------------------------------

local encode_type

-- Counts n bytes into budget b ({ spent, max }); over it, the encoder
-- raises (the decoder's spend_decoded rejects with OVER_BUDGET).
local function spend(b, n)
  b.spent = b.spent + n
  if b.spent > b.max then error("over the budget " .. b.max, 0) end
end

-- budget (or nil) of the struct or variant whose fields these are.
local function encode_fields(fields, value, out, budget)
  local b = budget and { spent = 0, max = budget }
  for _, f in ipairs(fields) do encode_type(f.type, value[f.name], out, b) end
end

-- out.caps counts the positions handed out so far (chan fields take the next).
function encode_type(t, v, out, b)
  local k = t.kind
  if k == "chan" then
    out[#out + 1] = string.char(out.caps)
    out.caps = out.caps + 1
  elseif k == "int" or k == "float" then
    out[#out + 1] = le(v, t.bytes)
  elseif k == "enum" then
    if not enum_defined(t.decl, v) then error("enum " .. t.decl.name .. ": " .. tostring(v) .. " is not defined", 0) end
    out[#out + 1] = le(v, t.decl.type.bytes)
  elseif k == "bool" then
    out[#out + 1] = v and "\1" or "\0"
  elseif k == "str" or k == "bytes" then
    if #v > t.max then error(k .. " of " .. #v .. " bytes over its bound " .. t.max, 0) end
    if k == "str" and not utf8.len(v) then error("str is not valid UTF-8", 0) end
    if b then spend(b, #v) end
    out[#out + 1] = le(#v, 2)
    out[#out + 1] = v
  elseif (k == "struct" or k == "union") and b then
    -- Written apart, to count what it takes beyond its smallest encoding.
    local part = { caps = out.caps }
    encode_type(t, v, part)
    out.caps = part.caps
    local bytes = table.concat(part)
    spend(b, #bytes - t.decl.min_size)
    out[#out + 1] = bytes
  elseif k == "struct" then
    encode_fields(t.decl.fields, v, out, t.decl.budget)
  elseif k == "union" then
    local variant = M.variant_of(t.decl, v.tag)
    if not variant then error(t.decl.name .. ": no variant with tag " .. tostring(v.tag), 0) end
    out[#out + 1] = string.char(v.tag)
    encode_fields(variant.fields, v.fields, out, variant.budget)
  elseif k == "opt" then
    if v == M.NONE then
      out[#out + 1] = "\0"
    else
      out[#out + 1] = "\1"
      encode_type(t.elem, v, out, b)
    end
  elseif k == "array" then
    assert(#v == t.count, "array of the wrong length")
    for i = 1, t.count do encode_type(t.elem, v[i], out, b) end
  else
    error("wire_ref: no encoding for a " .. tostring(k), 0)
  end
end

local function variant_of(u, tag)
  for _, v in ipairs(u.variants) do if v.tag == tag then return v end end
  return nil
end
M.variant_of = variant_of

-- The bytes of one value of type t (a field, a struct, an array element);
-- chan fields take positions from first_cap on (0 when not given).
function M.encode_value(t, v, first_cap)
  local out = { caps = first_cap or 0 }
  encode_type(t, v, out)
  return table.concat(out)
end

-- The canonical bytes of message m of union u (or, with a wire struct u,
-- of that struct's value m), and how many capabilities travel beside them.
function M.encode(u, m)
  if u.kind == "struct" then
    local out = { caps = 0 }
    encode_fields(u.fields, m, out, u.budget)
    return table.concat(out), out.caps
  end
  local v = variant_of(u, m.tag)
  if not v then error(u.name .. ": no variant with tag " .. tostring(m.tag), 0) end
  local out = { string.char(m.tag), caps = #v.caps }
  encode_fields(v.fields, m.fields, out, v.budget)
  return table.concat(out), out.caps
end

-- The index of the first field of the run of opt fields that ends the list
-- (#fields + 1 when the last is not opt): in an extensible message, an
-- input may end where any of them starts (an older peer's message).
function M.optional_tail(fields)
  local first = #fields + 1
  while first > 1 and fields[first - 1].type.kind == "opt" do first = first - 1 end
  return first
end

-- Decoding -----------------------------------------------------------------
-- A cursor { s = input, pos = bytes consumed, at = where the read now under
-- way starts, path = the names that lead to it }; a failure raises
-- { err = NAME, at = byte offset, path = "Type.Variant.field[i]...",
-- detail = what was found }, which M.decode returns beside the name.

local function reject(c, name, detail)
  error({ err = name, at = c.at, path = table.concat(c.path), detail = detail }, 0)
end

local function take(c, n)
  c.at = c.pos
  if #c.s - c.pos < n then
    reject(c, "SHORT_BUFFER", string.format("need %d byte%s, %d left", n, n == 1 and "" or "s", #c.s - c.pos))
  end
  local piece = c.s:sub(c.pos + 1, c.pos + n)
  c.pos = c.pos + n
  return piece
end

local function uint(c, bytes)
  local piece, v = take(c, bytes), 0
  for i = bytes, 1, -1 do v = (v << 8) | piece:byte(i) end
  return v
end

local function sint(c, bytes)
  local v = uint(c, bytes)
  if bytes < 8 and v >= (1 << (bytes * 8 - 1)) then v = v - (1 << (bytes * 8)) end
  return v
end

-- The names of the path: push one, run f, pop it.
local function within(c, name, f, ...)
  local n = #c.path
  c.path[n + 1] = name
  local v = f(...)
  c.path[n + 1] = nil
  return v
end

local decode_type

-- extensible: the fields of an extensible message, whose trailing opt
-- fields are absent when the input ends where one starts.
local function decode_fields(c, fields, budget, extensible)
  local value, b = {}, budget and { spent = 0, max = budget }
  local tail = extensible and M.optional_tail(fields) or #fields + 1
  for i, f in ipairs(fields) do
    if i >= tail and c.pos == #c.s then
      value[f.name] = M.NONE
      c.absent = c.absent or {}
      c.absent[#c.absent + 1] = f.name
    else
      value[f.name] = within(c, "." .. f.name, decode_type, c, f.type, b)
    end
  end
  return value
end

-- The key of every item, joined by ", " (for messages: tags, names).
function M.listed(items, key)
  local list = {}
  for _, x in ipairs(items) do list[#list + 1] = x[key] end
  return table.concat(list, ", ")
end

-- A union's tag byte and its variant (UNKNOWN_TAG when it has none).
local function decode_tag(c, u)
  local tag = uint(c, 1)
  local variant = variant_of(u, tag)
  if not variant then reject(c, "UNKNOWN_TAG", string.format("tag %d; %s has %s", tag, u.name, M.listed(u.variants, "tag"))) end
  return tag, variant
end

-- The next capability position, taken in order from the n beside the bytes.
local function take_cap(c, i)
  if i ~= c.taken or i >= c.ncaps then
    reject(c, "BAD_CAP", string.format("position %d, the next is %d of the %d beside the bytes", i, c.taken, c.ncaps))
  end
  c.taken = c.taken + 1
  return i
end

local function two_valued(c, name, what)
  local byte = uint(c, 1)
  if byte > 1 then reject(c, name, string.format("%s byte %02x, not 00 or 01", what, byte)) end
  return byte
end

-- Counts n more bytes into budget b as the decoder does (at = where they start).
local function spend_decoded(c, b, n, at)
  b.spent = b.spent + n
  if b.spent <= b.max then return end
  c.at = at
  reject(c, "OVER_BUDGET", string.format("%d bytes counted, over the budget %d", b.spent, b.max))
end

function decode_type(c, t, b)
  local k = t.kind
  if k == "chan" then
    return take_cap(c, uint(c, 1))
  elseif k == "int" then
    return t.signed and sint(c, t.bytes) or uint(c, t.bytes)
  elseif k == "float" then
    return uint(c, t.bytes)
  elseif k == "enum" then
    local et = t.decl.type
    local v = et.signed and sint(c, et.bytes) or uint(c, et.bytes)
    if not enum_defined(t.decl, v) then reject(c, "BAD_ENUM", string.format("%d is no value of %s", v, t.decl.name)) end
    return v
  elseif k == "bool" then
    return two_valued(c, "BAD_BOOL", "bool") == 1
  elseif k == "str" or k == "bytes" then
    local n = uint(c, 2)
    local at = c.at
    if n > t.max then reject(c, "TOO_LONG", string.format("length %d, the bound is %d", n, t.max)) end
    if b then spend_decoded(c, b, n, at) end
    local s = take(c, n)
    if k == "str" then
      local ok, bad = utf8.len(s)
      if not ok then
        c.at = c.at + bad - 1
        reject(c, "BAD_UTF8", string.format("byte %02x starts no valid UTF-8 sequence there", s:byte(bad)))
      end
    end
    return s
  elseif (k == "struct" or k == "union") and b then
    local start = c.pos
    local v = decode_type(c, t)
    spend_decoded(c, b, c.pos - start - t.decl.min_size, start)
    return v
  elseif k == "struct" then
    return decode_fields(c, t.decl.fields, t.decl.budget)
  elseif k == "union" then
    local tag, variant = decode_tag(c, t.decl)
    return { tag = tag, fields = within(c, "." .. variant.name, decode_fields, c, variant.fields, variant.budget) }
  elseif k == "opt" then
    if two_valued(c, "BAD_OPT", "opt presence") == 0 then return M.NONE end
    return decode_type(c, t.elem, b)
  elseif k == "array" then
    local list = {}
    for i = 1, t.count do list[i] = within(c, "[" .. (i - 1) .. "]", decode_type, c, t.elem, b) end
    return list
  end
  error("wire_ref: no decoding for a " .. tostring(k), 0)
end

-- The capabilities the variant with s's tag carries (0 for no variant):
-- what travels beside s when its sender followed the schema.
function M.caps_of(u, s)
  if u.kind == "struct" then return u.ncaps end
  local v = #s > 0 and variant_of(u, s:byte(1))
  return v and v.ncaps or 0
end

-- Decodes s, with ncaps capabilities beside it (0 when not given), as a
-- whole message of union u (or, with a struct u, as that wire struct):
-- returns the message, or nil, the error's name (a proto_err's, as above) and
-- where: { at = byte offset of the read that failed, path = the field,
-- e.g. "TimerRequest.After.duration_us", detail = what was found }. For an
-- extensible message, a third value on success says what it made of an
-- input from another version: { skipped = bytes after the known fields
-- (a newer peer's), absent = the names of the trailing opt fields the
-- input ended before (an older peer's), or nil }.
function M.decode(u, s, ncaps)
  local c = { s = s, pos = 0, at = 0, ncaps = ncaps or 0, taken = 0, path = { u.name } }
  local ok, res = pcall(function()
    local m
    if u.kind == "struct" then
      m = decode_fields(c, u.fields, u.budget, u.extensible)
    else
      local tag, v = decode_tag(c, u)
      c.path[2] = "." .. v.name
      c.at = c.pos   -- declared caps have no bytes: where its fields start
      for i, cap in ipairs(v.caps) do within(c, "." .. cap.name, take_cap, c, i - 1) end
      m = { tag = tag, fields = decode_fields(c, v.fields, v.budget, u.extensible) }
    end
    c.at = c.pos
    -- An extensible message skips what a newer peer appended.
    if c.pos ~= #s and not u.extensible then reject(c, "TRAILING_BYTES", string.format("%d after the end", #s - c.pos)) end
    if c.taken ~= c.ncaps then
      reject(c, "BAD_CAP", string.format("%d beside the bytes, the message takes %d", c.ncaps, c.taken))
    end
    return m
  end)
  if ok then return res, nil, u.extensible and { skipped = #s - c.pos, absent = c.absent or {} } or nil end
  if type(res) == "table" and res.err then return nil, res.err, res end
  error(res, 0)
end

return M
