-- The kernel ABI from a schema's syscalls: the kernel's dispatch table
-- (generated/P_syscalls.h, .c), the user-side ecall wrappers (P_usys.h) and
-- a table describing every syscall and its argument kinds (P_sysdesc.h, .c),
-- which the in-guest fuzzer draws its calls from.

local emit = require("emit")
local ct = require("c_types")
local loader = require("loader")

local M = {}

-- C types of syscall arguments on each side (the loader's table) and results.
local KERNEL_ARG, USER_ARG = {}, {}
for name, k in pairs(loader.SYSCALL_ARG_TYPES) do KERNEL_ARG[name], USER_ARG[name] = k.kernel, k.user end
local RESULT = { isize = "int64_t", u64 = "uint64_t" }

local function arglist(s, types)
  if #s.args == 0 then return "void" end
  local out = {}
  for _, a in ipairs(s.args) do
    local t = types[a.type]
    out[#out + 1] = t:sub(-1) == "*" and (t .. a.name) or (t .. " " .. a.name)
  end
  return table.concat(out, ", ")
end

-- The error enum and its NO_SYSCALL (unknown number) and INVALID (an
-- argument out of its type's range) values.
local function error_enum(file, syscalls)
  local want = file.protocol.name .. "_error"
  for _, en in ipairs(loader.of_kind(file, "enum")) do
    if en.name == want then
      local found = {}
      for _, v in ipairs(en.values) do found[v.name] = v end
      if found.NO_SYSCALL and found.INVALID then return en, found.NO_SYSCALL, found.INVALID end
    end
  end
  local s = syscalls[1]
  error(string.format("%s:%d: a schema with syscalls needs enum \"%s\" with values NO_SYSCALL and INVALID",
    s.file, s.line, want), 0)
end

local function sorted(syscalls)
  local out = {}
  for _, s in ipairs(syscalls) do out[#out + 1] = s end
  table.sort(out, function(a, b) return a.number < b.number end)
  return out
end

local function kernel_header(file, syscalls, name, schema)
  local en, nosys = error_enum(file, syscalls)
  local e = emit.new()
  emit.c_header_open(e, schema, "gen/c_syscalls.lua", name .. ".h")
  local top = 0
  for _, s in ipairs(syscalls) do
    e:line("#define SYS_%s %d", s.name, s.number)
    if s.number > top then top = s.number end
  end
  e:line("#define SYSCALL_COUNT %d", top + 1)
  e:blank()
  e:comment("The numbers above serve the kernel's trap entry (assembly) too; the rest is C.")
  e:line("#ifndef __ASSEMBLER__")
  e:line("#include \"%s.h\"", file.protocol.name)
  e:blank()
  e:comment("The kernel defines one handler per syscall (a missing one fails the link). User pointers arrive as uint64_t: the handler checks them before use.")
  for _, s in ipairs(syscalls) do
    e:comment(s.doc)
    e:line("%s ksys_%s(%s);", RESULT[s.result], s.name, arglist(s, KERNEL_ARG))
  end
  e:blank()
  e:comment("The handlers by number (NULL: no such syscall), through wrappers that check and narrow each argument. The trap entry calls syscall_table[a7] with the app's a0..a5 where they are: they are the wrapper's arguments. An unknown number is the negated " .. ct.enum_value(en, nosys) .. " error.")
  e:line("typedef int64_t (*syscall_handler)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);")
  e:line("extern const syscall_handler syscall_table[SYSCALL_COUNT];")
  e:blank()
  e:comment("The syscall's schema name, or NULL for an unknown number.")
  e:line("const char *syscall_name(uint64_t num);")
  e:line("#endif")
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

local function kernel_source(file, syscalls, name, schema)
  local en, nosys, invalid = error_enum(file, syscalls)
  local e = emit.new()
  emit.c_source_open(e, schema, "gen/c_syscalls.lua", name .. ".h")
  for _, s in ipairs(syscalls) do
    e:func(string.format("static int64_t call_%s(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)", s.name), function()
      local unused = {}
      for i = #s.args, 5 do unused[#unused + 1] = string.format("(void)a%d;", i) end
      if #unused > 0 then e:line("%s", table.concat(unused, " ")) end
      local args, checks = {}, {}
      for i, a in ipairs(s.args) do
        args[#args + 1] = string.format("(%s)a%d", KERNEL_ARG[a.type], i - 1)
        local check = loader.SYSCALL_ARG_TYPES[a.type].out_of_range
        if check then checks[#checks + 1] = string.format(check, i - 1, i - 1) end
      end
      if #checks > 0 then
        e:line("if (%s)", table.concat(checks, " || "))
        e:indent(function() e:line("return -(int64_t)%s;", ct.enum_value(en, invalid)) end)
      end
      e:line("return (int64_t)ksys_%s(%s);", s.name, table.concat(args, ", "))
    end)
    e:blank()
  end
  e:block("const syscall_handler syscall_table[SYSCALL_COUNT] =", function()
    for _, s in ipairs(syscalls) do e:line("[SYS_%s] = call_%s,", s.name, s.name) end
  end, ";")
  e:blank()
  e:block("static const char *const syscall_names[SYSCALL_COUNT] =", function()
    for _, s in ipairs(syscalls) do e:line("[SYS_%s] = \"%s\",", s.name, s.name) end
  end, ";")
  e:blank()
  e:func("const char *syscall_name(uint64_t num)", function()
    e:line("return num < SYSCALL_COUNT ? syscall_names[num] : NULL;")
  end)
  return e:text()
end

-- A user-side header's emitter: banner, guard, and the include of P_syscalls.h.
local function syscalls_header_open(file, name, schema)
  local e = emit.new()
  emit.c_header_open(e, schema, "gen/c_syscalls.lua", name .. ".h")
  e:line("#include \"%s_syscalls.h\"", file.protocol.name)
  e:blank()
  return e
end

local function user_header(file, syscalls, name, schema)
  local e = syscalls_header_open(file, name, schema)
  e:line("#if !defined(__riscv)")
  e:line("#error \"%s.h issues RISC-V ecalls: include it only in guest code\"", name)
  e:line("#endif")
  e:blank()
  for _, s in ipairs(syscalls) do
    e:comment(s.doc)
    e:func(string.format("static inline %s sys_%s(%s)", RESULT[s.result], s.name, arglist(s, USER_ARG)), function()
      local regs = {}
      for i, a in ipairs(s.args) do
        local cast = a.type:match("^uptr") and "(uint64_t)(uintptr_t)" or "(uint64_t)"
        e:line("register uint64_t a%d __asm__(\"a%d\") = %s%s;", i - 1, i - 1, cast, a.name)
        if i > 1 then regs[#regs + 1] = string.format("\"r\"(a%d)", i - 1) end
      end
      if #s.args == 0 then e:line("register uint64_t a0 __asm__(\"a0\");") end
      e:line("register uint64_t a7 __asm__(\"a7\") = SYS_%s;", s.name)
      regs[#regs + 1] = "\"r\"(a7)"
      e:line("__asm__ volatile(\"ecall\" : \"%s\"(a0) : %s : \"memory\");",
        #s.args == 0 and "=r" or "+r", table.concat(regs, ", "))
      e:line("return (%s)a0;", RESULT[s.result])
    end)
    e:blank()
  end
  e:comment("Any syscall by number, for callers that build calls from the syscall table (P_sysdesc.h).")
  e:func("static inline int64_t sys_raw(uint64_t num, uint64_t a0_, uint64_t a1_, uint64_t a2_, uint64_t a3_, uint64_t a4_, uint64_t a5_)", function()
    for i = 0, 5 do e:line("register uint64_t a%d __asm__(\"a%d\") = a%d_;", i, i, i) end
    e:line("register uint64_t a7 __asm__(\"a7\") = num;")
    e:line("__asm__ volatile(\"ecall\" : \"+r\"(a0) : \"r\"(a1), \"r\"(a2), \"r\"(a3), \"r\"(a4), \"r\"(a5), \"r\"(a7) : \"memory\");")
    e:line("return (int64_t)a0;")
  end)
  e:blank()
  emit.c_header_close(e)
  return e:text()
end


local function kind_name(kind) return "SYSCALL_ARG_" .. kind:upper() end

local function desc_header(file, syscalls, name, schema)
  local e = syscalls_header_open(file, name, schema)
  e:comment("How a syscall argument is passed: integer widths, a length, or a user pointer the kernel reads (in) or writes (out).")
  e:block("enum syscall_arg_kind", function()
    for i, k in ipairs(loader.SYSCALL_ARG_KINDS) do e:line("%s = %d,", kind_name(k.name), i - 1) end
  end, ";")
  e:blank()
  e:comment("One syscall of the schema: its number, name, and per argument its name and kind.")
  e:block("struct syscall_desc", function()
    e:line("uint32_t number;")
    e:line("const char *name;")
    e:line("uint32_t nargs;")
    e:line("const char *arg_names[6];")
    e:line("enum syscall_arg_kind arg_kinds[6];")
  end, ";")
  e:blank()
  e:line("#define SYSCALL_DESC_COUNT %d", #syscalls)
  e:comment("Every syscall of the schema, in number order.")
  e:line("extern const struct syscall_desc syscall_descs[SYSCALL_DESC_COUNT];")
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

local function desc_source(syscalls, name, schema)
  local e = emit.new()
  emit.c_source_open(e, schema, "gen/c_syscalls.lua", name .. ".h")
  e:block("const struct syscall_desc syscall_descs[SYSCALL_DESC_COUNT] =", function()
    for _, s in ipairs(syscalls) do
      local names, kinds = {}, {}
      for _, a in ipairs(s.args) do
        names[#names + 1] = string.format("\"%s\"", a.name)
        kinds[#kinds + 1] = kind_name(a.type)
      end
      e:line("{ SYS_%s, \"%s\", %d, { %s }, { %s } },", s.name, s.name, #s.args,
        #names > 0 and table.concat(names, ", ") or "NULL", #kinds > 0 and table.concat(kinds, ", ") or "0")
    end
  end, ";")
  return e:text()
end

function M.generate(file, model, out)
  local syscalls = sorted(loader.of_kind(file, "syscall"))
  if #syscalls == 0 then return end
  local p = file.protocol.name
  local schema = file.path
  out(p .. "_syscalls.h", kernel_header(file, syscalls, p .. "_syscalls", schema), "syscalls")
  out(p .. "_syscalls.c", kernel_source(file, syscalls, p .. "_syscalls", schema), "syscalls")
  out(p .. "_usys.h", user_header(file, syscalls, p .. "_usys", schema), "usys")
  out(p .. "_sysdesc.h", desc_header(file, syscalls, p .. "_sysdesc", schema), "sysdesc")
  out(p .. "_sysdesc.c", desc_source(syscalls, p .. "_sysdesc", schema), "sysdesc")
  return model
end

return M
