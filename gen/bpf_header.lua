-- The BPF side of a schema's shared memory: generated/MAP.bpf.h, named for
-- its map (M.name). It holds the C-layout structs (with __u32/__u64), the
-- constants and enums, a macro per bpf_map that declares it, and for a map
-- whose value has a bitmask field an atomic check-and-reset helper. It
-- includes only <linux/types.h> and <bpf/bpf_helpers.h>, never vmlinux.h, and
-- compiles with clang -target bpf -mcpu=v3 (the helper's atomic fetch-and
-- needs BPF v3 atomics).
-- The user-space mirror is the codec header P.h (see c_codec.lua).

local emit = require("emit")
local ct = require("c_types")
local decls = require("c_decls")
local loader = require("loader")

local M = {}

local function emit_map(e, m)
  local p = ct.upper(m.name)
  e:comment(m.doc .. " Declare it with " .. p .. "_MAP(" .. m.name .. "); in a BPF object.")
  e:line("#define %s_MAP(name) \\", p)
  e:line("    struct { \\")
  e:line("        __uint(type, BPF_MAP_TYPE_%s); \\", m.map_type:upper())
  e:line("        __uint(max_entries, %d); \\", m.max_entries)
  e:line("        __type(key, %s); \\", ct.int_c(m.key, "bpf"))
  e:line("        __type(value, struct %s); \\", m.value.name)
  e:line("    } name SEC(\".maps\")")
  e:line("#define %s_MAP_NAME \"%s\"", p, m.name)
  e:blank()
end

-- protocol_check_and_reset(map, id) for a map whose value has a bitmask field.
local function emit_check_and_reset(e, file, m)
  local field
  for _, f in ipairs(m.value.fields) do if f.bitmask then field = f end end
  if not field then return end
  local fn = file.protocol.name .. "_check_and_reset"
  local bound = ct.bound(field.type.bitmask_limit, field.type.bitmask_limit_name)
  e:comment(string.format("Returns 1 if bit id of this CPU's %s.%s was set, clearing it with one atomic fetch-and so that a tick is consumed once; 0 if it was clear, if id >= %s, or if the map has no entry. Call it with the map declared by %s_MAP (or by hand: a PERCPU_ARRAY of one %s, __u32 key). The id is a __u64, so an id kept as `volatile __u64` in .bss or `const volatile __u32` in .rodata passes unchanged, never truncated before the bound check.",
    m.value.name, field.name, bound, ct.upper(m.name), m.value.name))
  e:func(string.format("static __always_inline int %s(void *map, __u64 id)", fn), function()
    e:line("__u32 key = 0;")
    e:line("struct %s *entry;", m.value.name)
    e:line("__u64 bit, old;")
    e:blank()
    e:line("if (id >= %s)", bound)
    e:indent(function() e:line("return 0;") end)
    e:line("entry = bpf_map_lookup_elem(map, &key);")
    e:line("if (!entry)")
    e:indent(function() e:line("return 0;") end)
    e:line("bit = 1ULL << id;")
    e:line("if (!(entry->%s & bit))", field.name)
    e:indent(function() e:line("return 0;") end)
    e:line("old = __sync_fetch_and_and(&entry->%s, ~bit);", field.name)
    e:line("return (old & bit) != 0;")
  end)
  e:blank()
end

-- The header's name: the map a subscriber declares with it, so
-- bpf_map "sync_timer_bitmap" gives sync_timer_bitmap.bpf.h (a map whose name
-- does not start with P_ gets that prefix; with several maps the first one
-- names it). P.bpf.h stays free for a hand-written BPF header of the
-- protocol (bpf/include/sync_timer.bpf.h). nil when the protocol has no map.
function M.name(file)
  local maps = loader.of_kind(file, "bpf_map")
  if #maps == 0 then return nil end
  local p, m = file.protocol.name, maps[1].name
  return (m:sub(1, #p + 1) == p .. "_" and m or p .. "_" .. m) .. ".bpf.h"
end

local function header(file, model, name, maps)
  local e = emit.new()
  emit.c_header_open(e, file.path, "gen/bpf_header.lua", name)
  e:comment("BPF objects built on vmlinux.h already have the __u32 family; the others take it and the map types from the UAPI headers (clang -target bpf needs -I/usr/include/$(uname -m)-linux-gnu for <asm/types.h>).")
  e:line("#ifndef __VMLINUX_H__")
  e:line("#include <linux/bpf.h>")
  e:line("#endif")
  e:line("#include <bpf/bpf_helpers.h>")
  e:blank()
  decls.consts(e, file)
  decls.enums(e, file, false)
  decls.c_structs(e, file, "bpf")
  decls.invariants(e, file, model)
  for _, m in ipairs(maps) do
    emit_map(e, m)
    emit_check_and_reset(e, file, m)
  end
  emit.c_header_close(e)
  return e:text()
end

function M.generate(file, model, out)
  local name = M.name(file)
  if not name then return end
  out(name, header(file, model, name, loader.of_kind(file, "bpf_map")))
end

return M
