-- C names and types for the schema's model, shared by the C generators.

local M = {}

-- "sync_timer_mode" -> "SYNC_TIMER_MODE"; "TimerRequest" -> "TIMER_REQUEST".
function M.upper(name)
  return (name:gsub("(%l)(%u)", "%1_%2"):gsub("(%u)(%u%l)", "%1_%2"):upper())
end

function M.enum_value(enum, value) return M.upper(enum.name) .. "_" .. value.name end

-- Integer literal for a constant of an integer type, usable in #if.
function M.literal(t, v)
  if t.signed then
    if t.bytes == 8 then return v == math.mininteger and "(-9223372036854775807LL - 1)" or (tostring(v) .. "LL") end
    return tostring(v)
  end
  return tostring(v) .. (t.bytes == 8 and "ULL" or "u")
end

local function int_c(t, style)
  if style == "bpf" then return (t.signed and "__s" or "__u") .. (t.bytes * 8) end
  return (t.signed and "int" or "uint") .. (t.bytes * 8) .. "_t"
end
M.int_c = int_c

-- C type of a resolved field type (arrays: the element type; see declarator).
-- style: "c" (stdint) or "bpf" (__u32 ...).
function M.ctype(t, style)
  if t.kind == "int" then return int_c(t, style) end
  if t.kind == "float" then return t.bytes == 4 and "float" or "double" end
  if t.kind == "bool" then return style == "bpf" and "__u8" or "bool" end
  if t.kind == "chan" then return "uint32_t" end   -- a transport handle; on the wire a u8 index
  if t.kind == "enum" then return int_c(t.decl.type, style) end
  if t.kind == "struct" then
    if t.decl.layout == "c" then return "struct " .. t.decl.name end
    return t.decl.name
  end
  if t.kind == "union" then return t.decl.name end
  if t.kind == "array" then return M.ctype(t.elem, style) end
  error("no scalar C type for " .. t.kind)
end

-- A bound as C: the constant's name where the schema used one.
function M.bound(n, name) return name or tostring(n) end

-- "type name[dims]" for a struct member (an opt member: its value's).
function M.declarator(t, name, style)
  if t.kind == "opt" then
    return M.declarator(t.elem, name, style)
  elseif t.kind == "str" then
    return string.format("struct { uint16_t len; char data[%s + 1]; } %s", M.bound(t.max, t.max_name), name)
  elseif t.kind == "bytes" then
    return string.format("struct { uint16_t len; uint8_t data[%s]; } %s", M.bound(t.max, t.max_name), name)
  elseif t.kind == "array" then
    local inner = M.declarator(t.elem, name, style)
    return inner .. "[" .. M.bound(t.count, t.count_name) .. "]"
  end
  return M.ctype(t, style) .. " " .. name
end

-- The presence flag of opt member x ("m->u.V.x" -> "m->u.V.has_x").
function M.has(x) return (x:gsub("([%w_]+)$", "has_%1")) end

-- C for the layout words of invariants (see expr.lua).
function M.layout_c(fn, tname, field, model)
  if fn == "sizeof" then return "sizeof(struct " .. tname .. ")" end
  if fn == "offsetof" then return "__builtin_offsetof(struct " .. tname .. ", " .. field .. ")" end
  if fn == "bits" then return "(8 * sizeof(((struct " .. tname .. " *)0)->" .. field .. "))" end
  local d = model.by_name[tname]
  return d.name .. "_MAX_SIZE"
end

-- Headers of other protocols that a file's invariants or bounds refer to.
function M.deps(file, model)
  local seen, out = {}, {}
  local function add(name)
    local d = model.by_name[name]
    if d and d.protocol ~= file.protocol.name and not seen[d.protocol] then
      seen[d.protocol] = true
      out[#out + 1] = d.protocol
    end
  end
  local function walk_type(t)
    if t.kind == "array" or t.kind == "opt" then walk_type(t.elem) end
    if t.max_name then add(t.max_name) end
    if t.count_name then add(t.count_name) end
    if t.decl then add(t.decl.name) end
  end
  local function walk_expr(n)
    if n.k == "const" then add(n.name) elseif n.k == "call" then add(n.type)
    elseif n.k == "unary" then walk_expr(n.e) elseif n.k == "bin" then walk_expr(n.l); walk_expr(n.r) end
  end
  for _, d in ipairs(file.decls) do
    for _, f in ipairs(d.fields or {}) do walk_type(f.type) end
    for _, v in ipairs(d.variants or {}) do for _, f in ipairs(v.fields) do walk_type(f.type) end end
    if d.tree then walk_expr(d.tree) end
  end
  table.sort(out)
  return out
end

return M
