-- The formatters' text form in Lua, both ways, over the reference codec's
-- values (gen/wire_ref.lua): format writes a decoded message exactly as the
-- generated C formatter does (gen/c_format.lua: T_format_bytes, caps shown
-- by position), parse reads that text back into a value for wire_ref.encode,
-- checked against the schema with errors that say where in the text.
--
--   TimerRequest::After { duration_us: 50000 }     a union's variant
--   ProbePoint { x: -1, y: 2, visible: true }      a wire struct
--   "a\"b\\c\x00"  <de ad>  [a, b]  none  RED  true  cap#0  0x1.8p+1  -inf  nan(0x1)
--
-- parse takes whitespace anywhere between tokens and a trailing comma in a
-- list; fields in schema order as the formatter writes them, every one
-- present (an absent opt field is `none`), a variant's declared
-- capabilities after its fields as `NAME: cap#HANDLE`.

local ref = require("wire_ref")

local M = {}

-- Formatting ------------------------------------------------------------------

local HEX = "0123456789abcdef"

-- IEEE 754 bits (mant_bits of mantissa, exp_bits of exponent) as proto_fmt_ieee writes them.
local function ieee_text(bits, mant_bits, exp_bits)
  local mant = bits & ((1 << mant_bits) - 1)
  local exp_max = (1 << exp_bits) - 1
  local exp = (bits >> mant_bits) & exp_max
  local power = (exp == 0 and 1 or exp) - (exp_max >> 1)
  local sign = ((bits >> (mant_bits + exp_bits)) & 1) == 1 and "-" or ""
  if exp == exp_max then return sign .. (mant == 0 and "inf" or string.format("nan(0x%x)", mant)) end
  if exp == 0 and mant == 0 then return sign .. "0x0p+0" end
  local digits = (mant_bits + 3) // 4
  local frac = ""
  if mant ~= 0 then
    frac = string.format("%0" .. digits .. "x", mant << (digits * 4 - mant_bits)):gsub("0+$", "")
    frac = "." .. frac
  end
  return string.format("%s%s%sp%s%d", sign, exp == 0 and "0x0" or "0x1", frac, power >= 0 and "+" or "", power)
end

local FLOAT_BITS = { [4] = { 23, 8 }, [8] = { 52, 11 } }

local function quoted(s)
  return '"' .. s:gsub('[%z\1-\31\127-\255"\\]', function(ch)
    local b = ch:byte()
    if b < 0x20 or b >= 0x7f then return string.format("\\x%02x", b) end
    return "\\" .. ch
  end) .. '"'
end

local function hex_bytes(s)
  local parts = {}
  for i = 1, #s do
    local b = s:byte(i)
    parts[i] = HEX:sub((b >> 4) + 1, (b >> 4) + 1) .. HEX:sub((b & 15) + 1, (b & 15) + 1)
  end
  return "<" .. table.concat(parts, " ") .. ">"
end

local text_of

-- `Name { a: 1, b: 2 }`, or `Name {}`; extra members (declared caps) follow.
local function members_text(name, fields, value, extra)
  local parts = {}
  for _, f in ipairs(fields) do parts[#parts + 1] = f.name .. ": " .. text_of(f.type, value[f.name]) end
  for _, m in ipairs(extra or {}) do parts[#parts + 1] = m end
  if #parts == 0 then return name .. " {}" end
  return name .. " { " .. table.concat(parts, ", ") .. " }"
end

function text_of(t, v)
  local k = t.kind
  if k == "opt" then return v == ref.NONE and "none" or text_of(t.elem, v) end
  if k == "int" then return t.signed and string.format("%d", v) or string.format("%u", v) end
  if k == "float" then return ieee_text(v, FLOAT_BITS[t.bytes][1], FLOAT_BITS[t.bytes][2]) end
  if k == "bool" then return v and "true" or "false" end
  if k == "enum" then
    for _, ev in ipairs(t.decl.values) do if ev.value == v then return ev.name end end
    return string.format(t.decl.type.signed and "%d" or "%u", v)
  end
  if k == "str" then return quoted(v) end
  if k == "bytes" then return hex_bytes(v) end
  if k == "chan" then return "cap#" .. v end
  if k == "struct" then return members_text(t.decl.name, t.decl.fields, v) end
  if k == "union" then
    local variant = ref.variant_of(t.decl, v.tag)
    return members_text(t.decl.name .. "::" .. variant.name, variant.fields, v.fields)
  end
  local parts = {}
  for i = 1, t.count do parts[i] = text_of(t.elem, v[i]) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

-- The text of message m of decl (a union, or a wire struct) as decoded by
-- wire_ref: a variant's declared capabilities are positions 0, 1, ...
function M.format(decl, m)
  if decl.kind == "struct" then return members_text(decl.name, decl.fields, m) end
  local v = ref.variant_of(decl, m.tag)
  local caps = {}
  for i, cap in ipairs(v.caps) do caps[i] = cap.name .. ": cap#" .. (i - 1) end
  return members_text(decl.name .. "::" .. v.name, v.fields, m.fields, caps)
end

-- Parsing ---------------------------------------------------------------------
-- A parser { s = text, pos = next character (1-based), path = names to the
-- value being read, handles = the cap#N handles in wire order }; a failure
-- raises { text_error = message, pos = where }.

local P = {}
P.__index = P

function P:fail(pos, fmt, ...)
  error({ text_error = string.format(fmt, ...), pos = pos, path = table.concat(self.path) }, 0)
end

function P:skip() self.pos = self.s:find("[^%s]", self.pos) or #self.s + 1 end

-- What the text shows at pos, for messages: the next token or "the end".
function P:shown(pos)
  local word = self.s:match("^[%w_#%.%+%-]+", pos) or self.s:sub(pos, pos)
  return word == "" and "the end of the text" or "'" .. word .. "'"
end

-- Consumes literal lit (after whitespace) or fails naming what was wanted.
function P:expect(lit, wanted)
  self:skip()
  if self.s:sub(self.pos, self.pos + #lit - 1) ~= lit then
    self:fail(self.pos, "expected %s, found %s", wanted or "'" .. lit .. "'", self:shown(self.pos))
  end
  self.pos = self.pos + #lit
end

function P:accept(lit)
  self:skip()
  if self.s:sub(self.pos, self.pos + #lit - 1) == lit then self.pos = self.pos + #lit; return true end
  return false
end

-- A token of pattern pat (anchored) after whitespace: its text and start, or nil.
function P:token(pat)
  self:skip()
  local start = self.pos
  local tok = self.s:match("^" .. pat, start)
  if tok then self.pos = start + #tok end
  return tok, start
end

-- Digits as an unsigned 64-bit pattern, nil when over 2^64 - 1.
local function u64_of(digits)
  local v = 0
  for d in digits:gmatch("%d") do
    if math.ult(0x1999999999999999, v) then return nil end
    local next = v * 10 + tonumber(d)
    if math.ult(next, v * 10) then return nil end
    v = next
  end
  return v
end

local function range_text(t)
  local lo, hi = ref.int_limits(t.bytes, t.signed)
  return string.format(t.signed and "%d .. %d" or "%u .. %u", lo, hi)
end

-- An integer of int type t (also an enum's underlying type).
function P:integer(t, what)
  local tok, start = self:token("%-?%d+")
  if not tok then self:fail(self.pos, "expected %s, found %s", what, self:shown(self.pos)) end
  local neg, mag = tok:sub(1, 1) == "-", u64_of(tok:gsub("^%-", ""))
  local lo, hi = ref.int_limits(t.bytes, t.signed)
  local ok
  if not mag then ok = false
  elseif neg then ok = t.signed and (mag == 0 or math.ult(mag - 1, -lo)) or mag == 0
  elseif t.signed then ok = mag >= 0 and mag <= hi
  else ok = hi == -1 or (mag >= 0 and mag <= hi) end
  if not ok then self:fail(start, "%s is out of range of %s (%s)", tok, t.name, range_text(t)) end
  return neg and -mag or mag
end

-- A float's text (the formatter's hex form, inf, nan(0xP), with a sign) as
-- its bits; only values the type holds exactly.
function P:float(t)
  local mant_bits, exp_bits = FLOAT_BITS[t.bytes][1], FLOAT_BITS[t.bytes][2]
  self:skip()
  local start = self.pos
  local sign = self:accept("-") and (1 << (mant_bits + exp_bits)) or 0
  local exp_max, bias = (1 << exp_bits) - 1, ((1 << exp_bits) - 1) >> 1
  local function bad(why) self:fail(start, "%s is not an %s: %s", self:shown(start), t.name, why) end
  if self:accept("inf") then return sign | (exp_max << mant_bits) end
  if self:accept("nan(") then
    local payload = self:token("0x%x+")
    if not payload or #payload > 18 then bad("nan needs a payload, nan(0xHEX)") end
    local p = tonumber(payload:sub(3), 16)
    self:expect(")")
    if p == 0 or p >> mant_bits ~= 0 then bad(string.format("the payload must be 0x1 .. 0x%x", (1 << mant_bits) - 1)) end
    return sign | (exp_max << mant_bits) | p
  end
  local whole, frac, exp = self.s:match("^0[xX](%x+)%.?(%x*)[pP]([%+%-]?%d+)", self.pos)
  if not whole then bad("write it as the formatter does: 0x1.8p+1, -0x0p+0, inf, -inf, nan(0x1)") end
  self.pos = self.s:find("[pP]", self.pos) + 1 + #exp
  if #exp > 6 then bad("its exponent is out of range") end
  -- The value is m * 2^scale, m an integer without trailing zero bits' digits.
  local scale = tonumber(exp) - 4 * #frac
  local digits = (whole .. frac):gsub("^0+", ""):gsub("0+$", function(z) scale = scale + 4 * #z; return "" end)
  if digits == "" then return sign end
  if #digits > 15 then bad("it has more digits than the type holds") end
  local m = tonumber(digits, 16)
  local top = 0
  while (m >> (top + 1)) ~= 0 do top = top + 1 end
  -- The stored mantissa is m * 2^shift (with the hidden bit when normal).
  local shift, biased
  if top + scale >= 1 - bias then
    if top + scale > bias then bad("it is too large") end
    shift, biased = mant_bits - top, top + scale + bias
  else
    shift, biased = scale + bias - 1 + mant_bits, 0
  end
  if shift < 0 and (-shift >= 64 or m & ((1 << -shift) - 1) ~= 0) then bad("it is not exact in " .. t.name) end
  local f = shift >= 0 and m << shift or m >> -shift
  return sign | (biased << mant_bits) | (f & ((1 << mant_bits) - 1))
end

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", n = "\n", t = "\t", r = "\r" }

function P:string_literal()
  self:expect('"', "a string in double quotes")
  local out = {}
  while true do
    local ch = self.s:sub(self.pos, self.pos)
    if ch == "" then self:fail(self.pos, "the string has no closing quote") end
    self.pos = self.pos + 1
    if ch == '"' then break end
    if ch == "\\" then
      local e = self.s:sub(self.pos, self.pos)
      if ESCAPES[e] then out[#out + 1] = ESCAPES[e]; self.pos = self.pos + 1
      elseif e == "x" and self.s:match("^%x%x", self.pos + 1) then
        out[#out + 1] = string.char(tonumber(self.s:sub(self.pos + 1, self.pos + 2), 16))
        self.pos = self.pos + 3
      else self:fail(self.pos - 1, "unknown escape \\%s (\\\" \\\\ \\n \\t \\r \\xNN)", e) end
    else out[#out + 1] = ch end
  end
  return table.concat(out)
end

function P:bytes_literal()
  self:expect("<", "bytes in angle brackets, e.g. <de ad>")
  local out = {}
  while not self:accept(">") do
    local pair, start = self:token("%x%x")
    if not pair then self:fail(start, "expected two hex digits or '>', found %s", self:shown(start)) end
    out[#out + 1] = string.char(tonumber(pair, 16))
  end
  return table.concat(out)
end

-- { kind = "chan" }: the declared caps' members, read like chan fields.
local CHAN = { kind = "chan" }

function P:value(t)
  local k = t.kind
  self:skip()
  local start = self.pos
  if k == "opt" then
    if self.s:match("^none%f[^%w_]", self.pos) then self.pos = self.pos + 4; return ref.NONE end
    return self:value(t.elem)
  elseif k == "int" then
    return self:integer(t, "an integer (" .. t.name .. ")")
  elseif k == "float" then
    return self:float(t)
  elseif k == "bool" then
    local word = self:token("%a+")
    if word == "true" or word == "false" then return word == "true" end
    self:fail(start, "expected true or false, found %s", self:shown(start))
  elseif k == "enum" then
    local word = self:token("[%a_][%w_]*")
    for _, ev in ipairs(t.decl.values) do if ev.name == word then return ev.value end end
    self:fail(start, "%s is no value of %s (%s)", self:shown(start), t.decl.name, ref.listed(t.decl.values, "name"))
  elseif k == "str" or k == "bytes" then
    local s = k == "str" and self:string_literal() or self:bytes_literal()
    if #s > t.max then self:fail(start, "%s of %d bytes is over its bound %d", k, #s, t.max) end
    if k == "str" then
      local ok, bad = utf8.len(s)
      if not ok then self:fail(start, "the str is not valid UTF-8 (from its byte %d)", bad - 1) end
    end
    return s
  elseif k == "chan" then
    self:expect("cap#", "a capability cap#HANDLE")
    local handle = self:token("%d+")
    if not handle then self:fail(self.pos, "expected the handle's number after cap#, found %s", self:shown(self.pos)) end
    self.handles[#self.handles + 1] = tonumber(handle)
    return tonumber(handle)   -- (wire_ref's encoder writes the positions itself)
  elseif k == "array" then
    self:expect("[", "'[' (an array of " .. t.count .. ")")
    local list = {}
    while not self:accept("]") do
      if #list > 0 then self:expect(",", "',' or ']'") end
      if #list > 0 and self:accept("]") then break end
      if #list == t.count then self:fail(self.pos, "the array has more than its %d elements", t.count) end
      local n = #self.path
      self.path[n + 1] = "[" .. #list .. "]"
      list[#list + 1] = self:value(t.elem)
      self.path[n + 1] = nil
    end
    if #list ~= t.count then self:fail(start, "the array has %d elements, not %d", #list, t.count) end
    return list
  elseif k == "struct" then
    self:expect(t.decl.name, t.decl.name .. " { ... }")
    return self:checked(t, start, self:members(t.decl.fields))
  elseif k == "union" then
    local m = self:variant(t.decl)
    return self:checked(t, start, m)
  end
  error("wire_text: no text for a " .. tostring(k), 0)
end

-- `{ name: value, ... }` for fields and extra members (declared caps),
-- each once, in order.
function P:members(fields, extra)
  local list = {}
  for _, f in ipairs(fields) do list[#list + 1] = f end
  for _, c in ipairs(extra or {}) do list[#list + 1] = { name = c.name, type = CHAN } end
  self:expect("{")
  local value, where = {}, table.concat(self.path)
  for i, f in ipairs(list) do
    local closed = self:accept("}")
    if not closed and i > 1 then
      self:expect(",", "',' or '}'")
      closed = self:accept("}")
    end
    if closed then
      self:fail(self.pos - 1, "%s: field %s is missing%s", where, f.name,
        f.type.kind == "opt" and " (an absent opt field is written " .. f.name .. ": none)" or "")
    end
    local name, start = self:token("[%a_][%w_]*")
    if name ~= f.name then
      local known = false
      for _, g in ipairs(list) do known = known or g.name == name end
      if not name then self:fail(start, "expected field %s, found %s", f.name, self:shown(start)) end
      if known then self:fail(start, "expected field %s before %s (the fields in schema order)", f.name, name) end
      self:fail(start, "%s has no field %s (expected %s)", where, name, f.name)
    end
    self:expect(":")
    local n = #self.path
    self.path[n + 1] = "." .. name
    value[name] = self:value(f.type)
    self.path[n + 1] = nil
  end
  if #list > 0 then self:accept(",") end
  if not self:accept("}") then
    local name = self.s:match("^[%a_][%w_]*", self.pos)
    if name then self:fail(self.pos, "%s has no field %s (it has %d)", where, name, #list) end
    self:fail(self.pos, "expected '}', found %s", self:shown(self.pos))
  end
  return value
end

-- `Union::Variant { ... }`: { tag, fields }.
function P:variant(u)
  self:expect(u.name .. "::", u.name .. "::VARIANT")
  local name, start = self:token("[%a_][%w_]*")
  local v
  for _, x in ipairs(u.variants) do if x.name == name then v = x end end
  if not v then self:fail(start, "%s is no variant of %s (%s)", self:shown(start), u.name, ref.listed(u.variants, "name")) end
  local n = #self.path
  self.path[n + 1] = "." .. v.name
  local fields = self:members(v.fields, v.caps)
  for _, cap in ipairs(v.caps) do fields[cap.name] = nil end
  self.path[n + 1] = nil
  return { tag = v.tag, fields = fields }
end

-- value, encoded once by wire_ref to hold it to what the text alone cannot
-- show (a budget over several fields); t is its struct or union type.
function P:checked(t, start, value)
  local ok, err = pcall(ref.encode_value, t, value)
  if not ok then self:fail(start, "%s", tostring(err)) end
  return value
end

-- Reads text as a message of decl (a union or a wire struct); returns the
-- value for wire_ref (a union's { tag, fields }) and the handles of its
-- cap#N in wire order, or nil and { message, line, column, path }.
function M.parse(decl, text)
  local p = setmetatable({ s = text, pos = 1, path = { decl.name }, handles = {} }, P)
  local ok, res = pcall(function()
    local t = { kind = decl.kind, decl = decl }
    local v
    if decl.kind == "union" then
      -- Declared caps come first on the wire: their handles before the chan fields'.
      v = p:variant(decl)
      local variant = ref.variant_of(decl, v.tag)
      local ncaps = #variant.caps
      if ncaps > 0 then
        local h = p.handles
        local k = #h - ncaps
        p.handles = table.move(h, k + 1, #h, 1, {})
        table.move(h, 1, k, ncaps + 1, p.handles)
      end
      p:checked(t, 1, v)
    else
      p:expect(decl.name, decl.name .. " { ... }")
      v = p:checked(t, 1, p:members(decl.fields))
    end
    p:skip()
    if p.pos <= #text then p:fail(p.pos, "text after the message: %s", p:shown(p.pos)) end
    return v
  end)
  if ok then return res, p.handles end
  if type(res) ~= "table" or not res.text_error then error(res, 0) end
  local before = text:sub(1, res.pos - 1)
  local line = select(2, before:gsub("\n", "")) + 1
  return nil, { message = res.text_error, line = line, column = #before - (before:match(".*\n()") or 1) + 2,
    path = res.path, lines = select(2, text:gsub("\n", "")) + 1 }
end

return M
