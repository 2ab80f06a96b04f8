-- Loads schema files and checks them, giving one model for every generator.
--
-- A schema file is Lua run in an environment that has only the declaration
-- words below; each word records the file and line it was written on, so a
-- mistake stops the generator with `schema/FILE.lua:LINE: what is wrong`.
--
--   protocol "name" { doc, service?, max_clients?, app_quota?, attach?, refusal? }
--                                   one per file, first; service = "NAME"
--                                   makes it a kernel service (see check_service)
--   const "NAME" { type, value, doc, limit? }   limit = true: a limit, a
--                                   value a build may change (--set), whose
--                                   smallest legal value tests/tree/limits
--                                   builds and runs (the manifest lists them);
--                                   limit = "ROLE" is a limit the generator
--                                   also checks the schemas against:
--                                   "message_bytes", "message_caps" (the
--                                   transport's), "services", "service_name"
--   enum "name" { type, doc, value "V" { n, doc } ... }
--   struct "Name" { layout = "wire"|"c", budget?, extensible?, doc, field ... }
--   union "Name" { extensible?, doc, variant "V" { tag, budget?, doc, cap ..., field ... } ... }
--                                   extensible = true: a whole message (never
--                                   a field of another type) that may grow:
--                                   its decoders skip bytes past the fields
--                                   they know and read an input that ends
--                                   before its trailing opt fields as those
--                                   fields absent; the wire lock lets opt
--                                   fields be appended to it
--                                   budget = N or "CONST": the bytes of the
--                                   str/bytes fields (not their length
--                                   prefixes) and those struct and union
--                                   fields take beyond their smallest
--                                   encoding, together at most N
--   cap "name" { protocol = "P"|"any", doc }   a channel the message carries
--                                              beside its bytes, by position
--   field types: u8..u64, i8..i64, f32, f64, bool, str, bytes, chan,
--   enums and structs by name
--   field "name" { "type", max?, count?, bitmask?, protocol?, opt?, doc? }
--                                   ("chan": a channel handle inside the data;
--                                   opt = true: a u8 0/1, then the value when 1;
--                                   a union's name: its u8 tag, then that variant's fields)
--   rpc "name" { request = "Union.Variant", doc,
--                response = "Union[.Variant]" | { "Union.A", "Union.B" } | "WireStruct" }
--   syscall "name" { number, result, doc, arg "name" { "type" } ... }
--   bpf_map "name" { type, key, value, max_entries, doc }
--   invariant "expression" { doc }
--   wire_break "Name" { reason }            a deliberate wire break (gen/wire_lock.lua)

local expr = require("expr")

local M = {}

local INT_TYPES = {
  u8 = { bytes = 1, signed = false }, u16 = { bytes = 2, signed = false },
  u32 = { bytes = 4, signed = false }, u64 = { bytes = 8, signed = false },
  i8 = { bytes = 1, signed = true }, i16 = { bytes = 2, signed = true },
  i32 = { bytes = 4, signed = true }, i64 = { bytes = 8, signed = true },
}
M.INT_TYPES = INT_TYPES
-- IEEE 754 binary32 / binary64, little-endian; every bit pattern is valid.
local FLOAT_TYPES = { f32 = 4, f64 = 8 }

-- Syscall argument kinds, in the order of the generated enum syscall_arg_kind:
-- the C type on each side of the ecall, and for 32-bit ones the C test for
-- a 64-bit register value the type cannot hold (the generated table refuses it).
local SYSCALL_ARG_KINDS = {
  { name = "u32", kernel = "uint32_t", user = "uint32_t", out_of_range = "a%d > UINT32_MAX" },
  { name = "i32", kernel = "int32_t", user = "int32_t", out_of_range = "a%d != (uint64_t)(int64_t)(int32_t)a%d" },
  { name = "u64", kernel = "uint64_t", user = "uint64_t" },
  { name = "i64", kernel = "int64_t", user = "int64_t" },
  { name = "usize", kernel = "uint64_t", user = "uint64_t" },
  { name = "uptr_in", kernel = "uint64_t", user = "const void *" },
  { name = "uptr_out", kernel = "uint64_t", user = "void *" },
}
M.SYSCALL_ARG_KINDS = SYSCALL_ARG_KINDS
local SYSCALL_ARG_TYPES = {}
for _, k in ipairs(SYSCALL_ARG_KINDS) do SYSCALL_ARG_TYPES[k.name] = k end
M.SYSCALL_ARG_TYPES = SYSCALL_ARG_TYPES
local SYSCALL_RESULTS = { isize = true, u64 = true }
local MAP_TYPES = { array = true, percpu_array = true, hash = true, percpu_hash = true }
local MAX_SYSCALL_ARGS = 6

-- Options each word accepts (positional [1] is checked by the word itself).
local OPTIONS = {
  protocol = { doc = true, service = true, max_clients = true, app_quota = true, attach = true, refusal = true },
  const = { type = true, value = true, doc = true, limit = true },
  enum = { type = true, doc = true },
  value = { doc = true },
  struct = { layout = true, budget = true, extensible = true, doc = true },
  union = { extensible = true, doc = true },
  variant = { tag = true, budget = true, doc = true },
  cap = { protocol = true, doc = true },
  field = { max = true, count = true, bitmask = true, protocol = true, opt = true, doc = true },
  rpc = { request = true, response = true, doc = true },
  syscall = { number = true, result = true, doc = true },
  arg = { doc = true },
  bpf_map = { type = true, key = true, value = true, max_entries = true, doc = true },
  invariant = { doc = true },
  wire_break = { reason = true },
}
-- Which nested words each word holds in its list part.
local CHILDREN = { enum = { value = true }, struct = { field = true }, union = { variant = true },
  variant = { field = true, cap = true }, syscall = { arg = true } }
-- What each const limit names.
local LIMITS = { message_bytes = "the largest message", message_caps = "the capabilities one message carries",
  message_registers = "the bytes call and reply_recv carry in registers",
  services = "the kernel services", service_name = "the longest service name" }
local TOP_LEVEL = { protocol = true, const = true, enum = true, struct = true, union = true,
  rpc = true, syscall = true, bpf_map = true, invariant = true, wire_break = true }
-- Words whose name refers to another declaration instead of declaring one.
local REFERS = { invariant = true, wire_break = true }

local function where(node) return string.format("%s:%d", node.file, node.line) end

local function fail(node, fmt, ...)
  error(where(node) .. ": " .. string.format(fmt, ...), 0)
end

local function is_ident(s) return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil end

-- Names a field, cap or syscall argument cannot have: C keywords, the C
-- types the generated code names (a stub parameter of that name would hide
-- the type), and the names the syscall wrappers use for their registers.
-- Client stubs rename their own parameters and locals around the fields'
-- (gen/c_client.lua), so they reserve none.
local C_KEYWORDS = {}
for w in ([[auto break case char const continue default do double else enum extern
  float for goto if inline int long register restrict return short signed sizeof static
  struct switch typedef union unsigned void volatile while _Alignas _Alignof _Atomic
  _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local bool true
  false NULL]]):gmatch("%S+") do C_KEYWORDS[w] = true end
local C_TYPE_NAMES = { size_t = true }
for _, bits in ipairs({ 8, 16, 32, 64 }) do C_TYPE_NAMES["int" .. bits .. "_t"], C_TYPE_NAMES["uint" .. bits .. "_t"] = true, true end

-- Syscall wrappers name their registers a0..a7.
local function check_member_name(node, what, registers)
  if not is_ident(node.name) then fail(node, "%s name '%s' is not an identifier", what, node.name) end
  if C_KEYWORDS[node.name] then fail(node, "%s name '%s' is a C keyword", what, node.name) end
  if C_TYPE_NAMES[node.name] then fail(node, "%s name '%s' is a C type the generated code uses", what, node.name) end
  if (registers and node.name:match("^a%d$")) or node.name:match("^[Pp][Rr][Oo][Tt][Oo]_") then
    fail(node, "%s name '%s' is reserved for the generated C's own names", what, node.name)
  end
end

-- "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
local function quoted_list(list)
  local q = {}
  for i, s in ipairs(list) do q[i] = "'" .. s .. "'" end
  local last = table.remove(q)
  return #q == 0 and last or table.concat(q, ", ") .. " and " .. last
end

-- A stray list item as text: a table or function by its kind, never by its
-- address (which changes from run to run).
local function item_text(v)
  if type(v) == "table" or type(v) == "function" then return "a " .. type(v) end
  return tostring(v)
end

-- Runs one schema file; returns its declarations in order.
local function run_file(path)
  local chunk_text
  do
    local f, err = io.open(path, "r")
    if not f then error(err, 0) end
    chunk_text = f:read("a")
    f:close()
  end
  local decls, opened = {}, {}
  local env = {}

  local function word(kind)
    return function(name)
      local info = debug.getinfo(2, "Sl")
      local node = { kind = kind, name = name, file = path, line = info.currentline or 0 }
      if type(name) ~= "string" then
        fail(node, "%s needs a name in quotes, e.g. %s \"name\" { ... }", kind, kind)
      end
      opened[#opened + 1] = node
      return function(body)
        if type(body) ~= "table" then fail(node, "%s \"%s\" needs a body { ... }", kind, name) end
        node.closed = true
        node.body = body
        -- Every unknown option, sorted: pairs() order changes from run to run.
        local unknown = {}
        for k in pairs(body) do
          if type(k) == "string" and not OPTIONS[kind][k] then unknown[#unknown + 1] = k end
        end
        if #unknown > 0 then
          table.sort(unknown)
          fail(node, "%s \"%s\": unknown option%s %s", kind, name, #unknown > 1 and "s" or "", quoted_list(unknown))
        end
        node.doc = body.doc
        if body.doc ~= nil and type(body.doc) ~= "string" then fail(node, "%s \"%s\": doc must be a string", kind, name) end
        local children = {}
        for i, child in ipairs(body) do
          if type(child) == "table" and child.kind then
            if not (CHILDREN[kind] or {})[child.kind] then
              fail(child, "%s \"%s\" cannot be inside %s \"%s\"", child.kind, child.name, kind, name)
            end
            child.used = true
            children[#children + 1] = child
          elseif i > 1 or not (kind == "field" or kind == "value" or kind == "arg") then
            fail(node, "%s \"%s\": unexpected list item %d (%s)", kind, name, i, item_text(child))
          end
        end
        node.children = children
        if TOP_LEVEL[kind] then decls[#decls + 1] = node end
        return node
      end
    end
  end
  for kind in pairs(OPTIONS) do env[kind] = word(kind) end
  setmetatable(env, { __index = function(_, k) error("unknown word '" .. tostring(k) .. "'", 2) end,
    __newindex = function(_, k) error("schema files cannot set globals ('" .. tostring(k) .. "')", 2) end })

  local chunk, err = load(chunk_text, "@" .. path, "t", env)
  if not chunk then error(err, 0) end
  local ok, run_err = pcall(chunk)
  if not ok then error(run_err, 0) end
  for _, node in ipairs(opened) do
    if not node.closed then fail(node, "%s \"%s\" has no body { ... }", node.kind, node.name) end
    if not TOP_LEVEL[node.kind] and not node.used then
      fail(node, "%s \"%s\" must be inside a %s", node.kind, node.name,
        node.kind == "value" and "enum" or node.kind == "arg" and "syscall"
        or node.kind == "variant" and "union" or node.kind == "cap" and "variant"
        or "struct or variant")
    end
  end
  return decls
end

-- The model's checks, in dependency order ---------------------------------

local Model = {}
Model.__index = Model

-- "an enum", "an invariant", "a union": the article by sound, not letter.
local function a_kind(kind) return ((kind == "enum" or kind == "invariant") and "an " or "a ") .. kind end

-- The kinds a lookup wants as text, in a fixed order: "an enum, a struct or a union".
local function kinds_text(want)
  local list = {}
  for kind in pairs(want) do list[#list + 1] = kind end
  table.sort(list)
  for i, kind in ipairs(list) do list[i] = a_kind(kind) end
  local last = table.remove(list)
  return #list == 0 and last or table.concat(list, ", ") .. " or " .. last
end

function Model:lookup(node, name, want)
  local d = self.by_name[name]
  if not d then fail(node, "unknown name '%s'", name) end
  if want and not want[d.kind] then fail(node, "'%s' is %s, not %s", name, a_kind(d.kind), kinds_text(want)) end
  return d
end

-- A bound or count: a positive integer or the name of an integer const.
function Model:integer_ref(node, v, what, limit)
  local n, name = v, nil
  if type(v) == "string" then
    local c = self:lookup(node, v, { const = true })
    n, name = c.value, c.name
  end
  if math.type(n) ~= "integer" or n < 1 or n > limit then
    fail(node, "%s must be an integer from 1 to %d, not %s", what, limit, tostring(v))
  end
  return n, name
end

-- Type names newcomers reach for, and the schema's names they may mean.
local TYPE_ALIASES = {
  string = { "str" }, text = { "str" }, blob = { "bytes" }, binary = { "bytes" }, bytearray = { "bytes" },
  float = { "f32" }, single = { "f32" }, double = { "f64" }, boolean = { "bool" }, ["_bool"] = { "bool" },
  int = { "i32", "u32" }, integer = { "i32", "u32" }, uint = { "u32" }, unsigned = { "u32" },
  short = { "i16" }, ushort = { "u16" }, long = { "i64" }, ulong = { "u64" }, byte = { "u8" }, char = { "u8" },
  size = { "usize", "u64" }, size_t = { "usize", "u64" }, channel = { "chan" }, handle = { "chan" }, cap = { "chan" },
}

-- What an unknown type name may have meant, among the names in valid (a
-- list, in a fixed order): a known alias ("string" -> str), a C or Rust
-- spelling of an integer or float ("uint32_t", "u32_t", "int8", "float64"),
-- or a valid name spelt in another case. Returns " (did you mean ...?)" or "".
local function type_suggestion(name, valid)
  if type(name) ~= "string" then return "" end
  local lower = name:lower()
  local bare = lower:gsub("_t$", "")
  local guesses = {}
  for _, g in ipairs(TYPE_ALIASES[lower] or TYPE_ALIASES[bare] or {}) do guesses[#guesses + 1] = g end
  local u, bits = bare:match("^(u?)int(%d+)$")
  if not bits then u, bits = bare:match("^([ui])(%d+)$") end
  if bits then guesses[#guesses + 1] = ((u == "u") and "u" or "i") .. bits end
  local fbits = bare:match("^float(%d+)$") or bare:match("^f(%d+)$")
  if fbits then guesses[#guesses + 1] = "f" .. fbits end
  local ok, picks, seen = {}, {}, {}
  for _, v in ipairs(valid) do ok[v] = true end
  for _, g in ipairs(guesses) do
    if ok[g] and not seen[g] and g ~= name then seen[g] = true; picks[#picks + 1] = "'" .. g .. "'" end
  end
  for _, v in ipairs(valid) do
    if v:lower() == lower and not seen[v] and v ~= name then seen[v] = true; picks[#picks + 1] = "'" .. v .. "'" end
  end
  if #picks == 0 then return "" end
  return "; did you mean " .. table.concat(picks, " or ") .. "?"
end

local INT_NAMES = { "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64" }

function Model:int_type(node, name, what)
  local t = INT_TYPES[name]
  if not t then
    fail(node, "%s: '%s' is not an integer type (u8..u64, i8..i64)%s", what, tostring(name), type_suggestion(name, INT_NAMES))
  end
  return { kind = "int", name = name, bytes = t.bytes, signed = t.signed }
end

local function fits(t, v)
  if t.bytes == 8 then return t.signed or v >= 0 end
  local bits = t.bytes * 8
  if t.signed then return v >= -(1 << (bits - 1)) and v <= (1 << (bits - 1)) - 1 end
  return v >= 0 and v <= (1 << bits) - 1
end

function Model:check_const(c)
  c.type = self:int_type(c, c.body.type, "const " .. c.name)
  local v = c.body.value
  if math.type(v) ~= "integer" then fail(c, "const %s: value must be an integer", c.name) end
  if not fits(c.type, v) then fail(c, "const %s: %d does not fit %s", c.name, v, c.type.name) end
  c.value = v
  local role = c.body.limit
  c.limit = role ~= nil
  if role == true then
    self.limit_list[#self.limit_list + 1] = c
  elseif role ~= nil then
    self.limit_list[#self.limit_list + 1] = c
    if not LIMITS[role] then
      local names = {}
      for k in pairs(LIMITS) do names[#names + 1] = '"' .. k .. '"' end
      table.sort(names)
      fail(c, "const %s: limit must be true or one of %s", c.name, table.concat(names, ", "))
    end
    local prev = self.limits[role]
    if prev then fail(c, "const %s: %s already has limit = \"%s\" (%s)", c.name, prev.name, role, where(prev)) end
    self.limits[role] = c
  end
end

function Model:check_enum(e)
  e.type = self:int_type(e, e.body.type, "enum " .. e.name)
  e.values = {}
  local names, numbers = {}, {}
  for _, v in ipairs(e.children) do
    local n = v.body[1]
    if not is_ident(v.name) then fail(v, "enum value name '%s' is not an identifier", v.name) end
    if math.type(n) ~= "integer" then fail(v, "value %s needs an integer, e.g. value \"%s\" { 0 }", v.name, v.name) end
    if not fits(e.type, n) then fail(v, "value %s = %d does not fit %s", v.name, n, e.type.name) end
    if names[v.name] then fail(v, "enum %s: duplicate value name %s", e.name, v.name) end
    if numbers[n] then fail(v, "enum %s: %s and %s are both %d", e.name, numbers[n], v.name, n) end
    names[v.name], numbers[n] = true, v.name
    e.values[#e.values + 1] = { name = v.name, value = n, doc = v.doc, line = v.line }
  end
  if #e.values == 0 then fail(e, "enum %s has no values", e.name) end
end

local wire_size, type_caps

-- Every name a field's type may be: the built-in ones, then the enums,
-- structs and unions in schema order.
function Model:field_type_names()
  local names = { "bool", "str", "bytes", "chan", "f32", "f64" }
  for _, n in ipairs(INT_NAMES) do names[#names + 1] = n end
  for _, file in ipairs(self.files) do
    for _, d in ipairs(file.decls) do
      if d.kind == "enum" or d.kind == "struct" or d.kind == "union" then names[#names + 1] = d.name end
    end
  end
  return names
end

-- Resolves a field's type; wire = true forbids what cannot cross the wire.
function Model:field_type(f, spec, layout)
  local o = f.body
  local t
  if INT_TYPES[spec] then
    t = self:int_type(f, spec, "field " .. f.name)
  elseif FLOAT_TYPES[spec] then
    t = { kind = "float", name = spec, bytes = FLOAT_TYPES[spec] }
  elseif spec == "bool" then
    t = { kind = "bool" }
  elseif spec == "chan" then
    if layout == "c" then fail(f, "field %s: chan cannot be in a C-layout struct", f.name) end
    t = { kind = "chan", protocol = self:cap_protocol(f, o.protocol) }
  elseif spec == "str" or spec == "bytes" then
    if layout == "c" then fail(f, "field %s: %s cannot be in a C-layout struct", f.name, spec) end
    if o.max == nil then fail(f, "field %s: %s needs a bound, e.g. max = 64", f.name, spec) end
    local max, max_name = self:integer_ref(f, o.max, "field " .. f.name .. ": max", 65535)
    t = { kind = spec, max = max, max_name = max_name }
  elseif type(spec) == "string" then
    if not self.by_name[spec] then
      local hint = type_suggestion(spec, self:field_type_names())
      fail(f, "field %s: '%s' is not a type%s", f.name, spec,
        hint ~= "" and hint or " (u8..u64, i8..i64, f32, f64, bool, str, bytes, chan, or an enum, struct or union by name)")
    end
    local d = self:lookup(f, spec, { struct = true, enum = true, union = true })
    -- Decoding an extensible message skips what follows its known fields
    -- to the end of the input: inside other data there is no end to skip to
    -- (no length prefix says where it stops).
    local function not_extensible()
      if d.extensible then
        fail(d, "%s %s is extensible, but field %s (%s) holds it: a nested %s has no length to skip by, so only a whole message can be extensible",
          d.kind, d.name, f.name, where(f), d.kind)
      end
    end
    if d.kind == "enum" then
      t = { kind = "enum", decl = d }
    elseif d.kind == "union" then
      -- A union inside data: its u8 tag, then that variant's fields.
      if layout == "c" then fail(f, "field %s: union %s cannot be in a C-layout struct", f.name, d.name) end
      self:check_union(d)
      not_extensible()
      if d.max_caps > 0 then
        fail(f, "field %s: union %s carries capabilities, which a union field cannot", f.name, d.name)
      end
      t = { kind = "union", decl = d }
    else
      if d.layout ~= layout then
        fail(f, "field %s: struct %s has %s layout and cannot be used in a %s-layout type", f.name, d.name, d.layout, layout)
      end
      self:check_struct(d)
      not_extensible()
      t = { kind = "struct", decl = d }
    end
  else
    fail(f, "field %s needs a type first, e.g. field \"%s\" { \"u32\" }", f.name, f.name)
  end
  if o.protocol ~= nil and t.kind ~= "chan" then
    fail(f, "field %s: protocol is only for chan", f.name)
  end
  if o.max ~= nil and t.kind ~= "str" and t.kind ~= "bytes" then
    fail(f, "field %s: max is only for str and bytes", f.name)
  end
  if o.bitmask ~= nil then
    if not (t.kind == "int" and not t.signed) then fail(f, "field %s: bitmask needs an unsigned integer type", f.name) end
    -- bitmask = "CONST": bit ids are 0 .. CONST - 1, and they must fit the field.
    local n, name = self:integer_ref(f, o.bitmask, "field " .. f.name .. ": bitmask", t.bytes * 8)
    t.bitmask_limit, t.bitmask_limit_name = n, name
  end
  if o.count ~= nil then
    local n, name = self:integer_ref(f, o.count, "field " .. f.name .. ": count", 65535)
    t = { kind = "array", elem = t, count = n, count_name = name }
  end
  if o.opt ~= nil then
    if o.opt ~= true then fail(f, "field %s: opt must be true (or left out)", f.name) end
    if layout == "c" then fail(f, "field %s: opt cannot be in a C-layout struct", f.name) end
    if type_caps(t) > 0 then fail(f, "field %s: opt cannot hold a chan (its capabilities would depend on the flag)", f.name) end
    t = { kind = "opt", elem = t }
  end
  return t
end

-- Encoded size range of a wire type.
function wire_size(t)
  if t.kind == "int" or t.kind == "float" then return t.bytes, t.bytes end
  if t.kind == "union" then return t.decl.min_size, t.decl.max_size end
  if t.kind == "opt" then return 1, 1 + select(2, wire_size(t.elem)) end
  if t.kind == "bool" or t.kind == "chan" then return 1, 1 end
  if t.kind == "enum" then return t.decl.type.bytes, t.decl.type.bytes end
  if t.kind == "str" or t.kind == "bytes" then return 2, 2 + t.max end
  if t.kind == "struct" then return t.decl.min_size, t.decl.max_size end
  local lo, hi = wire_size(t.elem)
  return lo * t.count, hi * t.count
end
M.wire_size = wire_size

-- How many capabilities a value of type t carries (chan fields).
function type_caps(t)
  if t.kind == "chan" then return 1 end
  if t.kind == "struct" then return t.decl.ncaps or 0 end
  if t.kind == "array" then return t.count * type_caps(t.elem) end
  return 0
end

-- Encoded size range of fields in order after `first` bytes (a tag: 1).
local function fields_size(fields, first)
  local lo, hi = first, first
  for _, f in ipairs(fields) do
    local flo, fhi = wire_size(f.type)
    lo, hi = lo + flo, hi + fhi
  end
  return lo, hi
end

local function fields_caps(fields)
  local n = 0
  for _, f in ipairs(fields) do n = n + type_caps(f.type) end
  return n
end

-- The most bytes of a type a budget counts: a str's or bytes' contents (not
-- its length prefix), and what a struct or union takes beyond its smallest
-- encoding (a union's larger variants, the strings and opt values inside);
-- through arrays and opt.
local function budgeted_bytes(t)
  if t.kind == "str" or t.kind == "bytes" then return t.max end
  if t.kind == "struct" or t.kind == "union" then return t.decl.max_size - t.decl.min_size end
  if t.kind == "array" then return t.count * budgeted_bytes(t.elem) end
  if t.kind == "opt" then return budgeted_bytes(t.elem) end
  return 0
end

-- A struct's or variant's budget: checked against its fields; returns the
-- encoded size range with it.
function Model:check_budget(node, owner, fields, lo, hi)
  if node.body.budget == nil then return lo, hi end
  local n, name = self:integer_ref(node, node.body.budget, owner .. ": budget", 0x7fffffff)
  node.budget, node.budget_name = n, name
  local sum = 0
  for _, f in ipairs(fields) do
    local t = f.type.kind == "opt" and f.type.elem or f.type
    while t.kind == "array" do t = t.elem end
    if (t.kind == "str" or t.kind == "bytes") and t.max > n then
      fail(f, "%s: field %s has max %d, over the budget %d it shares", owner, f.name, t.max, n)
    end
    sum = sum + budgeted_bytes(f.type)
  end
  if n >= sum then
    fail(node, "%s: budget %d limits nothing (the fields it counts hold at most %d together)", owner, n, sum)
  end
  return lo, hi - sum + n
end

-- A cap's or chan field's protocol: "any" or a protocol's name (checked
-- once every file is loaded).
function Model:cap_protocol(node, p)
  if p == nil then fail(node, "%s %s needs protocol = \"P\" (the protocol its channel speaks) or \"any\"", node.kind, node.name) end
  if type(p) ~= "string" then fail(node, "%s %s: protocol must be a string", node.kind, node.name) end
  self.cap_protocols[#self.cap_protocols + 1] = { node = node, name = p }
  return p
end

-- Size and alignment of a type in C layout.
local function c_layout(t)
  if t.kind == "int" or t.kind == "float" then return t.bytes, t.bytes end
  if t.kind == "bool" then return 1, 1 end
  if t.kind == "enum" then return t.decl.type.bytes, t.decl.type.bytes end
  if t.kind == "struct" then return t.decl.size, t.decl.align end
  local size, align = c_layout(t.elem)
  return size * t.count, align
end

-- A const is a C macro, a struct or union a C type name: a field or cap of
-- that name would not compile (a member the macro replaces, a stub
-- parameter that hides the type).
function Model:check_not_a_c_name(node, what)
  local d = self.by_name[node.name]
  if d and (d.kind == "const" or d.kind == "struct" or d.kind == "union") then
    fail(node, "%s name '%s' is also the name of %s %s (%s), which is a C %s in the generated code", what, node.name,
      d.kind, d.name, where(d), d.kind == "const" and "macro" or "type")
  end
end

function Model:check_fields(owner, children, layout)
  local fields, names = {}, {}
  for _, f in ipairs(children) do
    if f.kind == "field" then
      check_member_name(f, "field")
      self:check_not_a_c_name(f, "field")
      if names[f.name] then fail(f, "%s: duplicate field %s", owner, f.name) end
      names[f.name] = true
      f.type = self:field_type(f, f.body[1], layout)
      f.bitmask = f.body.bitmask ~= nil
      fields[#fields + 1] = f
    end
  end
  -- A bytes field's stub takes NAME and NAME_len: no other field may be NAME_len;
  -- an opt field's C struct has has_NAME beside NAME: no other field may be has_NAME.
  for _, f in ipairs(fields) do
    local t = f.type.kind == "opt" and f.type.elem or f.type
    if t.kind == "bytes" and names[f.name .. "_len"] then
      fail(f, "%s: field %s_len collides with the length parameter of bytes field %s", owner, f.name, f.name)
    end
    if f.type.kind == "opt" and names["has_" .. f.name] then
      fail(f, "%s: field has_%s collides with the presence flag of opt field %s", owner, f.name, f.name)
    end
  end
  return fields
end

-- extensible = true (or left out): a whole message that may grow.
function Model:extensible_option(d)
  local v = d.body.extensible
  if v ~= nil and v ~= true then fail(d, "%s %s: extensible must be true (or left out)", d.kind, d.name) end
  return v == true
end

function Model:check_struct(s)
  if s.state == "done" then return end
  if s.state == "busy" then fail(s, "struct %s contains itself", s.name) end
  s.state = "busy"
  s.layout = s.body.layout or "wire"
  if s.layout ~= "wire" and s.layout ~= "c" then fail(s, "struct %s: layout must be \"wire\" or \"c\"", s.name) end
  s.extensible = self:extensible_option(s)
  s.fields = self:check_fields("struct " .. s.name, s.children, s.layout)
  if #s.fields == 0 then fail(s, "struct %s has no fields", s.name) end
  if s.layout == "c" then
    if s.body.budget ~= nil then fail(s, "struct %s: budget is for wire structs", s.name) end
    if s.extensible then fail(s, "struct %s: extensible is for wire structs (a C-layout struct has a fixed size)", s.name) end
    local offset, align = 0, 1
    for _, f in ipairs(s.fields) do
      local size, a = c_layout(f.type)
      offset = (offset + a - 1) // a * a
      f.offset, f.size = offset, size
      offset = offset + size
      if a > align then align = a end
    end
    s.size, s.align = (offset + align - 1) // align * align, align
  else
    s.min_size, s.max_size = self:check_budget(s, "struct " .. s.name, s.fields, fields_size(s.fields, 0))
    s.ncaps = fields_caps(s.fields)
  end
  s.state = "done"
end

function Model:check_union(u)
  if u.state == "done" then return end
  if u.state == "busy" then fail(u, "union %s contains itself", u.name) end
  u.state = "busy"
  u.extensible = self:extensible_option(u)
  u.variants = {}
  local names, tags = {}, {}
  for _, v in ipairs(u.children) do
    if not is_ident(v.name) then fail(v, "variant name '%s' is not an identifier", v.name) end
    if C_KEYWORDS[v.name] then fail(v, "variant name '%s' is a C keyword", v.name) end
    local tag = v.body.tag
    if math.type(tag) ~= "integer" then fail(v, "variant %s.%s needs tag = <0..255>", u.name, v.name) end
    if tag < 0 or tag > 255 then fail(v, "variant %s.%s: tag %d is outside 0..255", u.name, v.name, tag) end
    if v.doc == nil or v.doc == "" then fail(v, "variant %s.%s needs a doc string", u.name, v.name) end
    if names[v.name] then fail(v, "union %s: duplicate variant %s", u.name, v.name) end
    if tags[tag] then fail(v, "union %s: tag %d is used by both %s and %s", u.name, tag, tags[tag], v.name) end
    names[v.name], tags[tag] = true, v.name
    v.tag = tag
    v.fields = self:check_fields(u.name .. "." .. v.name, v.children, "wire")
    v.caps = self:check_caps(u.name .. "." .. v.name, v.children, v.fields)
    v.ncaps = #v.caps + fields_caps(v.fields)
    v.min_size, v.max_size = self:check_budget(v, u.name .. "." .. v.name, v.fields, fields_size(v.fields, 1))
    v.union = u
    u.variants[#u.variants + 1] = v
  end
  if #u.variants == 0 then fail(u, "union %s has no variants", u.name) end
  u.min_size, u.max_size, u.max_caps = math.huge, 0, 0
  for _, v in ipairs(u.variants) do
    if v.min_size < u.min_size then u.min_size = v.min_size end
    if v.max_size > u.max_size then u.max_size = v.max_size end
    if v.ncaps > u.max_caps then u.max_caps = v.ncaps end
  end
  u.state = "done"
end

-- A variant's declared capabilities, in position order; their names share
-- the variant struct with its fields.
function Model:check_caps(owner, children, fields)
  local caps, names, derived = {}, {}, {}
  for _, f in ipairs(fields) do
    names[f.name] = f
    local t = f.type.kind == "opt" and f.type.elem or f.type
    if t.kind == "bytes" then derived[f.name .. "_len"] = "the length parameter of bytes field " .. f.name end
    if f.type.kind == "opt" then derived["has_" .. f.name] = "the presence flag of opt field " .. f.name end
  end
  for _, c in ipairs(children) do
    if c.kind == "cap" then
      check_member_name(c, "cap")
      self:check_not_a_c_name(c, "cap")
      if names[c.name] then fail(c, "%s: cap %s has the name of a field or cap on line %d", owner, c.name, names[c.name].line) end
      if derived[c.name] then fail(c, "%s: cap %s collides with %s", owner, c.name, derived[c.name]) end
      if c.doc == nil or c.doc == "" then fail(c, "%s: cap %s needs a doc string", owner, c.name) end
      names[c.name] = c
      caps[#caps + 1] = { name = c.name, protocol = self:cap_protocol(c, c.body.protocol), doc = c.doc, line = c.line }
    end
  end
  return caps
end

-- "Union.Variant" -> the union and variant; "Union" (or, when structs
-- are allowed, "WireStruct") -> the declaration and nil.
function Model:variant_ref(node, ref, what, structs)
  if type(ref) ~= "string" then
    fail(node, "rpc %s: %s must be \"Union\" or \"Union.Variant\"%s", node.name, what,
      structs and ", a list of variants { \"U.A\", \"U.B\" } or a wire struct's name" or "")
  end
  local uname, vname = ref:match("^([%w_]+)%.([%w_]+)$")
  local u = self:lookup(node, uname or ref, (structs and not vname) and { union = true, struct = true } or { union = true })
  if u.kind == "struct" and u.layout ~= "wire" then
    fail(node, "rpc %s: %s struct %s has C layout, not a wire encoding", node.name, what, u.name)
  end
  if not vname then return u, nil end
  for _, v in ipairs(u.variants) do if v.name == vname then return u, v end end
  fail(node, "rpc %s: union %s has no variant %s", node.name, u.name, vname)
end

-- response = { "U.A", "U.B" }: the variants of one union the stub hands
-- back (as the union), each once.
function Model:check_response_list(r, list)
  local n = 0
  for _ in pairs(list) do n = n + 1 end
  if #list == 0 or n ~= #list then
    fail(r, "rpc %s: a response list names variants of one union in order, e.g. { \"U.A\", \"U.B\" }", r.name)
  end
  r.responses = {}
  local seen = {}
  for i, ref in ipairs(list) do
    if type(ref) ~= "string" or not ref:match("^[%w_]+%.[%w_]+$") then
      fail(r, "rpc %s: response %d must be \"Union.Variant\", not %s", r.name, i, type(ref) == "string" and "'" .. ref .. "'" or "a " .. type(ref))
    end
    local u, v = self:variant_ref(r, ref, "response")
    if r.response_type and u ~= r.response_type then
      fail(r, "rpc %s: response %s is a variant of %s, but %s is of %s; a response list names variants of one union",
        r.name, ref, u.name, list[1], r.response_type.name)
    end
    if seen[v] then fail(r, "rpc %s: response names %s twice", r.name, ref) end
    seen[v] = true
    r.response_type = u
    r.responses[#r.responses + 1] = v
  end
end

function Model:check_rpc(r)
  r.request_union, r.request = self:variant_ref(r, r.body.request, "request")
  if not r.request then fail(r, "rpc %s: request must name a variant (Union.Variant)", r.name) end
  -- The reply: a whole union, one variant of it, a list of its variants
  -- (r.responses), or a wire struct (whose size and caps
  -- check_message_limit holds to the transport's limits).
  if type(r.body.response) == "table" then
    self:check_response_list(r, r.body.response)
  else
    r.response_type, r.response = self:variant_ref(r, r.body.response, "response", true)
  end
  r.request_union.is_request = true
end

-- An rpc's name only prefixes its C functions (P_R, P_R_send, P_R_recv,
-- P_R_decode, and P_R_msg, P_R_msg_send, which take the request's struct),
-- so it may repeat its protocol's or any other declaration's name; what
-- must not clash are those C names, with each other's, with the protocol's
-- conformance table P_vectors and with a declaration's C name.
local RPC_SUFFIXES = { "", "_send", "_recv", "_decode", "_msg", "_msg_send" }

function Model:check_rpc_names(file)
  local p = file.protocol.name
  local taken = { [p .. "_vectors"] = "the conformance vectors" }
  local names = {}
  for _, r in ipairs(M.of_kind(file, "rpc")) do
    if names[r.name] then fail(r, "rpc %s is already declared at %s", r.name, where(names[r.name])) end
    names[r.name] = r
    for _, suffix in ipairs(RPC_SUFFIXES) do
      local c = p .. "_" .. r.name .. suffix
      if taken[c] then fail(r, "rpc %s: its C function %s clashes with %s", r.name, c, taken[c]) end
      local d = self.by_name[c]
      if d then fail(r, "rpc %s: its C function %s clashes with %s %s (%s)", r.name, c, d.kind, c, where(d)) end
      taken[c] = string.format("rpc %s's (%s)", r.name, where(r))
    end
  end
end

-- A kernel service: protocol "P" { service = "NAME", max_clients = N or
-- "CONST" (clients served at once), app_quota = N or "CONST" (clients one
-- app may hold; none: only max_clients bounds them), attach = "CONST" (every
-- app is given a client at that handle when it starts, and the service is
-- not offered by name), refusal = "TEXT" (what the service answers when it
-- refuses a client or a request, for the docs) }. Its channel carries one request union (its rpcs'
-- requests) one way and one response type the other; its requests carry no
-- capabilities (the kernel's service loop takes none).
local SERVICE_OPTIONS = { "max_clients", "app_quota", "attach", "refusal" }

function Model:check_service(file)
  local p, b = file.protocol, file.protocol.body
  if p.service == nil then
    for _, k in ipairs(SERVICE_OPTIONS) do
      if b[k] ~= nil then fail(p, "protocol %s: %s is only for a service (service = \"NAME\")", p.name, k) end
    end
    return
  end
  local name = p.service
  if not name:match("^[%l_][%l%d_]*$") then
    fail(p, "service name '%s' must be lower-case letters, digits and _ (it names C functions)", name)
  end
  local svc = { name = name, protocol = p.name, file = file.path, line = p.line }
  local name_limit = self.limits.service_name
  if name_limit and b.attach == nil and #name > name_limit.value then
    fail(p, "service %s: its name is %d bytes, over %s (%d, %s): apps could not name it in ConnectService", name, #name,
      name_limit.name, name_limit.value, where(name_limit))
  end
  if b.max_clients == nil then fail(p, "service %s needs max_clients = N or a const's name", name) end
  svc.max_clients, svc.max_clients_name = self:integer_ref(p, b.max_clients, "service " .. name .. ": max_clients", 1 << 20)
  if b.app_quota ~= nil then
    svc.app_quota, svc.app_quota_name = self:integer_ref(p, b.app_quota, "service " .. name .. ": app_quota", 1 << 20)
  end
  if b.refusal ~= nil and type(b.refusal) ~= "string" then fail(p, "service %s: refusal must be a string", name) end
  svc.refusal = b.refusal
  if b.attach ~= nil then
    if b.app_quota ~= nil then fail(p, "service %s: attach gives each app one client; app_quota is not for it", name) end
    local c = self:lookup(p, b.attach, { const = true })
    svc.attach, svc.attach_value = c.name, c.value
  end
  local requests, responses = {}, {}
  for _, r in ipairs(M.of_kind(file, "rpc")) do
    if requests[#requests] ~= r.request_union and not requests[r.request_union] then
      requests[#requests + 1], requests[r.request_union] = r.request_union, true
    end
    if not responses[r.response_type] then
      responses[#responses + 1], responses[r.response_type] = r.response_type, true
    end
  end
  if #requests == 0 then fail(p, "service %s: no rpc says what its clients send (rpc \"x\" { request = ... })", name) end
  if #requests > 1 or #responses > 1 then
    local list = #requests > 1 and requests or responses
    fail(p, "service %s: its rpcs' %s are %s and %s; a service's channel carries one type each way", name,
      #requests > 1 and "requests" or "responses", list[1].name, list[2].name)
  end
  svc.request, svc.response = requests[1], responses[1]
  if svc.request.max_caps > 0 then
    fail(svc.request, "service %s: its requests (%s) can carry capabilities; a service's requests carry none", name,
      svc.request.name)
  end
  file.service = svc
  for _, other in ipairs(self.services) do
    if other.name == name then fail(p, "service %s is also declared at %s:%d", name, other.file, other.line) end
  end
  self.services[#self.services + 1] = svc
  local limit = self.limits.services
  if limit and #self.services > limit.value then
    fail(p, "service %s: %d services, over %s (%d, %s)", name, #self.services, limit.name, limit.value, where(limit))
  end
end

function Model:check_syscall(s, numbers)
  local n = s.body.number
  if math.type(n) ~= "integer" or n < 0 or n > 1023 then fail(s, "syscall %s: number must be 0..1023", s.name) end
  if numbers[n] then fail(s, "syscall %s: number %d is taken by %s", s.name, n, numbers[n]) end
  numbers[n] = s.name
  s.number = n
  s.result = s.body.result
  if not SYSCALL_RESULTS[s.result] then fail(s, "syscall %s: result must be isize or u64", s.name) end
  s.args = {}
  local names = {}
  for _, a in ipairs(s.children) do
    check_member_name(a, "argument", true)
    if names[a.name] then fail(a, "syscall %s: duplicate argument %s", s.name, a.name) end
    names[a.name] = true
    if not SYSCALL_ARG_TYPES[a.body[1]] then
      local kinds = {}
      for i, k in ipairs(SYSCALL_ARG_KINDS) do kinds[i] = k.name end
      fail(a, "syscall %s: argument %s has unknown type '%s' (%s)%s", s.name, a.name, tostring(a.body[1]),
        table.concat(kinds, ", "), type_suggestion(a.body[1], kinds))
    end
    s.args[#s.args + 1] = { name = a.name, type = a.body[1], doc = a.doc }
  end
  if #s.args > MAX_SYSCALL_ARGS then fail(s, "syscall %s has %d arguments; at most %d fit a0..a5", s.name, #s.args, MAX_SYSCALL_ARGS) end
end

function Model:check_bpf_map(m)
  local b = m.body
  if not MAP_TYPES[b.type] then fail(m, "bpf_map %s: type must be one of array, percpu_array, hash, percpu_hash", m.name) end
  m.map_type = b.type
  m.key = self:int_type(m, b.key, "bpf_map " .. m.name .. " key")
  m.value = self:lookup(m, b.value or "?", { struct = true })
  if m.value.layout ~= "c" then fail(m, "bpf_map %s: value struct %s must have layout = \"c\"", m.name, m.value.name) end
  if math.type(b.max_entries) ~= "integer" or b.max_entries < 1 then fail(m, "bpf_map %s: max_entries must be a positive integer", m.name) end
  m.max_entries = b.max_entries
end

-- The layout words of invariants, resolved against the model.
function Model:layout_value(node, fn, tname, field)
  local d = self:lookup(node, tname, fn == "max_size" and { union = true, struct = true } or { struct = true })
  if fn == "max_size" then
    if d.kind == "struct" and d.layout ~= "wire" then fail(node, "max_size(%s): not a wire type", tname) end
    return d.max_size
  end
  if d.layout ~= "c" then fail(node, "%s(%s): only C-layout structs have a C size", fn, tname) end
  if fn == "sizeof" then return d.size end
  for _, f in ipairs(d.fields) do
    if f.name == field then
      if fn == "offsetof" then return f.offset end
      return f.size * 8
    end
  end
  fail(node, "%s(%s.%s): struct %s has no field %s", fn, tname, field, tname, field)
end

function Model:check_invariant(inv)
  local ok, tree = pcall(expr.parse, inv.name)
  if not ok then fail(inv, "invariant \"%s\": %s", inv.name, tree) end
  inv.tree, inv.expr = tree, inv.name
  local env = {
    const = function(name) return self:lookup(inv, name, { const = true }).value end,
    layout = function(fn, t, f) return self:layout_value(inv, fn, t, f) end,
  }
  local ok2, v = pcall(expr.evaluate, tree, env)
  if not ok2 then error(v, 0) end
  if v == false or v == 0 then fail(inv, "invariant does not hold: %s", inv.name) end
end

-- Every whole message within the transport's limits, bytes and
-- capabilities: each union's variants, and each wire struct (it has its own
-- T_encode and may be an rpc's reply).
function Model:check_message_limit()
  local limit, caps = self.limits.message_bytes, self.limits.message_caps
  local function check(d, what)
    if d.ncaps > 0 and not caps then
      fail(d, "%s carries capabilities, but no const has limit = \"message_caps\"", what)
    end
    if caps and d.ncaps > caps.value then
      fail(d, "%s can carry %d capabilities, over %s (%d)", what, d.ncaps, caps.name, caps.value)
    end
    if limit and d.max_size > limit.value then
      local worst = d.fields[1]
      for _, f in ipairs(d.fields) do
        if select(2, wire_size(f.type)) > select(2, wire_size(worst.type)) then worst = f end
      end
      if d.budget then
        local fixed = d.max_size - d.budget
        fail(d, "%s can be %d bytes, over %s (%d): its fixed part takes %d, leaving %d, less than its budget %d",
          what, d.max_size, limit.name, limit.value, fixed, limit.value - fixed, d.budget)
      end
      fail(worst, "%s can be %d bytes, over %s (%d): field %s takes up to %d",
        what, d.max_size, limit.name, limit.value, worst.name, select(2, wire_size(worst.type)))
    end
  end
  for _, file in ipairs(self.files) do
    for _, d in ipairs(file.decls) do
      if d.kind == "union" then
        for _, v in ipairs(d.variants) do check(v, "message " .. d.name .. "." .. v.name) end
      elseif d.kind == "struct" and d.layout == "wire" then
        check(d, "struct " .. d.name .. " (a whole message with " .. d.name .. "_encode)")
      end
      -- The most bytes any peer's message may have: a newer peer's
      -- extensible message may be longer than this side's largest.
      if d.kind == "union" or (d.kind == "struct" and d.layout == "wire") then
        d.message_limit = limit and limit.value or 65535
      end
    end
  end
end

-- Loads every path; returns the model or raises "file:line: message".
-- overrides (optional) maps const names to values that replace the
-- schema's, for builds that try other limits (never for generated/).
function M.load(paths, overrides)
  local model = setmetatable({ files = {}, by_name = {}, unions = {}, limits = {}, limit_list = {}, cap_protocols = {},
    services = {} },
    Model)
  for _, path in ipairs(paths) do
    local decls = run_file(path)
    local first = decls[1]
    if not first or first.kind ~= "protocol" then
      error(path .. ":1: a schema file starts with protocol \"name\" { doc = ... }", 0)
    end
    local file = { path = path, protocol = first, decls = decls }
    if not is_ident(first.name) then fail(first, "protocol name '%s' is not an identifier", first.name) end
    for i, d in ipairs(decls) do
      if d.kind == "protocol" and i > 1 then fail(d, "only one protocol per file (the first is on line %d)", first.line) end
      if not REFERS[d.kind] then
        if not is_ident(d.name) then fail(d, "%s name '%s' is not an identifier", d.kind, d.name) end
        if C_KEYWORDS[d.name] then fail(d, "%s name '%s' is a C keyword", d.kind, d.name) end
      end
      if not REFERS[d.kind] and d.kind ~= "rpc" then
        local prev = model.by_name[d.name]
        if prev then fail(d, "%s is already declared at %s", d.name, where(prev)) end
        model.by_name[d.name] = d
      end
      if d.kind == "wire_break" then
        if type(d.body.reason) ~= "string" or not d.body.reason:find("%S") then
          fail(d, "wire_break \"%s\" needs a reason, e.g. { reason = \"what old peers lose\" }", d.name)
        end
      elseif TOP_LEVEL[d.kind] and d.kind ~= "protocol" and (d.doc == nil or d.doc == "") then
        fail(d, "%s %s needs a doc string", d.kind, d.name)
      end
      d.protocol = first.name
    end
    if first.doc == nil then fail(first, "protocol %s needs a doc string", first.name) end
    if first.body.service ~= nil and type(first.body.service) ~= "string" then fail(first, "service must be a string") end
    first.service = first.body.service
    model.files[#model.files + 1] = file
  end
  local function each(kind, f)
    for _, file in ipairs(model.files) do
      for _, d in ipairs(file.decls) do if d.kind == kind then f(d, file) end end
    end
  end
  -- In name order, so that the first unknown name is always the same one.
  local set_names = {}
  for name in pairs(overrides or {}) do set_names[#set_names + 1] = name end
  table.sort(set_names)
  for _, name in ipairs(set_names) do
    local c = model.by_name[name]
    if not c or c.kind ~= "const" then error(string.format("--set %s: no const of that name", name), 0) end
    c.body.value = overrides[name]
  end
  each("const", function(c) model:check_const(c) end)
  each("enum", function(e) model:check_enum(e) end)
  each("struct", function(s) model:check_struct(s) end)
  each("union", function(u) model:check_union(u); model.unions[#model.unions + 1] = u end)
  each("rpc", function(r) model:check_rpc(r) end)
  for _, file in ipairs(model.files) do model:check_rpc_names(file) end
  for _, file in ipairs(model.files) do model:check_service(file) end
  for _, file in ipairs(model.files) do
    local numbers = {}
    for _, d in ipairs(file.decls) do if d.kind == "syscall" then model:check_syscall(d, numbers) end end
  end
  each("bpf_map", function(m) model:check_bpf_map(m) end)
  each("invariant", function(i) model:check_invariant(i) end)
  model:check_message_limit()
  local protocols = {}
  for _, file in ipairs(model.files) do protocols[file.protocol.name] = true end
  for _, c in ipairs(model.cap_protocols) do
    if c.name ~= "any" and not protocols[c.name] then
      fail(c.node, "%s %s: protocol '%s' is no protocol of these schemas (or \"any\")", c.node.kind, c.node.name, c.name)
    end
  end
  return model
end

-- The names of an rpc's replies, joined with sep: "U.A", "U.B" for a list;
-- "U.A"; "U" (any variant); a struct's name.
function M.reply_names(r, sep)
  if not r.responses then return { r.response_type.name .. (r.response and sep .. r.response.name or "") } end
  local names = {}
  for i, v in ipairs(r.responses) do names[i] = r.response_type.name .. sep .. v.name end
  return names
end

-- A file's messages, in schema order: its unions and its wire structs (a
-- wire struct has its own T_encode and T_decode: a message too).
function M.messages(file)
  local out = {}
  for _, d in ipairs(file.decls) do
    if d.kind == "union" or (d.kind == "struct" and d.layout == "wire") then out[#out + 1] = d end
  end
  return out
end

-- Declarations of one kind in a file, in schema order.
function M.of_kind(file, kind)
  local out = {}
  for _, d in ipairs(file.decls) do if d.kind == kind then out[#out + 1] = d end end
  return out
end

return M
