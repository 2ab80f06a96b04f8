-- configure.lua: writes build.ninja, the one build description.
--   lua5.4 configure.lua           write build.ninja
--   lua5.4 configure.lua --check   fail when build.ninja is not what this writes
-- build.ninja is committed and reruns this script when an input changes
-- (ninja then re-reads it). Every list comes from one place: the schemas
-- (schema/*.lua and the test-only tests/codec/schema/probe.lua), the
-- generator's own files (gen/*.lua), the names of what the generator writes
-- (it runs once into a temporary folder), the unions of each protocol (the
-- fuzz targets), the apps (kernel/app_list.h) and the machine (the BPF arch).

package.path = "gen/?.lua;" .. package.path
local loader = require("loader")
local fileio = require("files")
local read, write, sh_quote = fileio.read, fileio.write, fileio.sh_quote

local function lines_of(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for line in p:lines() do out[#out + 1] = line end
  assert(p:close(), "configure: failed: " .. cmd)
  return out
end

local function glob(pattern) return lines_of("ls -1 " .. pattern .. " 2>/dev/null | LC_ALL=C sort") end

local function map(list, f)
  local out = {}
  for _, v in ipairs(list) do out[#out + 1] = f(v) end
  return out
end

local function filter(list, f)
  local out = {}
  for _, v in ipairs(list) do if f(v) then out[#out + 1] = v end end
  return out
end

local function concat(...)
  local out = {}
  for _, list in ipairs({ ... }) do table.move(list, 1, #list, #out + 1, out) end
  return out
end

-- ---------------------------------------------------------------- the facts
local schemas = glob("schema/*.lua")
local probe_schemas = { "tests/codec/schema/probe.lua", "schema/kernel.lua" }
local gen_inputs = glob("gen/*.lua")

-- The BPF target arch (clang's -D__TARGET_ARCH_x) and the multiarch include
-- folder, from the machine this runs on (CI machines are x86_64 too).
local machine = lines_of("uname -m")[1]
local BPF_ARCH = { x86_64 = "x86", i386 = "x86", i686 = "x86", aarch64 = "arm64", armv7l = "arm",
  riscv64 = "riscv", ppc64le = "powerpc", s390x = "s390", loongarch64 = "loongarch", mips64 = "mips" }
local bpf_arch = BPF_ARCH[machine] or error("configure: no BPF arch known for machine " .. machine, 0)

-- The apps built into the kernel image: kernel/app_list.h, the one list
-- (apps.c and apps.S expand it); each app's source is clients/*/NAME.c.
local app_list = read("kernel/app_list.h"):match("#define APP_LIST%(X%)([^\n]*)")
local apps = {}
for name in app_list:gmatch("X%(([%w_]+)%)") do
  local src = glob("clients/*/" .. name .. ".c")
  if #src ~= 1 then error("configure: app " .. name .. " needs exactly one clients/*/" .. name .. ".c", 0) end
  apps[#apps + 1] = { name = name, src = src[1] }
end

-- What the generator writes for a list of schemas: it runs into a temporary
-- folder, and each file is sorted by protocol ("proto" is the shared
-- runtime) and kind: timer_dispatch.c is protocol timer, kind "dispatch".
local function generator_outputs(paths, lock)
  local model = loader.load(paths)
  local dir = os.tmpname()
  os.remove(dir)
  lines_of("lua5.4 gen/cli.lua --out " .. dir .. (lock and " --lock " .. lock or "") .. " " ..
    table.concat(paths, " ") .. " >/dev/null")
  local names = lines_of("cd " .. dir .. " && find . -type f | cut -c3- | LC_ALL=C sort")
  os.execute("rm -rf " .. sh_quote(dir))
  local protocols = { { name = "proto", unions = {} } }
  for _, file in ipairs(model.files) do
    protocols[#protocols + 1] = { name = file.protocol.name, unions = map(loader.of_kind(file, "union"),
      function(u) return u.name end), path = file.path }
  end
  local files = {}
  for _, name in ipairs(names) do
    local owner
    for _, p in ipairs(protocols) do
      if (name:sub(1, #p.name + 1) == p.name .. "." or name:sub(1, #p.name + 1) == p.name .. "_")
        and (not owner or #p.name > #owner.name) then owner = p end
    end
    if owner then
      local rest = name:sub(#owner.name + 1)
      local kind, ext = rest:match("^_?([%w_]*)%.(.+)$")
      files[#files + 1] = { name = name, protocol = owner, kind = kind, ext = ext }
      -- a protocol with a BPF header is shared memory with BPF, not a guest protocol
      if ext == "bpf.h" then owner.bpf = true end
    end
  end
  return { files = files, protocols = protocols }
end

local shipped = generator_outputs(schemas, "generated/wire.lock")
local probe = generator_outputs(probe_schemas)

-- The generated C sources of the given kinds; only protocols with unions
-- (and the runtime) when wire_only; never a BPF protocol's.
local function sources(outputs, kinds, wire_only)
  local want = {}
  for _, k in ipairs(kinds) do want[k] = true end
  return filter(outputs.files, function(f)
    return f.ext == "c" and want[f.kind] and not f.protocol.bpf
      and (not wire_only or f.protocol.name == "proto" or #f.protocol.unions > 0)
  end)
end
local function names(files) return map(files, function(f) return f.name end) end
local function base(name) return (name:gsub("%.c$", "")) end

local kernel_gen = sources(shipped, { "", "dispatch", "syscalls", "format" })
local ulib_gen = sources(shipped, { "", "client", "sysdesc", "vectors", "format" })
local codec_gen = sources(shipped, { "", "dispatch", "client", "vectors", "format" }, true)
local probe_gen = filter(probe.files, function(f) return f.protocol.name == "probe" and (f.ext == "c" or f.ext == "h") end)
local probe_gen_c = filter(probe_gen, function(f) return f.ext == "c" end)
local scale_gen = {}
do
  local seen = {}
  for _, f in ipairs(concat(kernel_gen, ulib_gen)) do
    if not seen[f.name] then seen[f.name] = true; scale_gen[#scale_gen + 1] = f end
  end
  table.sort(scale_gen, function(a, b) return a.name < b.name end)
end

-- Fuzz targets: every union of every protocol that has one.
local fuzz = {}
for _, outputs in ipairs({ shipped, probe }) do
  for _, p in ipairs(outputs.protocols) do
    if p.name ~= "proto" and not p.bpf and (outputs == shipped or p.name == "probe") then
      for _, u in ipairs(p.unions) do fuzz[#fuzz + 1] = { msg = u, protocol = p.name, probe = outputs == probe } end
    end
  end
end

-- ---------------------------------------------------------------- the writer
local out = {}
local function line(text) out[#out + 1] = text end
local function text(block) for l in (block .. "\n"):gmatch("(.-)\n") do line(l) end end

-- A list of paths, wrapped with `$` continuations after `head`.
local function wrapped(head, items, tail)
  local cur = head
  for _, item in ipairs(items) do
    if #cur + 1 + #item > 108 and cur:find("%S") and cur ~= head then
      line(cur .. " $")
      cur = "    " .. item
    else
      cur = cur .. (cur:sub(-1) == " " and "" or " ") .. item
    end
  end
  line(cur .. (tail or ""))
end

-- build OUTS: RULE INS | IMPLICIT || ORDER, then `  key = value` lines.
local function build(outs, rule, ins, opts)
  opts = opts or {}
  local items = concat(type(outs) == "table" and outs or { outs })
  if opts.implicit_outs then items = concat(items, { "|" }, opts.implicit_outs) end
  items[#items] = items[#items] .. ":"
  items[#items + 1] = rule
  items = concat(items, ins or {})
  if opts.implicit and #opts.implicit > 0 then items = concat(items, { "|" }, opts.implicit) end
  if opts.order and #opts.order > 0 then items = concat(items, { "||" }, opts.order) end
  wrapped("build", items)
  for _, kv in ipairs(opts.vars or {}) do line("  " .. kv[1] .. " = " .. kv[2]) end
end
local function phony(name, deps) build(name, "phony", deps) end

-- ---------------------------------------------------------------- build.ninja
text([[
# The one build description, written by configure.lua (lua5.4 configure.lua):
# do not edit; change configure.lua and commit both. Outputs go to build/
# (ignored); generated/ is committed and refreshed by `ninja gen`. Fixed
# commands: gen, check-generated, test, run, bench (see ../shared/ARCHITECTURE.md).

ninja_required_version = 1.10
builddir = build

cflags = -std=c11 -Wall -Wextra -Werror -O2 -g -Igenerated
san = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
hostcc = gcc
lua = lua5.4

# ---------------------------------------------------------------- build.ninja itself
# Rewritten when configure.lua, a schema, the generator or the app list
# changes; `ninja check-build` (part of the tests) fails when it is stale.
rule configure
  command = $lua configure.lua
  description = CONFIGURE build.ninja
  generator = 1]])
local configure_inputs = concat({ "configure.lua", "kernel/app_list.h", "schema", "gen" }, schemas,
  { probe_schemas[1] }, gen_inputs)
build("build.ninja", "configure", nil, { implicit = configure_inputs })
text([[
rule check_build
  command = $lua configure.lua --check
  description = CHECK build.ninja]])
build("check-build", "check_build", nil, { implicit = { "configure.lua" } })
text([[

# The edited tree (tests/tree/edited-tree): in a copy of the tree, schema
# limits moved up and down and a new variant and constant; with only the
# variant's handlers written by hand, configure + gen, everything builds and
# the host tests and ktest pass (a few minutes; its log is
# build/tests/edited-tree.log).
rule edited_tree
  command = tests/tree/edited-tree
  description = TEST edited tree (a copy with other limits and a new variant)
  pool = console
build test-edited-tree: edited_tree | tests/tree/edited-tree

# This part's test targets go on the tests-build line.
build tests-build: phony check-build test-edited-tree
]])

text([[
# ---------------------------------------------------------------- generators
# Inputs are the schemas ($in); the generators are implicit inputs.
rule gen
  command = $lua gen/cli.lua --out generated --lock generated/wire.lock $in && touch $out
  description = GEN generated/]])
build("build/gen.stamp", "gen", schemas, { implicit = gen_inputs })
phony("gen", { "build/gen.stamp" })
text([[

rule check_generated
  command = rm -rf build/check-gen && $lua gen/cli.lua --out build/check-gen --lock generated/wire.lock $in >/dev/null && $
    diff -r generated build/check-gen && echo "check-generated: generated/ is what schema/ and gen/ produce"
  description = CHECK generated/]])
build("check-generated", "check_generated", schemas, { implicit = gen_inputs, vars = { { "pool", "console" } } })
text([[

rule lua_test
  command = $lua $in build/tests/gen
  description = TEST $in
  pool = console]])
build("test-gen", "lua_test", { "tests/gen/test_gen.lua" }, { implicit = { "build/gen.stamp" } })

text([[

# ---------------------------------------------------------------- host: codec runtime and tests (issue 2)
rule cc_host
  command = $hostcc $cflags $san $extra -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = CC $out
rule link_host
  command = $hostcc $san $in -o $out $libs
  description = LINK $out

# Codec tests (tests/codec): one Criterion binary under ASan+UBSan over the
# generated code of every protocol with a union and a test-only probe schema
# that uses every wire type (generated into build/tests/probe-gen/, never committed).
rule probe_gen
  command = rm -rf build/tests/probe-gen && $lua gen/cli.lua --out build/tests/probe-gen $in >/dev/null
  description = GEN build/tests/probe-gen/]])
local probe_dir = "build/tests/probe-gen/"
build(map(names(probe_gen), function(n) return probe_dir .. n end), "probe_gen", probe_schemas,
  { implicit = gen_inputs })
phony("probe-gen", map(filter(names(probe_gen), function(n) return n:match("%.h$") end),
  function(n) return probe_dir .. n end))
line("")
line("codec_test_inc = -Itests/codec -Ibuild/tests/probe-gen")
local codec_test_inc = { { "extra", "$codec_test_inc" } }
local codec_objs, codec_gen_objs = {}, {}
for _, f in ipairs(codec_gen) do
  local o = "build/tests/codec/gen/" .. base(f.name) .. ".o"
  build(o, "cc_host", { "generated/" .. f.name })
  codec_gen_objs[#codec_gen_objs + 1] = { obj = o, file = f }
end
for _, f in ipairs(probe_gen_c) do
  local o = "build/tests/codec/gen/" .. base(f.name) .. ".o"
  build(o, "cc_host", { probe_dir .. f.name }, { order = { "probe-gen" }, vars = codec_test_inc })
  codec_gen_objs[#codec_gen_objs + 1] = { obj = o, file = f }
end
for _, src in ipairs(glob("tests/codec/*.c")) do
  local o = "build/tests/codec/" .. base(src:match("[^/]+$")) .. ".o"
  build(o, "cc_host", { src }, { order = { "probe-gen" }, vars = codec_test_inc })
  codec_objs[#codec_objs + 1] = o
end
build("build/tests/codec/test_codec", "link_host",
  concat(codec_objs, map(codec_gen_objs, function(g) return g.obj end)), { vars = { { "libs", "-lcriterion" } } })
text([[
rule codec_criterion
  command = $in
  description = TEST $in]])
build("test-codec", "codec_criterion", { "build/tests/codec/test_codec" })

text([[

# Fuzz targets (tests/fuzz): one libFuzzer binary per union of the schemas,
# built with clang. `ninja fuzz` runs each for 20 s, `ninja fuzz-short` (part
# of the tests) for 3 s; their outputs go to build/fuzz/.
fuzz_cc = clang
fuzz_cflags = -std=c11 -Wall -Wextra -Werror -g -O1 -Igenerated $
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
rule fuzz_build
  command = $fuzz_cc $fuzz_cflags $extra -DFUZZ_MSG=$msg '-DFUZZ_HEADER="$header"' $in -o $out
  description = FUZZBUILD $out
rule fuzz_run
  command = tests/fuzz/run-fuzz $in $msg $secs
  description = FUZZ $msg ($secs s)]])
for _, t in ipairs(fuzz) do
  local dir = t.probe and probe_dir or "generated/"
  local vars = { { "msg", t.msg }, { "header", t.protocol .. "_format.h" } }
  if t.probe then vars[#vars + 1] = { "extra", "-Ibuild/tests/probe-gen" } end
  build("build/fuzz/fuzz_" .. t.msg, "fuzz_build", { "tests/fuzz/fuzz_decode.c", dir .. t.protocol .. ".c",
    "generated/proto.c", dir .. t.protocol .. "_format.c", "generated/proto_format.c" },
    { implicit = { dir .. t.protocol .. "_format.h", "generated/proto.h" }, vars = vars })
end
for _, run in ipairs({ { "short", 3 }, { "long", 20 } }) do
  for _, t in ipairs(fuzz) do
    build("fuzz-" .. run[1] .. "-" .. t.msg, "fuzz_run", { "build/fuzz/fuzz_" .. t.msg },
      { implicit = { "tests/fuzz/run-fuzz" }, vars = { { "msg", t.msg }, { "secs", run[2] } } })
  end
end
text([[
# The differential check: each input of the fuzz corpus (the seeds and what
# the fuzz-short runs wrote) through the C codecs (tests/fuzz/verdict.c) and
# the Lua reference codec (gen/wire_ref.lua); they must agree on every one.]])
build("build/tests/fuzz/verdict.o", "cc_host", { "tests/fuzz/verdict.c" }, { order = { "probe-gen" }, vars = codec_test_inc })
build("build/fuzz/verdict", "link_host", concat({ "build/tests/fuzz/verdict.o" },
  map(filter(codec_gen_objs, function(g) return g.file.kind == "" or g.file.kind == "vectors" end),
    function(g) return g.obj end)))
text([[
rule fuzz_differential
  command = $lua tests/fuzz/differential.lua $in $schemas
  description = TEST differential: the fuzz corpus through C and gen/wire_ref.lua]])
local wire_schemas = {}
for _, p in ipairs(shipped.protocols) do
  if p.path and not p.bpf then wire_schemas[#wire_schemas + 1] = p.path end
end
wire_schemas[#wire_schemas + 1] = probe_schemas[1]
build("test-fuzz-differential", "fuzz_differential", { "build/fuzz/verdict" },
  { implicit = { "tests/fuzz/differential.lua", "gen/wire_ref.lua", "gen/loader.lua", "gen/expr.lua" },
    order = { "fuzz-short" }, vars = { { "schemas", table.concat(wire_schemas, " ") } } })
phony("fuzz-short", map(fuzz, function(t) return "fuzz-short-" .. t.msg end))
phony("fuzz", map(fuzz, function(t) return "fuzz-long-" .. t.msg end))

text([[

# Codec benchmark (bench/codec): ours against protobuf-c, -O2 without sanitizers;
# protoc-c writes its C into build/bench/codec/ at build time.
bench_cflags = -std=c11 -Wall -Wextra -Werror -O2 -g -Igenerated -Ibuild/bench/codec
rule protoc_c
  command = protoc-c --c_out=build/bench/codec --proto_path=bench/codec $in
  description = PROTOC-C $in
rule cc_bench
  command = $hostcc $bench_cflags $extra -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = CC $out
rule link_bench
  command = $hostcc $in -o $out -lprotobuf-c
  description = LINK $out
rule run_bench
  command = $in
  description = BENCH $in
  pool = console
build build/bench/codec/codec.pb-c.c build/bench/codec/codec.pb-c.h: protoc_c bench/codec/codec.proto
build build/bench/codec/codec.pb-c.o: cc_bench build/bench/codec/codec.pb-c.c
  extra = -Wno-error
build build/bench/codec/bench_codec.o: cc_bench bench/codec/bench_codec.c || build/bench/codec/codec.pb-c.h]])
local bench_objs = { "build/bench/codec/bench_codec.o", "build/bench/codec/codec.pb-c.o" }
for _, f in ipairs(sources(shipped, { "" }, true)) do
  local o = "build/bench/codec/" .. base(f.name) .. ".o"
  build(o, "cc_bench", { "generated/" .. f.name })
  bench_objs[#bench_objs + 1] = o
end
build("build/bench/codec/bench_codec", "link_bench", bench_objs)
build("bench-codec", "run_bench", { "build/bench/codec/bench_codec" })
line("")
line("# This part's test targets go on the tests-codec line, its benchmarks on bench-codec-all.")
phony("tests-codec", { "test-codec", "fuzz-short", "test-fuzz-differential" })
phony("bench-codec-all", { "bench-codec" })

text([[

# ---------------------------------------------------------------- kernel (issue 3)
# This part's test targets go on the tests-kernel line, its benchmarks on bench-kernel-all.
# RISC-V kernel (build/kernel/) and guest apps (build/clients/), freestanding.
rv_cc = riscv64-unknown-elf-gcc
rv_cflags = -std=c11 -Wall -Wextra -Werror -O2 -g -march=rv64imac_zicsr_zifencei -mabi=lp64 $
  -mcmodel=medany -ffreestanding -nostdlib -fno-stack-protector -fno-pie $
  -fno-tree-loop-distribute-patterns
rv_ldflags = -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments

rule rv_link
  command = $rv_cc $rv_ldflags -T $ldscript $in -o $out -lgcc
  description = RVLD $out
rule rv_ar
  command = rm -f $out && riscv64-unknown-elf-ar rcs $out $in
  description = RVAR $out
rule rv_listing
  command = riscv64-unknown-elf-objdump -S $in > $out && riscv64-unknown-elf-nm -n $in > $sym
  description = OBJDUMP $out
rule qemu_kernel
  command = kernel/qemu-run $opts $in "$args"
  description = QEMU $args
  pool = console]])

-- The kernel's own sources, in link order (apps.c is apps_table.o: apps.S is apps.o).
local kernel_srcs = { "kernel/entry.S", "kernel/trapvec.S", "kernel/swtch.S", "kernel/apps.S", "kernel/main.c",
  "kernel/uart.c", "kernel/printf.c", "kernel/sbi.c", "kernel/fdt.c", "kernel/kalloc.c", "kernel/vm.c",
  "kernel/trap.c", "kernel/sched.c", "kernel/chan.c", "kernel/trace.c", "kernel/syscall.c", "kernel/handle.c",
  "kernel/exec.c", "kernel/apps.c", "kernel/lib/string.c", "kernel/lib/fmt.c", "kernel/lib/heap.c",
  "kernel/services/service.c", "kernel/services/boot_svc.c", "kernel/services/timer_svc.c",
  "kernel/services/timer_task.c" }

-- The kernel and its apps from the generated code in gen into kb: once for
-- the shipped kernel (generated/ into build/), once for bench-kernel-scale
-- (a copy of the schema generated with raised limits, into build/scale/).
local function kernel(kb, gen, ready, rule_suffix)
  local cc, ucc = "rv_cc" .. rule_suffix, "rv_ucc" .. rule_suffix
  text(string.format([[
rule %s
  command = $rv_cc $rv_cflags -I%s $extra -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = RVCC $out
rule %s
  command = $rv_cc $rv_cflags -I%s -Iclients/lib -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = RVCC $out]], cc, gen, ucc, gen))
  local objs = {}
  for _, src in ipairs(kernel_srcs) do
    local o = kb .. "/" .. src:gsub("%.[cS]$", ".o"):gsub("kernel/apps%.o$", "kernel/apps_table.o")
    if src == "kernel/apps.S" then
      o = kb .. "/kernel/apps.o"
      build(o, cc, { src }, { implicit = map(apps, function(a) return kb .. "/clients/" .. a.name .. ".elf" end),
        order = { ready }, vars = { { "extra", "-Wa,-I" .. kb .. "/clients" } } })
    else
      build(o, cc, { src }, { order = { ready } })
    end
    objs[#objs + 1] = o
  end
  for _, f in ipairs(kernel_gen) do
    local o = kb .. "/kernel/gen/" .. base(f.name) .. ".o"
    build(o, cc, { gen .. "/" .. f.name }, { order = { ready } })
    objs[#objs + 1] = o
  end
  build(kb .. "/kernel/kernel.elf", "rv_link", objs,
    { implicit = { "kernel/kernel.ld" }, vars = { { "ldscript", "kernel/kernel.ld" } } })
  build(kb .. "/kernel/kernel.asm", "rv_listing", { kb .. "/kernel/kernel.elf" },
    { implicit_outs = { kb .. "/kernel/kernel.sym" }, vars = { { "sym", kb .. "/kernel/kernel.sym" } } })
  line("# Guest apps: the runtime in clients/lib, the generated stubs and codecs.")
  local ulib = {}
  for _, src in ipairs({ "clients/lib/start.S", "clients/lib/ulib.c", "kernel/lib/string.c", "kernel/lib/fmt.c" }) do
    local o = kb .. "/clients/lib/" .. src:match("([^/]+)%.[cS]$") .. ".o"
    build(o, ucc, { src }, { order = { ready } })
    ulib[#ulib + 1] = o
  end
  for _, f in ipairs(ulib_gen) do
    local o = kb .. "/clients/gen/" .. base(f.name) .. ".o"
    build(o, ucc, { gen .. "/" .. f.name }, { order = { ready } })
    ulib[#ulib + 1] = o
  end
  build(kb .. "/clients/ulib.a", "rv_ar", ulib)
  for _, a in ipairs(apps) do
    local o = kb .. "/clients/" .. a.name .. ".o"
    build(o, ucc, { a.src }, { order = { ready } })
    build(kb .. "/clients/" .. a.name .. ".elf", "rv_link", { o, kb .. "/clients/lib/start.o", kb .. "/clients/ulib.a" },
      { implicit = { "clients/lib/user.ld" }, vars = { { "ldscript", "clients/lib/user.ld" } } })
  end
end

line("")
line("# The shipped kernel, from generated/ (committed: nothing to build first).")
phony("gen-committed", {})
kernel("build", "generated", "gen-committed", "")
text([[

# bench-kernel-scale's kernel: the schema with raised limits, generated into
# build/scale/gen (never into generated/), and the kernel and apps built from
# it into build/scale. The limits: 1024 timer clients, 32 of them per app.
scale_sets = --set MAX_TIMER_CLIENTS=1024 --set APP_MAX_TIMERS=32
rule scale_gen
  command = $lua gen/cli.lua --out build/scale/gen $scale_sets $in > /dev/null && touch $out
  description = GEN build/scale/gen/ ($scale_sets)]])
build("build/scale/gen.stamp", "scale_gen", schemas, { implicit = gen_inputs,
  implicit_outs = map(scale_gen, function(f) return "build/scale/gen/" .. f.name end) })
kernel("build/scale", "build/scale/gen", "build/scale/gen.stamp", "_scale")

text([[

# The bare guest (bench/kernel/bare): the floor under bench-kernel's timer
# lateness. The kernel's own entry, linker script, console, SBI and
# device-tree objects around bare.c; no scheduler, no traps, no IPC.
build build/bench/kernel/bare.o: rv_cc bench/kernel/bare/bare.c
  extra = -Ikernel -Iclients/lib
build build/bench/bare.elf: rv_link build/bench/kernel/bare.o build/kernel/entry.o build/kernel/uart.o $
  build/kernel/printf.o build/kernel/sbi.o build/kernel/fdt.o build/kernel/lib/string.o $
  build/kernel/lib/fmt.o | kernel/kernel.ld
  ldscript = kernel/kernel.ld

# Commands: run (demo, which starts reactor), ktest (in-guest suite, icount),
# qemu-gdb (waits for gdb on :1234), bench-kernel.
build run: qemu_kernel build/kernel/kernel.elf | kernel/qemu-run build/kernel/kernel.asm
  args = demo
  opts = --timeout 30
build qemu-gdb: qemu_kernel build/kernel/kernel.elf | kernel/qemu-run build/kernel/kernel.asm
  args = demo
  opts = --gdb
build ktest: qemu_kernel build/kernel/kernel.elf | kernel/qemu-run build/kernel/kernel.asm
  args = ktest
  opts = --icount --timeout 120
rule bench_kernel
  command = kernel/bench-run $in
  description = BENCH timerbench and the bare guest (real time, then icount)
  pool = console
build bench-kernel: bench_kernel build/kernel/kernel.elf build/bench/bare.elf | kernel/bench-run kernel/qemu-run
rule bench_kernel_micro
  command = kernel/bench-micro $in
  description = BENCH kbench (real time, then icount)
  pool = console
build bench-kernel-micro: bench_kernel_micro build/kernel/kernel.elf | kernel/bench-micro kernel/qemu-run
rule bench_kernel_scale
  command = kernel/bench-scale $in
  description = BENCH timerbench at scale (icount, the scale kernel above)
  pool = console
build bench-kernel-scale: bench_kernel_scale build/scale/kernel/kernel.elf | kernel/bench-scale kernel/qemu-run

# Host tests of the timer service logic (tests/kernel), under ASan+UBSan.
rule kernel_criterion
  command = $in
  description = TEST $in
build build/kernel/host/timer_svc.o: cc_host kernel/services/timer_svc.c
build build/kernel/host/heap.o: cc_host kernel/lib/heap.c]])
local svc_objs = { "build/kernel/host/test_timer_svc.o", "build/kernel/host/timer_svc.o", "build/kernel/host/heap.o" }
for _, f in ipairs(sources(shipped, { "", "dispatch", "client" })) do
  if f.protocol.name == "proto" or f.protocol.name == "timer" then
    local o = "build/kernel/host/" .. base(f.name) .. ".o"
    build(o, "cc_host", { "generated/" .. f.name })
    svc_objs[#svc_objs + 1] = o
  end
end
build("build/kernel/host/test_timer_svc.o", "cc_host", { "tests/kernel/test_timer_svc.c" },
  { vars = { { "extra", "-Ikernel/services" } } })
build("build/kernel/test_timer_svc", "link_host", svc_objs, { vars = { { "libs", "-lcriterion" } } })
text([[
build test-kernel-timer-svc: kernel_criterion build/kernel/test_timer_svc

# A fault in the kernel must panic with scause, sepc, stval and the registers,
# and QEMU must exit with the failure status: a load from unmapped memory,
# and a kernel task's stack overflow, which must hit its guard page.
rule kernel_panic_test
  command = ! kernel/qemu-run --timeout 30 $in $bootarg > build/kernel/$bootarg.log 2>&1 && $
    grep -q '$expect' build/kernel/$bootarg.log && grep -q ' ra=' build/kernel/$bootarg.log && $
    grep -q 'panic: kerneltrap' build/kernel/$bootarg.log && $
    echo '$out: $expect..., kernel trap reported, QEMU exit status = fail: 1 passed, 0 failed' || $
    { cat build/kernel/$bootarg.log; echo '$out: FAILED'; exit 1; }
  description = TEST $bootarg panics
build test-kernel-panic: kernel_panic_test build/kernel/kernel.elf | kernel/qemu-run
  bootarg = kernel-fault
  expect = kernel trap: scause 13 sepc 0x
build test-kernel-stack-overflow: kernel_panic_test build/kernel/kernel.elf | kernel/qemu-run
  bootarg = kernel-stack-overflow
  expect = kernel stack overflow: task overflow ran into the guard page

# The IPC trace (kernel/trace.c): `trace-ipc demo` must print a line for each
# kind of message, decoded by the channel's protocol with the generated
# formatters (both ways on the boot and timer channels), and in hex on a raw
# channel (reactor's ping to itself, the spawn channel's result); demo must
# still pass. The output is kept in build/kernel/trace-ipc.log.
rule kernel_trace_test
  command = kernel/qemu-run --timeout 30 $in "trace-ipc demo" > build/kernel/trace-ipc.log 2>&1 && $
    grep -q '^trace: [0-9]* us demo([0-9]*) -> boot(0): BootRequest::ConnectService { name: "timer" }' build/kernel/trace-ipc.log && $
    grep -q '^trace: [0-9]* us boot(0) -> demo(0): BootResponse::Ok { channel: cap#0 } +1 cap' build/kernel/trace-ipc.log && $
    grep -q '^trace: [0-9]* us demo([0-9]*) -> timer([0-9]*): TimerRequest::After { duration_us: 50000 }' build/kernel/trace-ipc.log && $
    grep -q '^trace: [0-9]* us timer([0-9]*) -> demo([0-9]*): TimerResponse::Expired {}' build/kernel/trace-ipc.log && $
    grep -q '^trace: [0-9]* us reactor([0-9]*) -> reactor([0-9]*): raw 5 bytes <70 69 6e 67 00>' build/kernel/trace-ipc.log && $
    grep -q '^demo: PASS' build/kernel/trace-ipc.log && $
    echo "$out: boot, timer and raw messages traced, demo passed: 1 passed, 0 failed" || $
    { cat build/kernel/trace-ipc.log; echo '$out: FAILED: 0 passed, 1 failed'; exit 1; }
  description = TEST trace-ipc demo
  pool = console
build test-kernel-trace: kernel_trace_test build/kernel/kernel.elf | kernel/qemu-run

# The in-guest syscall fuzzer (clients/kfuzz) under -icount, seed 1 with up to
# 4 children at once: fuzz-kernel runs 1,000,000 syscalls (a minute or two),
# fuzz-kernel-short (part of the tests) 20,000. Each fails unless QEMU exits 0
# and no kfuzz (children included) reported an ANOMALY: a kernel trap, a panic,
# a hang (the wall-clock guard) or what kfuzz checks. The whole output goes to
# build/kernel/$out.log; the kfuzz lines and a trap's registers are shown.
# Another seed: kernel/qemu-run --icount build/kernel/kernel.elf kfuzz=SEED,COUNT,4
rule fuzz_kernel
  command = kernel/qemu-run --icount --timeout $timeout $in "kfuzz=$fuzz" > build/kernel/$out.log 2>&1; $
    rc=$$?; grep -a --no-group-separator -A10 '^kfuzz\|^kernel trap\|^panic\|^qemu-run' build/kernel/$out.log | grep -av '^kernel: no app' | $
    head -60; [ $$rc -eq 0 ] && ! grep -aq ANOMALY build/kernel/$out.log && echo '$out: 1 passed, 0 failed'
  description = FUZZ kfuzz=$fuzz
  pool = console
build fuzz-kernel: fuzz_kernel build/kernel/kernel.elf | kernel/qemu-run
  fuzz = 1,1000000,4
  timeout = 900
build fuzz-kernel-short: fuzz_kernel build/kernel/kernel.elf | kernel/qemu-run
  fuzz = 1,20000,4
  timeout = 120

build tests-kernel: phony test-kernel-timer-svc test-kernel-panic test-kernel-stack-overflow ktest fuzz-kernel-short $
  test-kernel-trace
build bench-kernel-all: phony bench-kernel bench-kernel-micro bench-kernel-scale
]])

text(string.format([[
# ---------------------------------------------------------------- BPF sync timer (issue 4)
# This part's test targets go on the tests-bpf line, its benchmarks on bench-bpf-all.
# .bpf.c -> .bpf.o (clang -target bpf) -> .skel.h (bpftool gen skeleton) -> loader;
# everything lands in build/bpf/. The BPF tests need root; they run in the console pool, one at a time and never beside ktest, test-gen or the edited-tree build, whose load would starve their timers.
# The arch and include folder are this machine's (%s), found by configure.lua.
bpf_clang = clang
bpf_arch = %s
bpf_cflags = -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$bpf_arch -I. -Ibuild/bpf $
  -I/usr/include/%s-linux-gnu]], machine, bpf_arch, machine))
text([[
bpf_host_cflags = $cflags -D_GNU_SOURCE -Ibpf/include -Ibpf -Ibuild/bpf -Iclients/sync_timer_collect
bpf_libs = -lbpf -lelf -lz

rule bpf_vmlinux
  command = bpftool btf dump file /sys/kernel/btf/vmlinux format c > $out.tmp && mv $out.tmp $out
  description = BTF $out
rule bpf_obj
  command = $bpf_clang $bpf_cflags -MD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = BPF $out
rule bpf_skel
  command = bpftool gen skeleton $in name $name > $out.tmp && mv $out.tmp $out
  description = SKEL $out
rule bpf_cc
  command = $hostcc $bpf_host_cflags $extra -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc
  description = CC $out
rule bpf_ar
  command = rm -f $out && ar rcs $out $in
  description = AR $out
rule bpf_link
  command = $hostcc $ldextra $in -o $out $bpf_libs $libs
  description = LINK $out
rule bpf_criterion
  command = tests/bpf/run-criterion.sh $in
  description = TEST $in
  pool = console

build build/bpf/vmlinux.h: bpf_vmlinux

# The timer program and libsync_timer.
build build/bpf/sync_timer.bpf.o: bpf_obj bpf/sync_timer.bpf.c | build/bpf/vmlinux.h
build build/bpf/sync_timer.skel.h: bpf_skel build/bpf/sync_timer.bpf.o
  name = sync_timer_bpf
build build/bpf/libsync_timer.o: bpf_cc bpf/libsync_timer.c || build/bpf/sync_timer.skel.h
build build/bpf/sync_timer_gen.o: bpf_cc generated/sync_timer.c
build build/bpf/libsync_timer.a: bpf_ar build/bpf/libsync_timer.o build/bpf/sync_timer_gen.o
# The shared library (the skeleton, with the timer object, is embedded in it):
# the same sources as -fPIC objects, soname libsync_timer.so.$sync_timer_soversion.
sync_timer_soversion = 1
rule bpf_so
  command = $hostcc -shared -Wl,-soname,$soname $in -o $out $bpf_libs
  description = LINK $out
build build/bpf/pic/libsync_timer.o: bpf_cc bpf/libsync_timer.c || build/bpf/sync_timer.skel.h
  extra = -fPIC
build build/bpf/pic/sync_timer_gen.o: bpf_cc generated/sync_timer.c
  extra = -fPIC
build build/bpf/libsync_timer.so.$sync_timer_soversion: bpf_so build/bpf/pic/libsync_timer.o $
  build/bpf/pic/sync_timer_gen.o
  soname = libsync_timer.so.$sync_timer_soversion
# The soversion for tools/install, which reads it from here (ninja redoes it
# when the number above changes the command).
rule bpf_soversion
  command = echo $sync_timer_soversion > $out
  description = SOVERSION $out
build build/bpf/libsync_timer.soversion: bpf_soversion

# Tests (tests/bpf): the real kernel, as root; skipped (and saying so) otherwise.
build build/bpf/test_subscriber.bpf.o: bpf_obj tests/bpf/test_subscriber.bpf.c | build/bpf/vmlinux.h
build build/bpf/test_subscriber.skel.h: bpf_skel build/bpf/test_subscriber.bpf.o
  name = test_subscriber_bpf
build build/bpf/tests/test_sync_timer.o: bpf_cc tests/bpf/test_sync_timer.c || $
  build/bpf/sync_timer.skel.h build/bpf/test_subscriber.skel.h
  extra = $san
build build/bpf/tests/bpf_test_util.o: bpf_cc tests/bpf/bpf_test_util.c
  extra = $san
build build/bpf/tests/one_job_main.o: bpf_cc tests/bpf/one_job_main.c
  extra = $san
build build/bpf/tests/test_btf_layout.o: bpf_cc tests/bpf/test_btf_layout.c
  extra = $san -DBPF_BUILD_DIR='"build/bpf"'
build build/bpf/test_sync_timer: bpf_link build/bpf/tests/test_sync_timer.o $
  build/bpf/tests/bpf_test_util.o build/bpf/tests/one_job_main.o build/bpf/libsync_timer.a
  ldextra = $san
  libs = -lcriterion
build build/bpf/test_btf_layout: bpf_link build/bpf/tests/test_btf_layout.o build/bpf/tests/one_job_main.o
  ldextra = $san
  libs = -lcriterion
build build/bpf/tests/test_collect.o: bpf_cc tests/bpf/test_collect.c
  extra = $san -DCOLLECT_BIN='"build/bpf/sync_timer_collect"'
build build/bpf/test_collect: bpf_link build/bpf/tests/test_collect.o build/bpf/tests/bpf_test_util.o $
  build/bpf/tests/one_job_main.o build/bpf/libsync_timer.a
  ldextra = $san
  libs = -lcriterion
build test-bpf-sync-timer: bpf_criterion build/bpf/test_sync_timer | tests/bpf/run-criterion.sh
build test-bpf-collect: bpf_criterion build/bpf/test_collect | tests/bpf/run-criterion.sh $
  build/bpf/sync_timer_collect
build test-bpf-btf-layout: bpf_criterion build/bpf/test_btf_layout | tests/bpf/run-criterion.sh $
  build/bpf/sync_timer.bpf.o build/bpf/test_subscriber.bpf.o build/bpf/sync_timer_collect.bpf.o

# clients/sync_timer_collect: a subscriber and its loader.
build build/bpf/sync_timer_collect.bpf.o: bpf_obj clients/sync_timer_collect/sync_timer_collect.bpf.c | $
  build/bpf/vmlinux.h
build build/bpf/sync_timer_collect.skel.h: bpf_skel build/bpf/sync_timer_collect.bpf.o
  name = sync_timer_collect_bpf
build build/bpf/sync_timer_collect.o: bpf_cc clients/sync_timer_collect/sync_timer_collect.c || $
  build/bpf/sync_timer_collect.skel.h
build build/bpf/sync_timer_collect: bpf_link build/bpf/sync_timer_collect.o build/bpf/libsync_timer.a
  libs = -lm
build sync_timer_collect: phony build/bpf/sync_timer_collect

# Benchmark (bench/bpf): the floor program, then sync_timer_collect idle and under stress,
# then the subscriber's cost (sync_timer_subcost).
build build/bpf/floor.bpf.o: bpf_obj bench/bpf/floor.bpf.c | build/bpf/vmlinux.h
build build/bpf/floor.skel.h: bpf_skel build/bpf/floor.bpf.o
  name = floor_bpf
build build/bpf/floor.o: bpf_cc bench/bpf/floor.c || build/bpf/floor.skel.h
  extra = -Ibench/bpf
build build/bpf/sync_timer_floor: bpf_link build/bpf/floor.o
build build/bpf/subcost.bpf.o: bpf_obj bench/bpf/subcost.bpf.c | build/bpf/vmlinux.h
build build/bpf/subcost.skel.h: bpf_skel build/bpf/subcost.bpf.o
  name = subcost_bpf
build build/bpf/subcost.o: bpf_cc bench/bpf/subcost.c || build/bpf/subcost.skel.h
  extra = -Ibench/bpf
build build/bpf/sync_timer_subcost: bpf_link build/bpf/subcost.o build/bpf/libsync_timer.a
rule bpf_bench
  command = bench/bpf/bench-bpf.sh build/bpf
  description = BENCH sync timer
  pool = console
build bench-bpf: bpf_bench | bench/bpf/bench-bpf.sh build/bpf/sync_timer_floor build/bpf/sync_timer_collect $
  build/bpf/sync_timer_subcost

# Install (tools/install): libsync_timer (.a, .so with its soname), its headers,
# sync_timer.pc, sync_timer_collect and its man page (and aliases of their old
# names), under $DESTDIR$PREFIX
# (environment; PREFIX defaults to /usr/local): DESTDIR=/tmp/x ninja install.
rule install
  command = tools/install build/bpf
  description = INSTALL into $$DESTDIR$$PREFIX
  pool = console
build install: install | tools/install tools/help-to-man build/bpf/libsync_timer.a $
  build/bpf/libsync_timer.so.$sync_timer_soversion build/bpf/libsync_timer.soversion build/bpf/sync_timer_collect bpf/include/libsync_timer.h $
  bpf/include/sync_timer.bpf.h generated/sync_timer.h generated/proto.h generated/sync_timer_bitmap.bpf.h

# ninja uninstall (same PREFIX and DESTDIR): removes what the install's
# manifest ($PREFIX/share/sync_timer/manifest) names.
rule uninstall
  command = tools/install --uninstall
  description = UNINSTALL from $$DESTDIR$$PREFIX
  pool = console
build uninstall: uninstall | tools/install

# The install and the out-of-tree example on it (tests/bpf/test-install):
# DESTDIR in a temporary folder, every file checked, examples/subscriber built
# with make on it and run (root, like the other BPF tests).
rule bpf_bench_test
  command = tests/bpf/test-bench build/bpf
  description = TEST bench-bpf runs and reports
  pool = console
build test-bpf-bench: bpf_bench_test | tests/bpf/test-bench bench/bpf/bench-bpf.sh $
  build/bpf/sync_timer_floor build/bpf/sync_timer_collect build/bpf/sync_timer_subcost
rule bpf_install_test
  command = tests/bpf/test-install build/bpf
  description = TEST install and examples/subscriber
  pool = console
build test-bpf-install: bpf_install_test | tests/bpf/test-install tools/install tools/help-to-man $
  build/bpf/libsync_timer.a build/bpf/libsync_timer.so.$sync_timer_soversion $
  build/bpf/libsync_timer.soversion build/bpf/sync_timer_collect $
  bpf/include/libsync_timer.h bpf/include/sync_timer.bpf.h generated/sync_timer.h generated/proto.h $
  generated/sync_timer_bitmap.bpf.h examples/subscriber/Makefile examples/subscriber/subscriber.c $
  examples/subscriber/subscriber.bpf.c

build tests-bpf: phony test-bpf-btf-layout test-bpf-sync-timer test-bpf-collect test-bpf-install $
  test-bpf-bench
build bench-bpf-all: phony bench-bpf

# ---------------------------------------------------------------- top-level commands
# A test target is an output that is never written (`test-x`), so it runs each time.
# Each part lists its tests on its tests-<part> line and its benchmarks on bench-<part>-all.
build test: phony test-gen check-generated tests-build tests-codec tests-kernel tests-bpf
build bench: phony bench-codec-all bench-kernel-all bench-bpf-all
default gen]])

-- ---------------------------------------------------------------- write or check
local result = table.concat(out, "\n") .. "\n"
local current = read("build.ninja")
if arg[1] == "--check" then
  if current ~= result then
    local tmp = os.tmpname()
    write(tmp, result)
    os.execute("diff -u build.ninja " .. tmp .. " | head -40")
    os.remove(tmp)
    io.stderr:write("check-build: build.ninja is not what configure.lua writes (run lua5.4 configure.lua)\n")
    os.exit(1)
  end
  print("check-build: build.ninja is what configure.lua writes")
else
  -- written even when unchanged: ninja compares its time with the inputs'
  write("build.ninja", result)
  print(current == result and "configure: build.ninja unchanged" or "configure: wrote build.ninja")
end
