-- Formatters: generated/P_format.h and P_format.c for every protocol with
-- messages (unions) or wire structs. The small text runtime they share is
-- hand-written: gen/runtime/proto_format.h and proto_format.c.
--
-- T_format(m, buf, cap) writes one line of text in the schema's names:
--   TimerRequest::After { duration_us: 50000 }    TimerResponse::Expired {}
--   ProbePoint { x: -1, y: 2, visible: true }     BootRequest::ConnectService { name: "timer" }
-- str quoted (printable ASCII as is, \" \\ and \xNN for the rest), bytes as
-- hex <de ad>, enums by name (the number when undefined), arrays [a, b],
-- an absent opt field as none (a present one as its value), f32/f64 as
-- exact hex floats from their bits (see proto_fmt_f64).
-- Like snprintf it never writes past cap, NUL-terminates when cap > 0 and
-- returns the length of the whole text; no value makes it fail. Freestanding:
-- the kernel and the guest apps link it.

local emit = require("emit")
local ct = require("c_types")
local loader = require("loader")

local M = {}

local GEN = "gen/c_format.lua"

-- The types a protocol formats: its wire structs, then its unions.
local function formatted(file)
  local out = {}
  for _, s in ipairs(loader.of_kind(file, "struct")) do if s.layout == "wire" then out[#out + 1] = s end end
  for _, u in ipairs(loader.of_kind(file, "union")) do out[#out + 1] = u end
  return out
end

local function c_string(s) return '"' .. s:gsub('[\\"]', "\\%0") .. '"' end

-- Text output in one pass: literal text is gathered and written with one
-- proto_fmt_text call just before the next value (or block) needs the cursor.
local Out = {}
Out.__index = Out

local function new_out(e) return setmetatable({ e = e, pending = "" }, Out) end

function Out:lit(s) self.pending = self.pending .. s end

function Out:flush()
  local p = self.pending
  if p == "" then return end
  self.pending = ""
  if #p == 1 then self.e:line("proto_fmt_char(f, '%s');", p == "'" and "\\'" or p == "\\" and "\\\\" or p)
  else self.e:line("proto_fmt_text(f, %s);", c_string(p)) end
end

function Out:call(fmt, ...)
  self:flush()
  self.e:line(fmt, ...)
end

function Out:block(head, body)
  self:flush()
  self.e:block(head, function() body(); self:flush() end)
end

-- Statements that write value x of type t.
local function value(o, t, x, depth)
  if t.kind == "opt" then
    o:block(string.format("if (!%s)", ct.has(x)), function() o:lit("none") end)
    o:block("else", function() value(o, t.elem, x, depth) end)
  elseif t.kind == "int" then
    o:call("proto_fmt_%s(f, %s);", t.signed and "i64" or "u64", x)
  elseif t.kind == "float" then
    o:call("proto_fmt_%s(f, %s);", t.name, x)
  elseif t.kind == "bool" then
    o:call("proto_fmt_text(f, %s ? \"true\" : \"false\");", x)
  elseif t.kind == "enum" then
    o:call("proto_fmt_enum%s(f, %s_name(%s), %s);", t.decl.type.signed and "_signed" or "", t.decl.name, x, x)
  elseif t.kind == "str" then
    o:call("proto_fmt_quoted(f, %s.data, %s.len, %s);", x, x, ct.bound(t.max, t.max_name))
  elseif t.kind == "bytes" then
    o:call("proto_fmt_hex(f, %s.data, %s.len, %s);", x, x, ct.bound(t.max, t.max_name))
  elseif t.kind == "struct" or t.kind == "union" then
    o:call("%s_fmt(f, &%s);", t.decl.name, x)
  elseif t.kind == "chan" then
    o:lit("cap#")
    o:call("proto_fmt_u64(f, %s);", x)
  else
    local i = "i" .. depth
    o:lit("[")
    o:block(string.format("for (size_t %s = 0; %s < %s; %s++)", i, i, ct.bound(t.count, t.count_name), i), function()
      o:call("if (%s > 0) proto_fmt_text(f, \", \");", i)
      value(o, t.elem, x .. "[" .. i .. "]", depth + 1)
    end)
    o:lit("]")
  end
end

-- `Name { a: 1, b: 2 }`, or `Name {}` without fields; a variant's declared
-- capabilities follow its fields, as `cap#HANDLE` like chan fields.
local CHAN = { kind = "chan" }
local function fields(o, name, list, prefix, caps)
  local members = {}
  for _, f in ipairs(list) do members[#members + 1] = { name = f.name, type = f.type } end
  for _, c in ipairs(caps or {}) do members[#members + 1] = { name = c.name, type = CHAN } end
  o:lit(name .. " {")
  for i, f in ipairs(members) do
    o:lit((i == 1 and " " or ", ") .. f.name .. ": ")
    value(o, f.type, prefix .. f.name, 0)
  end
  o:lit(#members > 0 and " }" or "}")
end

-- Struct types of other protocols that file's fields use: their _format.h.
local function deps(file)
  local seen, out = {}, {}
  local function walk(t)
    if t.kind == "array" or t.kind == "opt" then return walk(t.elem) end
    if (t.kind == "struct" or t.kind == "union") and t.decl.protocol ~= file.protocol.name and not seen[t.decl.protocol] then
      seen[t.decl.protocol] = true
      out[#out + 1] = t.decl.protocol
    end
  end
  for _, d in ipairs(formatted(file)) do
    for _, f in ipairs(d.fields or {}) do walk(f.type) end
    for _, v in ipairs(d.variants or {}) do for _, f in ipairs(v.fields) do walk(f.type) end end
  end
  table.sort(out)
  return out
end

local function header(file, name)
  local e = emit.new()
  emit.c_header_open(e, file.path, GEN, name .. ".h")
  e:line("#include \"proto_format.h\"")
  e:line("#include \"%s.h\"", file.protocol.name)
  for _, dep in ipairs(deps(file)) do e:line("#include \"%s_format.h\"", dep) end
  e:blank()
  for _, d in ipairs(formatted(file)) do
    local example = d.kind == "union" and d.name .. "::" .. d.variants[1].name .. " { ... }" or d.name .. " { ... }"
    e:comment(string.format("Writes m as `%s` into buf (see proto_format.h); returns the length of the whole text.", example))
    e:line("size_t %s_format(const %s *m, char *buf, size_t cap);", d.name, d.name)
    e:comment("The same text appended to f, for formatters of messages that contain it.")
    e:line("void %s_fmt(proto_fmt *f, const %s *m);", d.name, d.name)
    if d.kind == "union" or d.layout == "wire" then
      e:comment(string.format("Decodes msg, with ncaps capabilities beside it (shown by position: cap#0, cap#1, ...), as a %s and formats it; bytes that do not decode become `%s? <error> <hex bytes>`.", d.name, d.name))
      e:line("size_t %s_format_bytes(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap);", d.name)
    end
    e:blank()
  end
  emit.c_header_close(e)
  return e:text()
end

local function source(file, name)
  local e = emit.new()
  emit.c_source_open(e, file.path, GEN, name .. ".h")
  for _, d in ipairs(formatted(file)) do
    e:func(string.format("void %s_fmt(proto_fmt *f, const %s *m)", d.name, d.name), function()
      local o = new_out(e)
      if d.kind == "struct" then
        fields(o, d.name, d.fields, "m->")
        o:flush()
        return
      end
      e:block("switch (m->tag)", function()
        for _, v in ipairs(d.variants) do
          e:line("case %s_%s_tag:", d.name, v.name)
          e:indent(function()
            fields(o, d.name .. "::" .. v.name, v.fields, "m->u." .. v.name .. ".", v.caps)
            o:call("return;")
          end)
        end
        e:line("default:")
        e:indent(function()
          o:lit(d.name .. "::<unknown tag ")
          o:call("proto_fmt_u64(f, m->tag);")
          o:lit(">")
          o:flush()
        end)
      end)
    end)
    e:blank()
    e:func(string.format("size_t %s_format(const %s *m, char *buf, size_t cap)", d.name, d.name), function()
      e:line("proto_fmt f = PROTO_FMT_INIT(buf, cap);")
      e:line("%s_fmt(&f, m);", d.name)
      e:line("return proto_fmt_end(&f);")
    end)
    e:blank()
    if d.kind == "union" or d.layout == "wire" then
      e:func(string.format("size_t %s_format_bytes(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap)", d.name), function()
        e:line("proto_fmt f = PROTO_FMT_INIT(buf, cap);")
        e:line("proto_caps caps = { ncaps, { 0 } };")
        e:line("for (uint32_t i = 0; i < ncaps && PROTO_CAP_FITS(i); i++) caps.h[i] = i;")
        e:line("%s m;", d.name)
        e:line("proto_err err = %s_decode_caps(&m, msg, len, &caps);", d.name)
        e:block("if (err != PROTO_OK)", function()
          e:line("proto_fmt_text(&f, \"%s? \");", d.name)
          e:line("proto_fmt_text(&f, proto_strerror(err));")
          e:line("proto_fmt_char(&f, ' ');")
          e:line("proto_fmt_hex(&f, msg, len, len);")
          e:line("return proto_fmt_end(&f);")
        end)
        e:line("%s_fmt(&f, &m);", d.name)
        e:line("return proto_fmt_end(&f);")
      end)
      e:blank()
    end
  end
  return e:text()
end

function M.generate(file, model, out)
  if #formatted(file) == 0 then return end
  local name = file.protocol.name .. "_format"
  out(name .. ".h", header(file, name))
  out(name .. ".c", source(file, name))
end

return M
