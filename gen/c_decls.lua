-- Declarations that the C header (c_codec.lua) and the BPF header
-- (bpf_header.lua) both carry: constants, enums, C-layout structs with their
-- layout asserts, and invariants. style is "c" (stdint types) or "bpf" (__u32).

local ct = require("c_types")
local expr = require("expr")
local loader = require("loader")

local M = {}

function M.consts(e, file)
  for _, c in ipairs(loader.of_kind(file, "const")) do
    e:comment(c.doc)
    e:line("#define %s %s", c.name, ct.literal(c.type, c.value))
  end
  e:blank()
end

-- with_names adds the prototype of each enum's name function (defined in P.c).
function M.enums(e, file, with_names)
  for _, en in ipairs(loader.of_kind(file, "enum")) do
    e:comment(en.doc)
    e:block("enum " .. en.name, function()
      for _, v in ipairs(en.values) do
        e:line("%s = %s, /* %s */", ct.enum_value(en, v), ct.literal(en.type, v.value), v.doc or "")
      end
    end, ";")
    if with_names then
      e:comment("The value's schema name, or NULL for a value the schema does not define.")
      e:line("const char *%s_name(%s v);", en.name, ct.int_c(en.type))
    end
    e:blank()
  end
end

function M.members(e, fields, style)
  for _, f in ipairs(fields) do
    e:comment(f.doc)
    if f.type.kind == "opt" then e:line("bool has_%s; /* %s follows on the wire */", f.name, f.name) end
    e:line("%s;", ct.declarator(f.type, f.name, style))
  end
end

function M.c_structs(e, file, style)
  for _, s in ipairs(loader.of_kind(file, "struct")) do
    if s.layout == "c" then
      e:comment(s.doc .. " C layout: " .. s.size .. " bytes.")
      e:block("struct " .. s.name, function() M.members(e, s.fields, style) end, ";")
      e:line("_Static_assert(sizeof(struct %s) == %d, \"struct %s: size\");", s.name, s.size, s.name)
      for _, f in ipairs(s.fields) do
        e:line("_Static_assert(__builtin_offsetof(struct %s, %s) == %d, \"struct %s: offset of %s\");",
          s.name, f.name, f.offset, s.name, f.name)
      end
      e:blank()
    end
  end
end

function M.invariants(e, file, model)
  for _, inv in ipairs(loader.of_kind(file, "invariant")) do
    local c = expr.to_c(inv.tree, function(fn, t, f) return ct.layout_c(fn, t, f, model) end)
    e:comment(inv.doc)
    e:line("_Static_assert(%s, \"invariant: %s\");", c, inv.expr:gsub("\"", "\\\""))
  end
  e:blank()
end

return M
