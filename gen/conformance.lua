-- Conformance vectors: for every message (a union, or a wire struct), canonical bytes of edge values and
-- malformed inputs with the error each must give, all computed by the
-- reference codec (gen/wire_ref.lua), never by the C emitter.
--
-- A variant's value is seen as its leaves in wire order (every int, bool,
-- enum, str, bytes and opt field, inside structs and arrays too): "zero" sets each
-- leaf to its first edge value, "max" each to its largest encoding, and one
-- vector per other edge value changes a single leaf of zero. Malformed
-- inputs change the bytes of one leaf of a valid encoding (or cut, extend
-- or re-tag it), so each has exactly one error. Every vector is checked
-- against the reference decoder before it is returned.
--
-- Capabilities: each vector travels with ncaps of them beside its bytes,
-- the count its variant carries (0 for inputs with no variant); the cap
-- vectors have one missing, one extra, or a chan index out of order.
--
-- A vector: { message, name, input, ncaps, expect = "OK" or a proto_err's
-- name without PROTO_ERR_ (as wire_ref names them), output = the canonical re-encoding (valid ones only) }.

local ref = require("wire_ref")

local M = {}

local function pattern(n, first, step)
  local out = {}
  for i = 0, n - 1 do out[#out + 1] = string.char((first + i * step) % 256) end
  return table.concat(out)
end

local function letters(n)
  local out = {}
  for i = 0, n - 1 do out[#out + 1] = string.char(0x61 + i % 26) end
  return table.concat(out)
end

local edges, max_edge

-- Valid multi-byte UTF-8 a str edge tries (where it fits), and each class
-- of malformed UTF-8 a str must refuse with BAD_UTF8.
local UTF8_VALID = {
  { "U+00E9 (2 bytes)", "\xC3\xA9" }, { "U+20AC (3 bytes)", "\xE2\x82\xAC" },
  { "U+10FFFF, the last (4 bytes)", "\xF4\x8F\xBF\xBF" }, { "U+0000", "\0" },
}
local UTF8_INVALID = {
  { "stray continuation byte 80", "\x80" }, { "byte ff", "\xFF" },
  { "overlong '/' (c0 af)", "\xC0\xAF" }, { "truncated U+20AC (e2 82)", "\xE2\x82" },
  { "overlong U+20AC (f0 82 82 ac)", "\xF0\x82\x82\xAC" }, { "surrogate U+D800 (ed a0 80)", "\xED\xA0\x80" },
  { "U+110000 (f4 90 80 80)", "\xF4\x90\x80\x80" },
}

-- Edge bit patterns of f32 and f64 (a float value is its bits): zeros,
-- one, the extremes, subnormals, infinities and NaNs with payloads.
local FLOAT_EDGES = {
  [4] = { { "+0", 0 }, { "-0", 0x80000000 }, { "1.0", 0x3f800000 }, { "-2.5", 0xc0200000 },
    { "largest finite", 0x7f7fffff }, { "smallest normal", 0x00800000 }, { "smallest subnormal", 1 },
    { "+inf", 0x7f800000 }, { "-inf", 0xff800000 }, { "quiet NaN", 0x7fc00000 },
    { "signaling NaN, payload 1", 0x7f800001 }, { "all ones (-NaN)", 0xffffffff }, { "0x4030201 (byte order)", 0x04030201 } },
  [8] = { { "+0", 0 }, { "-0", math.mininteger }, { "1.0", 0x3ff0000000000000 }, { "-2.5", -0x3ffc000000000000 },
    { "largest finite", 0x7fefffffffffffff }, { "smallest normal", 0x0010000000000000 }, { "smallest subnormal", 1 },
    { "+inf", 0x7ff0000000000000 }, { "-inf", -0x0010000000000000 }, { "quiet NaN", 0x7ff8000000000000 },
    { "signaling NaN, payload 1", 0x7ff0000000000001 }, { "all ones (-NaN)", -1 },
    { "0x807060504030201 (byte order)", 0x0807060504030201 } },
}

-- A whole value of type t (structs and arrays too), each leaf from pick(leaf type).
local function compose(t, pick)
  local function fields_of(list)
    local value = {}
    for _, f in ipairs(list) do value[f.name] = compose(f.type, pick) end
    return value
  end
  if t.kind == "variant" then return { tag = t.v.tag, fields = fields_of(t.v.fields) } end
  if t.kind == "struct" then
    local value = {}
    for _, f in ipairs(t.decl.fields) do value[f.name] = compose(f.type, pick) end
    return value
  elseif t.kind == "array" then
    local list = {}
    for i = 1, t.count do list[i] = compose(t.elem, pick) end
    return list
  end
  return pick(t)
end

-- Edge values of a leaf type, each { label, value }; the first is zero's.
-- An opt field is one leaf: absent, then present with each edge value of
-- its type (a struct or array: present with every leaf zero, then max).
function edges(t)
  local k = t.kind
  if k == "union" then
    -- A union field is one leaf: each variant with its fields zero, then max.
    local list = {}
    for _, v in ipairs(t.decl.variants) do
      local vt = { kind = "variant", v = v }
      list[#list + 1] = { v.name .. ", zero", compose(vt, function(l) return edges(l)[1][2] end) }
      if #v.fields > 0 then list[#list + 1] = { v.name .. ", max", compose(vt, max_edge) } end
    end
    return list
  elseif k == "opt" then
    local list, e = { { "none", ref.NONE } }, t.elem
    if e.kind == "struct" or e.kind == "array" then
      list[2] = { "present, zero", compose(e, function(l) return edges(l)[1][2] end) }
      list[3] = { "present, max", compose(e, max_edge) }
    else
      for _, edge in ipairs(edges(e)) do list[#list + 1] = { "present " .. edge[1], edge[2] } end
    end
    return list
  elseif k == "int" then
    local lo, hi = ref.int_limits(t.bytes, t.signed)
    local order = 0
    for i = t.bytes, 1, -1 do order = (order << 8) | i end
    local list = { { "0", 0 }, { "max", hi } }
    if t.signed then list[#list + 1] = { "min", lo }; list[#list + 1] = { "-1", -1 } end
    list[#list + 1] = { string.format("0x%x (byte order)", order), order }
    return list
  elseif k == "float" then
    return FLOAT_EDGES[t.bytes]
  elseif k == "bool" then
    return { { "false", false }, { "true", true } }
  elseif k == "enum" then
    local list = {}
    for _, v in ipairs(t.decl.values) do list[#list + 1] = { v.name, v.value } end
    return list
  elseif k == "str" then
    local list = { { "length 0", "" }, { "length 1", "a" }, { "length max", letters(t.max) } }
    for _, u in ipairs(UTF8_VALID) do
      if #u[2] <= t.max then list[#list + 1] = u end
    end
    return list
  elseif k == "bytes" then
    return { { "length 0", "" }, { "length 1", "\255" }, { "length max", pattern(t.max, 0, 0x35) } }
  elseif k == "chan" then
    return { { "the next position", 0 } }   -- the encoder writes the position itself
  end
  error("conformance: no edges for a " .. tostring(k), 0)
end

-- The edge value with the longest encoding (ints: max; the last enum value).
function max_edge(t)
  if t.kind == "union" then
    local widest = t.decl.variants[1]
    for _, v in ipairs(t.decl.variants) do if v.max_size > widest.max_size then widest = v end end
    return compose({ kind = "variant", v = widest }, max_edge)
  end
  if t.kind == "opt" then
    local e = t.elem
    if e.kind == "struct" or e.kind == "array" then return compose(e, max_edge) end
    return max_edge(e)
  end
  local list = edges(t)
  if t.kind == "int" then return list[2][2] end
  if t.kind == "float" then return list[#list - 1][2] end
  if t.kind == "str" or t.kind == "bytes" then return list[3][2] end
  return list[#list][2]
end

-- Leaves of a field list in wire order: { path = { key, ... }, label, type }.
-- direct: the leaf is the variant's own (not inside a nested struct).
local function leaves(fields, prefix, label, out, nested)
  for _, f in ipairs(fields) do
    local function walk(t, path, name)
      if t.kind == "struct" then
        leaves(t.decl.fields, path, name .. ".", out, true)
      elseif t.kind == "array" then
        for i = 1, t.count do
          local p = table.move(path, 1, #path, 1, {})
          p[#p + 1] = i
          walk(t.elem, p, string.format("%s[%d]", name, i - 1))
        end
      else
        out[#out + 1] = { path = path, label = name, type = t, direct = not nested }
      end
    end
    local p = table.move(prefix, 1, #prefix, 1, {})
    p[#p + 1] = f.name
    walk(f.type, p, label .. f.name)
  end
  return out
end

-- The smallest value of type t: str and bytes empty, opt absent, each union
-- at its smallest variant, the rest its first edge value.
local smallest
local function smallest_leaf(t)
  if t.kind == "union" or t.kind == "opt" then return smallest(t) end
  return edges(t)[1][2]
end
function smallest(t)
  if t.kind == "opt" then return ref.NONE end
  if t.kind == "union" then
    local best = t.decl.variants[1]
    for _, v in ipairs(t.decl.variants) do if v.min_size < best.min_size then best = v end end
    return compose({ kind = "variant", v = best }, smallest_leaf)
  end
  return compose(t, smallest_leaf)
end

-- What a budget counts of value v of type t (wire_ref's rule): a str's or
-- bytes' contents, the bytes a struct or union takes beyond its smallest
-- encoding; through opt and arrays.
local function counted(t, v)
  local k = t.kind
  if k == "str" or k == "bytes" then return #v end
  if k == "struct" or k == "union" then return #ref.encode_value(t, v) - t.decl.min_size end
  if k == "opt" then return v == ref.NONE and 0 or counted(t.elem, v) end
  if k == "array" then
    local n = 0
    for i = 1, t.count do n = n + counted(t.elem, v[i]) end
    return n
  end
  return 0
end

local function counted_fields(fields, value)
  local n = 0
  for _, f in ipairs(fields) do n = n + counted(f.type, value[f.name]) end
  return n
end

-- value (of fields, under budget or nil) fitted, in wire order, to what
-- each struct's or variant's budget leaves: a str or bytes keeps what is
-- left (cut on a UTF-8 boundary), a struct or union field (fitted to its
-- own budget first) that takes more than is left becomes its smallest value.
local function fit(fields, value, budget)
  local left = budget
  local function cut(t, v)
    local k = t.kind
    if (k == "str" or k == "bytes") and left then
      local s = v:sub(1, math.min(#v, left))
      if k == "str" then while not utf8.len(s) do s = s:sub(1, -2) end end
      left = left - #s
      return s
    elseif k == "opt" and v ~= ref.NONE then
      return cut(t.elem, v)
    elseif k == "array" then
      local list = {}
      for i = 1, t.count do list[i] = cut(t.elem, v[i]) end
      return list
    elseif k == "struct" or k == "union" then
      local own
      if k == "struct" then own = fit(t.decl.fields, v, t.decl.budget)
      else
        local variant = ref.variant_of(t.decl, v.tag)
        own = { tag = v.tag, fields = fit(variant.fields, v.fields, variant.budget) }
      end
      if left then
        if counted(t, own) > left then own = smallest(t) end
        left = left - counted(t, own)
      end
      return own
    end
    return v
  end
  local out = {}
  for _, f in ipairs(fields) do out[f.name] = cut(f.type, value[f.name]) end
  return out
end

local function set_path(root, path, v)
  local node = root
  for i = 1, #path - 1 do
    local key = path[i]
    if node[key] == nil then node[key] = {} end
    node = node[key]
  end
  node[path[#path]] = v
end

-- A variant's value with every leaf from pick(leaf), as wire_ref takes it.
local function build(leaf_list, pick)
  local value = {}
  for _, leaf in ipairs(leaf_list) do set_path(value, leaf.path, pick(leaf)) end
  return value
end

local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- The tag byte (none for a struct) and every leaf's bytes, leaf i replaced
-- by raw[i] when given; chan leaves take positions after the variant's
-- declared caps.
local function splice(v, leaf_list, value, raw)
  local parts, pos = { v.tag and string.char(v.tag) or "" }, #v.caps
  for i, leaf in ipairs(leaf_list) do
    local node = value
    for _, key in ipairs(leaf.path) do node = node[key] end
    parts[#parts + 1] = raw[i] or ref.encode_value(leaf.type, node, pos)
    if leaf.type.kind == "chan" then pos = pos + 1 end
  end
  return table.concat(parts)
end

-- Undefined values of an enum worth trying: the gaps, one past the largest,
-- the type's extremes.
local function undefined_enum_values(decl)
  local defined, sorted = {}, {}
  for _, ev in ipairs(decl.values) do defined[ev.value] = true; sorted[#sorted + 1] = ev.value end
  table.sort(sorted)
  local lo, hi = ref.int_limits(decl.type.bytes, decl.type.signed)
  if hi == -1 then hi = math.maxinteger end
  local picks, seen = {}, {}
  local function try(n)
    if n >= lo and n <= hi and not defined[n] and not seen[n] then seen[n] = true; picks[#picks + 1] = n end
  end
  for i = 2, #sorted do for n = sorted[i - 1] + 1, math.min(sorted[i] - 1, sorted[i - 1] + 2) do try(n) end end
  if sorted[#sorted] < hi then try(sorted[#sorted] + 1) end
  try(hi)
  try(lo)
  return picks
end

-- Tags a union does not define: its extremes and the neighbours of used tags.
local function unknown_tags(u)
  local used, picks, seen = {}, {}, {}
  for _, v in ipairs(u.variants) do used[v.tag] = true end
  local function try(n)
    if n >= 0 and n <= 255 and not used[n] and not seen[n] then seen[n] = true; picks[#picks + 1] = n end
  end
  try(0)
  for _, v in ipairs(u.variants) do try(v.tag - 1); try(v.tag + 1) end
  try(255)
  table.sort(picks)
  return picks
end

-- A wire struct as the one "variant" of its message: no tag, its fields.
local function struct_variant(d)
  return { fields = d.fields, caps = {}, ncaps = d.ncaps, budget = d.budget, max_size = d.max_size }
end

-- The first of the opt fields that end fields (#fields + 1 when the last is
-- not opt): where an older peer's extensible message may end. Worked out
-- here from the rule, apart from wire_ref's, which the vectors then check.
local function first_trailing_opt(fields)
  local first = #fields + 1
  while first > 1 and fields[first - 1].type.kind == "opt" do first = first - 1 end
  return first
end

-- The vectors of message d (a union, or a wire struct, which is a message
-- too), valid ones first, in a fixed order. An extensible message's valid
-- ones also show both directions of growth: an older peer's message (cut
-- where a trailing opt field starts: decoded with it and those after it
-- absent) and a newer peer's (bytes after the known fields: skipped); its
-- other cuts are SHORT_BUFFER as for any message.
function M.message_vectors(d)
  local is_union = d.kind == "union"
  local variants = is_union and d.variants or { struct_variant(d) }
  -- The most bytes one message may have (a newer peer's too).
  local limit = d.message_limit or 0xffff
  local list, seen = {}, {}
  -- output: a valid input's canonical re-encoding (by default the input).
  local function add(name, input, expect, ncaps, output)
    local key = input .. "#" .. ncaps
    if seen[key] then return end
    seen[key] = true
    list[#list + 1] = { message = d.name, name = name, input = input, ncaps = ncaps, expect = expect,
      output = expect == "OK" and (output or input) or nil }
  end
  -- "V: what" for a union's variant, "what" for a struct.
  local function label(v, what) return v.name and v.name .. ": " .. what or what end
  local function message_of(v, value) return is_union and { tag = v.tag, fields = value } or value end
  local per_variant = {}
  for _, v in ipairs(variants) do
    local leaf_list = leaves(v.fields, {}, "", {})
    local zero = fit(v.fields, build(leaf_list, function(l) return edges(l.type)[1][2] end), v.budget)
    local max = fit(v.fields, build(leaf_list, function(l) return max_edge(l.type) end), v.budget)
    per_variant[#per_variant + 1] = { v = v, leaves = leaf_list, zero = zero, max = max }
    local function valid(name, value)
      value = fit(v.fields, value, v.budget)
      local bytes, ncaps = ref.encode(d, message_of(v, value))
      assert(bytes == splice(v, leaf_list, value, {}), "conformance: leaf walk disagrees with wire_ref.encode")
      assert(ncaps == v.ncaps, "conformance: wire_ref.encode disagrees with the model's capability count")
      add(label(v, name), bytes, "OK", ncaps)
    end
    valid("zero", zero)
    for i, leaf in ipairs(leaf_list) do
      for j, edge in ipairs(edges(leaf.type)) do
        if j > 1 then
          local value = build(leaf_list, function(l)
            if l == leaf_list[i] then return edge[2] end   -- (edge[2] may be false)
            return edges(l.type)[1][2]
          end)
          valid(leaf.label .. " = " .. edge[1], value)
        end
      end
    end
    if #leaf_list > 0 then valid("max", max) end
    if d.extensible then
      -- An older peer's message: zero and max cut where each trailing opt
      -- field starts, decoding with it and the fields after it absent.
      local tail = first_trailing_opt(v.fields)
      for _, which in ipairs({ "zero", "max" }) do
        local value = per_variant[#per_variant][which]
        local start = v.tag and 1 or 0
        for j, f in ipairs(v.fields) do
          if j >= tail then
            local older, gone = {}, {}
            for k, g in ipairs(v.fields) do
              if k < j then older[g.name] = value[g.name]   -- (which may be false)
              else older[g.name], gone[#gone + 1] = ref.NONE, g.name end
            end
            local bytes = splice(v, leaf_list, value, {})
            add(label(v, string.format("%s cut to %d bytes, before %s: an older peer's (%s absent)", which, start, f.name,
              table.concat(gone, ", "))), bytes:sub(1, start), "OK", v.ncaps, (ref.encode(d, message_of(v, older))))
          end
          start = start + #ref.encode_value(f.type, value[f.name])
        end
      end
      -- A newer peer's: bytes after the fields this side knows, skipped
      -- (an appended opt field absent, one present, bytes that would be no
      -- presence byte here), within the message limit.
      local zero_bytes = splice(v, leaf_list, zero, {})
      local max_bytes = splice(v, leaf_list, max, {})
      for _, more in ipairs({ { zero_bytes, "zero", "\0", "00: a newer peer's opt field, absent" },
          { zero_bytes, "zero", "\1\42\0\0\0", "01 2a 00 00 00: a newer peer's opt u32, present" },
          { max_bytes, #leaf_list > 0 and "max" or "zero", "\255\255", "ff ff: a newer peer's bytes, skipped unread" } }) do
        if #more[1] + #more[3] <= limit then
          add(label(v, more[2] .. " + " .. more[4]), more[1] .. more[3], "OK", v.ncaps, more[1])
        end
      end
    end
  end

  -- (An extensible struct of opt fields only decodes it: added above.)
  add("empty input", "", "SHORT_BUFFER", is_union and 0 or d.ncaps)
  for _, pv in ipairs(per_variant) do
    local v = pv.v
    -- Every cut of max; zero's too where its fields move (str, bytes). An
    -- extensible message's cuts where a trailing opt field starts are
    -- valid, added above.
    local max_len = #splice(v, pv.leaves, pv.max, {})
    for _, which in ipairs({ "max", "zero" }) do
      local bytes = splice(v, pv.leaves, pv[which], {})
      for n = 1, (which == "max" or #bytes ~= max_len) and #bytes - 1 or 0 do
        add(label(v, string.format("%s cut to %d of %d bytes", which, n, #bytes)), bytes:sub(1, n), "SHORT_BUFFER", v.ncaps)
      end
    end
  end
  if is_union then
    local first_body = splice(d.variants[1], per_variant[1].leaves, per_variant[1].zero, {}):sub(2)
    for i, tag in ipairs(unknown_tags(d)) do
      add(string.format("tag %d: unknown", tag), string.char(tag), "UNKNOWN_TAG", 0)
      if i == 1 and #first_body > 0 then
        add(string.format("tag %d: unknown, with %s's body", tag, d.variants[1].name), string.char(tag) .. first_body,
          "UNKNOWN_TAG", d.variants[1].ncaps)
      end
    end
  end
  for _, pv in ipairs(per_variant) do
    local v = pv.v
    local pos = #v.caps
    for i, leaf in ipairs(pv.leaves) do
      local t = leaf.type
      local function bad(name, raw, expect)
        add(label(v, leaf.label .. " " .. name), splice(v, pv.leaves, pv.zero, { [i] = raw }), expect, v.ncaps)
      end
      if t.kind == "chan" then
        bad(string.format("= %d (the next position is %d)", pos + 1, pos), string.char(pos + 1), "BAD_CAP")
        if pos > 0 then bad(string.format("= %d (taken before)", pos - 1), string.char(pos - 1), "BAD_CAP") end
        bad("= 255", "\255", "BAD_CAP")
        pos = pos + 1
      end
      if t.kind == "str" then
        for _, u in ipairs(UTF8_INVALID) do
          if #u[2] <= t.max then bad("not UTF-8: " .. u[1], ref.le(#u[2], 2) .. u[2], "BAD_UTF8") end
        end
      end
      if (t.kind == "str" or t.kind == "bytes") and t.max < 0xffff then
        bad(string.format("length %d > %d", t.max + 1, t.max), ref.le(t.max + 1, 2) .. pattern(t.max + 1, 0x61, 0), "TOO_LONG")
        bad(string.format("length 65535 > %d, no bytes follow", t.max), "\255\255", "TOO_LONG")
      elseif t.kind == "union" then
        for j, tag in ipairs(unknown_tags(t.decl)) do
          if j <= 2 then bad(string.format("tag %d: unknown", tag), string.char(tag), "UNKNOWN_TAG") end
        end
      elseif t.kind == "opt" then
        bad("presence byte 2", "\2", "BAD_OPT")
        bad("presence byte 255", "\255", "BAD_OPT")
      elseif t.kind == "bool" then
        bad("= 2", "\2", "BAD_BOOL")
        bad("= 255", "\255", "BAD_BOOL")
      elseif t.kind == "enum" then
        for _, n in ipairs(undefined_enum_values(t.decl)) do
          bad(string.format("= %d (undefined)", n), ref.le(n, t.decl.type.bytes), "BAD_ENUM")
        end
      end
    end
    -- Over the budget, where max fills it exactly: the first str/bytes not
    -- at its bound one byte longer goes over at its length; a union (as a
    -- field or inside a struct field) that max holds smaller than its widest
    -- goes over, at its widest, once it is read.
    local exact = v.budget and counted_fields(v.fields, pv.max) == v.budget
    local longer, wider = false, false
    for i, leaf in ipairs(exact and pv.leaves or {}) do
      local t = leaf.type
      local node = pv.max
      for _, key in ipairs(leaf.path) do node = node[key] end
      if not longer and leaf.direct and (t.kind == "str" or t.kind == "bytes") and #node < t.max then
        longer = true
        local raw = ref.le(#node + 1, 2) .. pattern(#node + 1, 0x61, 0)
        add(label(v, string.format("max with %s one byte longer (over the budget %d)", leaf.label, v.budget)),
          splice(v, pv.leaves, pv.max, { [i] = raw }), "OVER_BUDGET", v.ncaps)
      elseif t.kind == "union" and not wider then
        local wide = fit({ { name = "u", type = t } }, { u = max_edge(t) }).u
        if counted(t, wide) > counted(t, node) then
          wider = true
          add(label(v, string.format("max with %s at its widest (over the budget %d)", leaf.label, v.budget)),
            splice(v, pv.leaves, pv.max, { [i] = ref.encode_value(t, wide) }), "OVER_BUDGET", v.ncaps)
        end
      end
    end
    if not d.extensible then
      add(label(v, "zero + byte 00 after the end"), splice(v, pv.leaves, pv.zero, {}) .. "\0", "TRAILING_BYTES", v.ncaps)
      add(label(v, "max + byte ff after the end"), splice(v, pv.leaves, pv.max, {}) .. "\255", "TRAILING_BYTES", v.ncaps)
    end
    local zero = splice(v, pv.leaves, pv.zero, {})
    if v.ncaps > 0 then
      add(label(v, string.format("zero with %d of its %d capabilities", v.ncaps - 1, v.ncaps)), zero, "BAD_CAP", v.ncaps - 1)
    end
    add(label(v, string.format("zero with a capability more than its %d", v.ncaps)), zero, "BAD_CAP", v.ncaps + 1)
  end

  for _, vec in ipairs(list) do M.check(d, vec) end
  return list
end

-- Holds one vector to the reference decoder: the verdict it names, and for
-- a valid input a value that encodes back to the same bytes.
function M.check(u, vec)
  local m, err = ref.decode(u, vec.input, vec.ncaps)
  local got = m and "OK" or err
  if got ~= vec.expect then
    error(string.format("conformance: %s \"%s\": the reference decoder gives %s, not %s", u.name, vec.name, got, vec.expect), 0)
  end
  if m then
    local again, ncaps = ref.encode(u, m)
    local back = ref.decode(u, again, ncaps)
    if again ~= vec.output or ncaps ~= vec.ncaps or not deep_equal(back, m) then
      error(string.format("conformance: %s \"%s\" does not round-trip in the reference codec", u.name, vec.name), 0)
    end
  end
end

return M
