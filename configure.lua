-- configure.lua: writes build.ninja, the one build description.
--   lua5.4 configure.lua           write build.ninja
--   lua5.4 configure.lua --check   fail when build.ninja is not what this writes
-- Nothing is listed by hand that another place owns: the generated files,
-- their kinds, the protocols, services and their handlers come from the
-- generator's manifest (gen/cli.lua --manifest); sources from globs; the
-- guest apps are the folders clients/NAME/ with a NAME.c (a NAME.bpf.c
-- beside it makes it a host BPF tool instead). Targets register in suites,
-- and the tests-* and bench-* lines are derived from them. build.ninja is
-- committed; ninja reruns this when a schema, generator, source folder or
-- this file changes.

package.path = "gen/?.lua;tools/?.lua;" .. package.path
local fileio = require("files")
local ninja = require("ninja")
local read, write, sh_quote = fileio.read, fileio.write, fileio.sh_quote
local w = ninja.new()

local function lines_of(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for line in p:lines() do out[#out + 1] = line end
  assert(p:close(), "configure: failed: " .. cmd)
  return out
end
-- The folders the globs looked in: build.ninja depends on them, so a file
-- added or removed there reruns this script.
local globbed = {}
local function glob(pattern)
  local list = lines_of("ls -1d " .. pattern .. " 2>/dev/null | LC_ALL=C sort")
  local dir = pattern:gsub("/$", ""):match("^(.-)/[^/]*$")
  if dir and not dir:find("[*?]") and not globbed[dir] then globbed[dir] = true; globbed[#globbed + 1] = dir end
  return list
end
local function exists(path) return read(path) ~= nil end
local function map(l, f) local o = {} for _, v in ipairs(l) do o[#o + 1] = f(v) end return o end
local function filter(l, f) local o = {} for _, v in ipairs(l) do if f(v) then o[#o + 1] = v end end return o end
local function concat(...)
  local o = {}
  for _, l in ipairs({ ... }) do table.move(l, 1, #l, #o + 1, o) end
  return o
end
local function set(l) local s = {} for _, v in ipairs(l) do s[v] = true end return s end
local function obj(dir, src) return dir .. "/" .. src:gsub("^build/", "") .. ".o" end
-- Each output is declared once; a second declaration of it is skipped.
local declared = {}
local function once(out, f) if not declared[out] then declared[out] = true; f() end return out end

-- ---------------------------------------------------------------- facts
local schemas = glob("schema/*.lua")
local probe_schemas = { "tests/codec/schema/probe.lua", "schema/kernel.lua" }
-- The codec runtime: hand-written, the same for every schema (gen/runtime/);
-- the generator reads its header (the error list, the interface version).
local runtime_srcs, runtime_hdrs = glob("gen/runtime/*.c"), glob("gen/runtime/*.h")
local gen_inputs = concat(glob("gen/*.lua"), runtime_hdrs)

-- The generator's manifest of a schema set (gen/cli.lua --manifest).
local function manifest(paths)
  local text = table.concat(lines_of("lua5.4 gen/cli.lua --manifest " .. table.concat(paths, " ")), "\n")
  local m = assert(load(text, "manifest", "t", {}))()
  m.by_protocol = {}
  for _, p in ipairs(m.protocols) do m.by_protocol[p.name] = p end
  return m
end
-- The probe schema (tests/codec) is generated with schema/kernel.lua and its
-- codecs build on the shipped limits (generated/proto_limits.h), so its messages must
-- fit the shipped limits: ProbeHand.Give carries 4 capabilities. Under
-- smaller legal limits (tests/tree/limits tries MAX_CAPS 1) the generator
-- refuses it; then the tests built on it (test-codec, its fuzz targets, the
-- differential) are not built: each says why and counts itself skipped.
local probe_refusal = table.concat(lines_of("lua5.4 gen/cli.lua --manifest " .. table.concat(probe_schemas, " ") ..
  " 2>&1 >/dev/null || true"), " ")
-- Only a refusal at a schema's line skips them: the generator failing any
-- other way fails configure.
if probe_refusal ~= "" and not probe_refusal:match("^[^%s:]+%.lua:%d+: ") then
  error("configure: the generator failed on the probe schema: " .. probe_refusal, 0)
end
local shipped = manifest(schemas)
local probe = probe_refusal == "" and manifest(probe_schemas) or nil
shipped.checks = {}   -- the handler checks of the shipped kernel's services (below)

-- The generated C files of the given kinds, never a BPF protocol's; with
-- wire_only, only those of protocols that have a message (a union or wire
-- struct), and the registries.
local function gen_c(m, kinds, o)
  o = o or {}
  local want = set(kinds)
  return filter(m.files, function(f)
    local p = f.protocol and m.by_protocol[f.protocol]
    return f.name:match("%.c$") and want[f.kind] and not (p and p.bpf) and (not o.protocol or f.protocol == o.protocol)
      and (not o.wire_only or not p or #p.messages > 0)
  end)
end
local KERNEL_KINDS = { "format", "registry", "codec", "dispatch", "syscalls", "service" }
local GUEST_KINDS = { "vectors", "format", "suites", "codec", "client", "sysdesc" }
local HOST_SVC_KINDS = { "vectors", "format", "suites", "registry", "codec", "dispatch", "client", "service" }
local CODEC_KINDS = { "vectors", "format", "suites", "codec", "dispatch", "client" }

-- Guest apps: clients/NAME/NAME.c without a NAME.bpf.c; every .c of the folder.
local apps = {}
for _, dir in ipairs(glob("clients/*/")) do
  local name = dir:match("clients/([%w_]+)/$")
  if name and exists(dir .. name .. ".c") and not exists(dir .. name .. ".bpf.c") then
    apps[#apps + 1] = { name = name, srcs = glob(dir .. "*.c") }
  end
end
-- The kernel images: every app (the tests and benchmarks), and the demo's.
local IMAGES = { { name = "kernel", apps = map(apps, function(a) return a.name end) },
  { name = "demo", apps = { "demo", "reactor" } } }

local machine = lines_of("uname -m")[1]
local BPF_ARCH = { x86_64 = "x86", i386 = "x86", i686 = "x86", aarch64 = "arm64", armv7l = "arm",
  riscv64 = "riscv", ppc64le = "powerpc", s390x = "s390", loongarch64 = "loongarch", mips64 = "mips" }
local bpf_arch = BPF_ARCH[machine] or error("configure: no BPF arch known for machine " .. machine, 0)

-- ---------------------------------------------------------------- suites
local suites = { order = {}, test = {}, bench = {} }
local function register(what, part, target)
  if not suites.test[part] then
    suites.order[#suites.order + 1] = part
    suites.test[part], suites.bench[part] = {}, {}
  end
  table.insert(suites[what][part], target)
end
local function test(part, target) register("test", part, target) end
local function bench(part, target) register("bench", part, target) end

-- ---------------------------------------------------------------- toolchains
w:comment([[The one build description, written by configure.lua: do not edit; change
configure.lua (or add a source, app, schema or service: it is picked up) and
commit both. Outputs go to build/; generated/ is committed (ninja gen).]])
w:blank()
w:var("ninja_required_version", "1.10")
w:var("builddir", "build")
w:var("lua", "lua5.4")
w:var("hostcc", "gcc")
w:var("cflags", "-std=c11 -Wall -Wextra -Werror -O2 -g -Igenerated -Igen/runtime")
w:var("san", "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all")
w:var("svc_warn", "-Wmissing-prototypes -Wmissing-declarations")
w:var("rv_cc", "riscv64-unknown-elf-gcc")
w:var("rv_cflags", "-std=c11 -Wall -Wextra -Werror -O2 -g -Ikernel/services -Igen/runtime -march=rv64imac_zicsr_zifencei -mabi=lp64 " ..
  "-mcmodel=medany -ffreestanding -nostdlib -fno-stack-protector -fno-pie -fno-tree-loop-distribute-patterns")
w:var("rv_ldflags", "-nostdlib -static -no-pie -Wl,--no-warn-rwx-segments")
w:var("fuzz_cflags", "-std=c11 -Wall -Wextra -Werror -g -O1 -Igenerated -Igen/runtime " ..
  "-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all")
w:var("bench_cflags", "-std=c11 -Wall -Wextra -Werror -O2 -g -Igenerated -Igen/runtime -Ibuild/bench/codec -Ibuild/bench/codec/gen")
w:var("bpf_cflags", string.format("-g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_%s -I. -Ibuild/bpf " ..
  "-I/usr/include/%s-linux-gnu", bpf_arch, machine))
w:var("bpf_host_cflags", "$cflags -D_GNU_SOURCE -Ibpf/include -Ibpf -Ibuild/bpf -Iclients/sync_timer_collect")
w:var("bpf_libs", "-lbpf -lelf -lz")
w:var("sync_timer_soversion", "1")
w:var("wirec_soversion", "1")
w:blank()
local function cc_rule(name, cc, flags, desc)
  w:rule(name, { command = cc .. " " .. flags .. " $extra -MMD -MF $out.d -c $in -o $out", depfile = "$out.d",
    deps = "gcc", description = desc .. " $out" })
end
cc_rule("cc_host", "$hostcc", "$cflags $san", "CC")
cc_rule("cc_bench", "$hostcc", "$bench_cflags", "CC")
cc_rule("bpf_cc", "$hostcc", "$bpf_host_cflags", "CC")
cc_rule("cc_lib", "$hostcc", "$cflags -fPIC", "CC")
cc_rule("bpf_obj", "clang", "$bpf_cflags", "BPF")
w:rule("link_host", { command = "$hostcc $san $in -o $out $libs", description = "LINK $out" })
w:rule("link_bench", { command = "$hostcc $in -o $out -lprotobuf-c -lprotobuf-nanopb", description = "LINK $out" })
w:rule("bpf_link", { command = "$hostcc $ldextra $in -o $out $bpf_libs $libs", description = "LINK $out" })
-- A library's soversion, for tools/install.
w:rule("soversion", { command = "echo $version > $out", description = "SOVERSION $out" })
w:rule("so", { command = "$hostcc -shared -Wl,-soname,$soname $in -o $out", description = "LINK $out" })
w:rule("bpf_so", { command = "$hostcc -shared -Wl,-soname,$soname $in -o $out $bpf_libs", description = "LINK $out" })
w:rule("ar", { command = "rm -f $out && $ar rcs $out $in", description = "AR $out" })
w:rule("bpf_skel", { command = "bpftool gen skeleton $in name $name > $out.tmp && mv $out.tmp $out",
  description = "SKEL $out" })
w:rule("bpf_vmlinux", { command = "bpftool btf dump file /sys/kernel/btf/vmlinux format c > $out.tmp && mv $out.tmp $out",
  description = "BTF $out" })
w:rule("rv_link", { command = "$rv_cc $rv_ldflags -T $ldscript $in -o $out -lgcc", description = "RVLD $out" })
w:rule("rv_listing", { command = "riscv64-unknown-elf-objdump -S $in > $out && riscv64-unknown-elf-nm -n $in > $sym",
  description = "OBJDUMP $out" })
w:rule("app_list", { command = "echo '#define APP_LIST(X) $apps' > $out", description = "APPS $out" })
w:rule("check_handlers", { command = "tools/check-handlers $nm $out $in -- $handlers", description = "HANDLERS $out" })
w:rule("fuzz_build", { command = "clang $fuzz_cflags $extra -DFUZZ_MSG=$msg '-DFUZZ_HEADER=\"$header\"' $in -o $out",
  description = "FUZZBUILD $out" })
w:rule("protoc_c", { command = "protoc-c --c_out=build/bench/codec --proto_path=bench/codec $in",
  description = "PROTOC-C $in" })
w:rule("nanopb_gen", { command = "nanopb_generator.py -q --error-on-unmatched -I bench/codec -D build/bench/codec $in",
  description = "NANOPB $in" })
-- Tests and commands run a program with $args, its output shown and kept
-- in build/logs/TARGET.log (tools/run-logged), one at a time.
w:rule("run_script", { command = "tools/run-logged $out $script $args", description = "$desc", pool = "console" })
w:blank()

-- A target that runs every time (a test or a command): path with args
-- (o.cmd: the command, when path is not run itself).
local function script(target, path, args, o)
  o = o or {}
  w:build(target, "run_script", nil, { implicit = concat({ path, "tools/run-logged" }, o.deps or {}), order = o.order,
    vars = { { "script", o.cmd or path }, { "args", args or "" }, { "desc", o.desc or ("RUN " .. target) } } })
end

-- ---------------------------------------------------------------- build.ninja, gen
w:rule("gen", { command = "$lua gen/cli.lua --out generated --lock generated/wire.lock $in && touch $out",
  description = "GEN generated/" })
w:build("build/gen.stamp", "gen", schemas, { implicit = gen_inputs })
w:phony("gen", "build/gen.stamp")
script("check-generated", "tools/check-generated", table.concat(schemas, " "), { deps = concat(schemas, gen_inputs) })
script("test-gen", "tests/gen/test_gen.lua", "build/tests/gen", { deps = gen_inputs, cmd = "$lua tests/gen/test_gen.lua" })
script("test-edited-tree", "tests/tree/edited-tree", "", { desc = "TEST edited tree (other limits, a new variant)" })
-- An extensible message grown by an opt field in a copy of the probe schema,
-- read both ways (under limits that refuse the probe schema: not run).
if probe then
  script("test-grow", "tests/gen/test_grow.lua", "build/tests/grow", { cmd = "$lua tests/gen/test_grow.lua",
    deps = concat(gen_inputs, { "tests/gen/grow.c", "tests/gen/grow_caller.c", probe_schemas[1], "schema/kernel.lua" }),
    desc = "TEST an extensible message grown by an opt field, read both ways" })
else
  script("test-grow", "tests/codec/not-run", "test-grow " .. sh_quote("the probe schema is refused with these limits: " ..
    probe_refusal), { desc = "SKIP test-grow" })
end
test("gen", "check-generated")
test("gen", "test-gen")
test("gen", "test-grow")
script("test-new-service", "tests/tree/new-service", "", { desc = "TEST a new service in a copy of the tree (README)" })
test("build", "test-edited-tree")
script("test-limits", "tests/tree/limits", "", { desc = "TEST every limit case in a copy of the tree" })
test("build", "test-new-service")
test("build", "test-limits")

-- ---------------------------------------------------------------- host: codec tests, fuzzing, benchmark
local function host_objs(dir, srcs, o)
  return map(srcs, function(src)
    return once(obj(dir, src), function() w:build(obj(dir, src), "cc_host", src, o) end)
  end)
end
local shipped_codec = concat(runtime_srcs, map(gen_c(shipped, CODEC_KINDS, { wire_only = true }),
  function(f) return "generated/" .. f.name end))
-- A test the probe schema's refusal leaves out says why and counts itself skipped.
local function not_run(target)
  script(target, "tests/codec/not-run", target .. " " .. sh_quote("the probe schema is refused with these limits: " ..
    probe_refusal), { desc = "SKIP " .. target })
  test("codec", target)
end
local probe_o, probe_codec
if probe then
  w:rule("probe_gen", { command = "rm -rf build/tests/probe-gen && $lua gen/cli.lua --out build/tests/probe-gen $in >/dev/null",
    description = "GEN build/tests/probe-gen/" })
  local probe_files = filter(probe.files, function(f) return f.protocol == "probe" and f.name:match("%.[ch]$") end)
  w:build(map(probe_files, function(f) return "build/tests/probe-gen/" .. f.name end), "probe_gen", probe_schemas,
    { implicit = gen_inputs })
  w:phony("probe-gen", map(filter(probe_files, function(f) return f.name:match("%.h$") end),
    function(f) return "build/tests/probe-gen/" .. f.name end))
  probe_o = { order = "probe-gen", vars = { { "extra", "-Itests/codec -Ibuild/tests/probe-gen" } } }
  probe_codec = map(gen_c(probe, CODEC_KINDS, { protocol = "probe" }), function(f) return "build/tests/probe-gen/" .. f.name end)
  local codec_gen_objs = host_objs("build/tests/codec", concat(shipped_codec, probe_codec), probe_o)
  local codec_objs = host_objs("build/tests/codec", glob("tests/codec/*.c"), probe_o)
  w:build("build/tests/codec/test_codec", "link_host", concat(codec_objs, codec_gen_objs), { vars = { { "libs", "-lcriterion" } } })
  script("test-codec", "build/tests/codec/test_codec")
  test("codec", "test-codec")
else
  not_run("test-codec")
end

-- Fuzz targets: every message (union and wire struct) of every wire protocol, and of the probe schema.
local fuzz = {}
for _, src in ipairs({ { shipped, "generated/" }, { probe or { protocols = {} }, "build/tests/probe-gen/" } }) do
  for _, p in ipairs(src[1].protocols) do
    if not p.bpf and (src[1] == shipped or p.name == "probe") then
      for _, u in ipairs(p.messages) do fuzz[#fuzz + 1] = { msg = u, protocol = p.name, dir = src[2] } end
    end
  end
end
for _, t in ipairs(fuzz) do
  local vars = { { "msg", t.msg }, { "header", t.protocol .. "_format.h" } }
  if t.dir ~= "generated/" then vars[#vars + 1] = { "extra", "-Ibuild/tests/probe-gen" } end
  w:build("build/fuzz/fuzz_" .. t.msg, "fuzz_build", { "tests/fuzz/fuzz_decode.c", t.dir .. t.protocol .. ".c",
    "gen/runtime/proto.c", t.dir .. t.protocol .. "_format.c", "gen/runtime/proto_format.c" },
    { implicit = concat({ t.dir .. t.protocol .. "_format.h" }, runtime_hdrs), vars = vars })
  for _, run in ipairs({ { "short", 3 }, { "long", 20 } }) do
    script("fuzz-" .. run[1] .. "-" .. t.msg, "tests/fuzz/run-fuzz", "build/fuzz/fuzz_" .. t.msg .. " " .. t.msg .. " " ..
      run[2], { deps = { "build/fuzz/fuzz_" .. t.msg }, desc = "FUZZ " .. t.msg .. " (" .. run[2] .. " s)" })
  end
end
w:phony("fuzz-short", map(fuzz, function(t) return "fuzz-short-" .. t.msg end))
w:phony("fuzz", map(fuzz, function(t) return "fuzz-long-" .. t.msg end))
for _, t in ipairs(fuzz) do test("codec", "fuzz-short-" .. t.msg) end
-- The differential check: the fuzz corpus through the C codecs and gen/wire_ref.lua.
if probe then
  local verdict_objs = concat(host_objs("build/tests/fuzz", { "tests/fuzz/verdict.c" }, probe_o),
    map(filter(concat(shipped_codec, probe_codec), function(f) return not f:match("_dispatch%.c$") and
      not f:match("_client%.c$") and not f:match("format%.c$") end), function(f) return obj("build/tests/codec", f) end))
  w:build("build/fuzz/verdict", "link_host", verdict_objs)
  local wire_schemas = map(filter(shipped.protocols, function(p) return not p.bpf end),
    function(p) return p.schema end)
  script("test-fuzz-differential", "tests/fuzz/differential.lua", "build/fuzz/verdict " ..
    table.concat(concat(wire_schemas, { probe_schemas[1] }), " "), { cmd = "$lua tests/fuzz/differential.lua",
    deps = { "build/fuzz/verdict", "gen/wire_ref.lua" }, order = { "fuzz-short" },
    desc = "TEST differential: the fuzz corpus through C and gen/wire_ref.lua" })
  test("codec", "test-fuzz-differential")
  -- gen/cli.lua decode and encode against every conformance vector, the
  -- expected text from the C formatters (tests/cli/vector_text.c).
  local formatted = concat(filter(shipped.protocols, function(p) return not p.bpf and #p.messages > 0 end),
    { probe.by_protocol.probe })
  local messages = {}
  for _, p in ipairs(formatted) do for _, u in ipairs(p.messages) do messages[#messages + 1] = "X(" .. u .. ")" end end
  local text_o = { order = "probe-gen", vars = { { "extra", "-Ibuild/tests/probe-gen " .. table.concat(map(formatted,
    function(p) return "-include " .. p.name .. "_format.h" end), " ") .. " '-DVECTOR_TEXT_MESSAGES=" ..
    table.concat(messages, " ") .. "'" } } }
  w:build("build/tests/cli/vector_text", "link_host", concat(host_objs("build/tests/cli", { "tests/cli/vector_text.c" },
    text_o), map(filter(concat(shipped_codec, probe_codec), function(f) return not f:match("_dispatch%.c$") and
    not f:match("_client%.c$") end), function(f) return obj("build/tests/codec", f) end)))
  script("test-cli", "tests/cli/test_cli.lua", "build/tests/cli/vector_text " .. table.concat(wire_schemas, " ") ..
    " -- " .. table.concat(probe_schemas, " "), { cmd = "$lua tests/cli/test_cli.lua",
    deps = concat({ "build/tests/cli/vector_text" }, gen_inputs, schemas), desc = "TEST gen/cli.lua decode and encode" })
  test("codec", "test-cli")
else
  not_run("test-fuzz-differential")
  not_run("test-cli")
end

-- Codec benchmark (bench/codec): ours against protobuf-c and nanopb, -O2 without sanitizers. Its own
-- messages (bench/codec/bench.lua) are generated with schema/kernel.lua (MAX_MSG_SIZE) into build/.
local bench_schemas = { "bench/codec/bench.lua", "schema/kernel.lua" }
w:rule("bench_gen", { command = "rm -rf build/bench/codec/gen && $lua gen/cli.lua --out build/bench/codec/gen $in >/dev/null",
  description = "GEN build/bench/codec/gen/" })
w:build({ "build/bench/codec/gen/bench.c", "build/bench/codec/gen/bench.h" }, "bench_gen", bench_schemas, { implicit = gen_inputs })
w:build({ "build/bench/codec/codec.pb-c.c", "build/bench/codec/codec.pb-c.h" }, "protoc_c", "bench/codec/codec.proto")
w:build({ "build/bench/codec/codec.pb.c", "build/bench/codec/codec.pb.h" }, "nanopb_gen", "bench/codec/codec.proto",
  { implicit = { "bench/codec/codec.options" } })
local bench_headers = { "build/bench/codec/codec.pb-c.h", "build/bench/codec/codec.pb.h", "build/bench/codec/gen/bench.h" }
local bench_objs = {}
for _, src in ipairs({ "build/bench/codec/codec.pb-c.c", "build/bench/codec/codec.pb.c" }) do
  bench_objs[#bench_objs + 1] = obj("build/bench/codec", src)
  w:build(bench_objs[#bench_objs], "cc_bench", src, { order = bench_headers, vars = { { "extra", "-Wno-error" } } })
end
-- (objects of sources outside build/ in build/bench/codec/o: bench_gen empties build/bench/codec/gen)
for _, src in ipairs(concat({ "bench/codec/bench_codec.c", "build/bench/codec/gen/bench.c" }, runtime_srcs,
  map(gen_c(shipped, { "codec" }, { wire_only = true }), function(f) return "generated/" .. f.name end))) do
  bench_objs[#bench_objs + 1] = obj(src:match("^build/") and "build/bench/codec" or "build/bench/codec/o", src)
  w:build(bench_objs[#bench_objs], "cc_bench", src, { order = bench_headers })
end
w:build("build/bench/codec/bench_codec", "link_bench", bench_objs)
script("bench-codec", "bench/codec/bench-codec", "build/bench/codec", { deps = concat({ "build/bench/codec/bench_codec",
  "build/bench/codec/codec.pb.c", "build/bench/codec/codec.pb-c.c", "build/bench/codec/gen/bench.c" }, bench_headers) })
bench("codec", "bench-codec")

-- ---------------------------------------------------------------- kernel and guest apps
-- The kernel, its apps and images from the generated code in gdir into kb:
-- once for the shipped kernel (generated/ into build/), once for the scale
-- benchmark (the schema with raised limits, into build/scale/).
local kernel_srcs = concat(glob("kernel/*.S"), glob("kernel/*.c"), glob("kernel/lib/*.c"), glob("kernel/services/*.c"))
local service_srcs = glob("kernel/services/*.c")
local ulib_srcs = concat(glob("clients/lib/*.S"), glob("clients/lib/*.c"), { "kernel/lib/string.c", "kernel/lib/fmt.c" })
local function kernel(kb, gdir, m, ready)
  local function rv(out, src, o)
    o = o or {}
    local vars = { { "extra", "-I" .. gdir .. " " .. (o.extra or "") } }
    w:build(out, "rv_cc", src, { implicit = o.implicit, order = concat({ ready }, o.order or {}), vars = vars })
    return out
  end
  local kobjs, checks = {}, m.checks
  for _, src in ipairs(kernel_srcs) do
    if not src:match("^kernel/apps%.[cS]$") then
      kobjs[#kobjs + 1] = rv(obj(kb, src), src, { extra = src:match("^kernel/services/") and "$svc_warn" })
    end
  end
  for _, src in ipairs(concat(runtime_srcs, map(gen_c(m, KERNEL_KINDS), function(f) return gdir .. "/" .. f.name end))) do
    kobjs[#kobjs + 1] = rv(obj(kb .. "/kernel", src), src)
  end
  -- Every service's handlers are defined, checked before the link (tools/check-handlers).
  for _, s in ipairs(m.services) do
    local src = "kernel/services/" .. s.name .. ".c"
    local handlers = map(s.handlers, function(h) return h.symbol .. "=" .. h.where end)
    checks[#checks + 1] = kb .. "/kernel/services/" .. s.name .. ".handlers"
    w:build(checks[#checks], "check_handlers", exists(src) and obj(kb, src) or nil, { implicit = "tools/check-handlers",
      vars = { { "nm", "riscv64-unknown-elf-nm" }, { "handlers", s.name .. "@" .. s.where .. " " .. table.concat(handlers, " ") } } })
  end
  local ulib = map(ulib_srcs, function(src) return rv(obj(kb .. "/ulib", src), src, { extra = "-Iclients/lib" }) end)
  for _, src in ipairs(concat(runtime_srcs, map(gen_c(m, GUEST_KINDS), function(f) return gdir .. "/" .. f.name end))) do
    ulib[#ulib + 1] = rv(obj(kb .. "/ulib", src), src)
  end
  w:build(kb .. "/clients/ulib.a", "ar", ulib, { vars = { { "ar", "riscv64-unknown-elf-ar" } } })
  -- ktest also runs the test schemas' conformance vectors (the probe
  -- schema's, which covers every wire type and extensible messages) on
  -- their RISC-V build: their codecs and vectors from the probe's manifest,
  -- named to ktest by KTEST_TEST_SUITES. Under limits that refuse the
  -- probe schema there are none, and ktest says so.
  local suite_objs, suite_extra = {}, "-Iclients/lib"
  if probe then
    for _, f in ipairs(gen_c(probe, { "codec", "vectors" }, { protocol = "probe" })) do
      local src = "build/tests/probe-gen/" .. f.name
      suite_objs[#suite_objs + 1] = rv(obj(kb .. "/test-suites", src), src, { order = { "probe-gen" } })
    end
    local names = map(filter(probe.protocols, function(p) return p.name == "probe" and #p.messages > 0 end),
      function(p) return "X(" .. p.name .. "_vectors)" end)
    suite_extra = suite_extra .. " '-DKTEST_TEST_SUITES=" .. table.concat(names, " ") .. "'"
  end
  for _, a in ipairs(apps) do
    local ktest = a.name == "ktest"
    local objs = map(a.srcs, function(src)
      return rv(obj(kb, src), src, { extra = ktest and suite_extra or "-Iclients/lib" })
    end)
    if ktest then objs = concat(objs, suite_objs) end
    w:build(kb .. "/clients/" .. a.name .. ".elf", "rv_link", concat(objs, { kb .. "/clients/ulib.a" }),
      { implicit = "clients/lib/user.ld", vars = { { "ldscript", "clients/lib/user.ld" } } })
  end
  for _, img in ipairs(IMAGES) do
    local dir = kb .. "/kernel/" .. img.name
    w:build(dir .. "/app_list.h", "app_list", nil, { vars = { { "apps", table.concat(map(img.apps,
      function(n) return "X(" .. n .. ")" end), " ") } } })
    local elfs = map(img.apps, function(n) return kb .. "/clients/" .. n .. ".elf" end)
    local o = { extra = "-I" .. dir .. " -Wa,-I" .. kb .. "/clients", order = { dir .. "/app_list.h" }, implicit = elfs }
    local objs = { rv(dir .. "/apps.S.o", "kernel/apps.S", o), rv(dir .. "/apps.c.o", "kernel/apps.c", o) }
    w:build(kb .. "/kernel/" .. img.name .. ".elf", "rv_link", concat(kobjs, objs), { implicit = concat(
      { "kernel/kernel.ld" }, checks), vars = { { "ldscript", "kernel/kernel.ld" } } })
    w:build(kb .. "/kernel/" .. img.name .. ".asm", "rv_listing", kb .. "/kernel/" .. img.name .. ".elf",
      { implicit_outs = kb .. "/kernel/" .. img.name .. ".sym", vars = { { "sym", kb .. "/kernel/" .. img.name .. ".sym" } } })
  end
end
w:rule("rv_cc", { command = "$rv_cc $rv_cflags $extra -MMD -MF $out.d -c $in -o $out", depfile = "$out.d", deps = "gcc",
  description = "RVCC $out" })
w:phony("gen-committed", {})
kernel("build", "generated", shipped, "gen-committed")
-- bench-kernel-scale's kernel: 1024 timer clients, 32 of them per app.
local scale_sets = "--set MAX_TIMER_CLIENTS=1024 --set APP_MAX_TIMERS=32"
w:rule("scale_gen", { command = "$lua gen/cli.lua --out build/scale/gen " .. scale_sets .. " $in > /dev/null && touch $out",
  description = "GEN build/scale/gen/" })
w:build("build/scale/gen.stamp", "scale_gen", schemas, { implicit = gen_inputs, implicit_outs = map(filter(shipped.files,
  function(f) return f.name:match("%.[ch]$") end), function(f) return "build/scale/gen/" .. f.name end) })
kernel("build/scale", "build/scale/gen", setmetatable({ checks = {} }, { __index = shipped }), "build/scale/gen.stamp")
-- The bare guest (bench/kernel/bare): the floor under bench-kernel's timer lateness.
w:build("build/bench/kernel/bare.o", "rv_cc", "bench/kernel/bare/bare.c", { vars = { { "extra", "-Igenerated -Ikernel -Iclients/lib" } } })
w:build("build/bench/bare.elf", "rv_link", concat({ "build/bench/kernel/bare.o" }, map({ "kernel/entry.S", "kernel/uart.c",
  "kernel/printf.c", "kernel/sbi.c", "kernel/fdt.c", "kernel/lib/string.c", "kernel/lib/fmt.c" }, function(s) return obj("build", s) end)),
  { implicit = "kernel/kernel.ld", vars = { { "ldscript", "kernel/kernel.ld" } } })

-- Commands and tests in the guest (kernel/qemu-run boots an image).
local K, QEMU = "build/kernel/kernel.elf", { "kernel/qemu-run", "build/kernel/kernel.asm" }
script("run", "kernel/qemu-run", "--timeout 30 build/kernel/demo.elf demo", { deps = { "build/kernel/demo.elf" } })
script("qemu-gdb", "kernel/qemu-run", "--gdb build/kernel/demo.elf demo", { deps = { "build/kernel/demo.elf" } })
script("ktest", "kernel/qemu-run", "--icount --timeout 120 " .. K .. " ktest", { deps = concat({ K }, QEMU) })
script("test-kernel-panic", "tests/kernel/panic-test", K .. " kernel-fault 'kernel trap: scause 13 sepc 0x'",
  { deps = concat({ K }, QEMU) })
script("test-kernel-stack-overflow", "tests/kernel/panic-test", K .. " kernel-stack-overflow " ..
  "'kernel stack overflow: task overflow ran into the guard page'", { deps = concat({ K }, QEMU) })
script("test-kernel-trace", "tests/kernel/trace-test", K .. " " .. table.concat(map(shipped.services,
  function(s) return s.name .. ":" .. s.request end), " "), { deps = concat({ K }, QEMU) })
script("fuzz-kernel", "tests/kernel/fuzz-kernel", K .. " 1,1000000,4 900", { deps = concat({ K }, QEMU) })
script("fuzz-kernel-short", "tests/kernel/fuzz-kernel", K .. " 1,20000,4 120", { deps = concat({ K }, QEMU) })
script("bench-kernel", "kernel/bench-run", K .. " build/bench/bare.elf", { deps = { K, "build/bench/bare.elf", "kernel/qemu-run" } })
script("bench-kernel-micro", "kernel/bench-micro", K, { deps = { K, "kernel/qemu-run" } })
script("bench-kernel-scale", "kernel/bench-scale", "build/scale/kernel/kernel.elf",
  { deps = { "build/scale/kernel/kernel.elf", "kernel/qemu-run" } })
for _, t in ipairs({ "test-kernel-panic", "test-kernel-stack-overflow", "ktest", "fuzz-kernel-short", "test-kernel-trace" }) do
  test("kernel", t)
end
for _, b in ipairs({ "bench-kernel", "bench-kernel-micro", "bench-kernel-scale" }) do bench("kernel", b) end

-- Host tests of the services (tests/kernel/test_*.c): every service's
-- handlers and binding on the host harness (tests/harness), ASan+UBSan.
local harness_vars = { { "extra", "-Ikernel/services -Itests/harness $svc_warn" } }
-- Services may use kernel/lib's heap (the rest of kernel/lib stands in for libc).
local harness = concat(host_objs("build/tests/harness", concat(service_srcs, glob("tests/harness/*.c"),
  { "kernel/lib/heap.c" }), { vars = harness_vars }),
  host_objs("build/tests/harness", concat(runtime_srcs, map(gen_c(shipped, HOST_SVC_KINDS), function(f) return "generated/" .. f.name end)),
    { vars = { { "extra", "-Ikernel/services" } } }))
for _, src in ipairs(glob("tests/kernel/test_*.c")) do
  local name = src:match("([%w_]+)%.c$")
  w:build("build/tests/kernel/" .. name, "link_host", concat(host_objs("build/tests/kernel", { src },
    { vars = { { "extra", "-Ikernel/services -Itests/harness" } } }), harness), { implicit = shipped.checks,
    vars = { { "libs", "-lcriterion" } } })
  local target = "test-kernel-" .. name:gsub("^test_", ""):gsub("_", "-")
  script(target, "build/tests/kernel/" .. name)
  test("kernel", target)
end

-- ---------------------------------------------------------------- BPF sync timer
-- One rule set for every BPF program: .bpf.c -> .bpf.o -> .skel.h, and the
-- user-space objects that include the skeleton; everything in build/bpf/.
w:build("build/bpf/vmlinux.h", "bpf_vmlinux")
local function bpf_prog(src, name)
  local base = "build/bpf/" .. src:match("([%w_]+)%.bpf%.c$")
  w:build(base .. ".bpf.o", "bpf_obj", src, { implicit = "build/bpf/vmlinux.h" })
  w:build(base .. ".skel.h", "bpf_skel", base .. ".bpf.o", { vars = { { "name", name } } })
  return base .. ".skel.h"
end
local function bpf_objs(dir, srcs, o)
  return map(srcs, function(src)
    return once(obj(dir, src), function()
      w:build(obj(dir, src), "bpf_cc", src, { order = o.skels, vars = o.extra and { { "extra", o.extra } } or nil })
    end)
  end)
end
-- A host program: its sources, the skeletons they include, libraries.
local function bpf_tool(out, o)
  local objs = concat(bpf_objs("build/bpf", o.srcs, o), o.link or {})
  w:build(out, "bpf_link", objs, { vars = concat(o.san and { { "ldextra", "$san" } } or {}, o.libs and { { "libs", o.libs } } or {}) })
end
local skel = { sync_timer = bpf_prog("bpf/sync_timer.bpf.c", "sync_timer_bpf"),
  test_subscriber = bpf_prog("tests/bpf/test_subscriber.bpf.c", "test_subscriber_bpf"),
  collect = bpf_prog("clients/sync_timer_collect/sync_timer_collect.bpf.c", "sync_timer_collect_bpf"),
  floor = bpf_prog("bench/bpf/floor.bpf.c", "floor_bpf"), subcost = bpf_prog("bench/bpf/subcost.bpf.c", "subcost_bpf") }
local lib_srcs = { "bpf/libsync_timer.c", "generated/sync_timer.c" }
w:build("build/bpf/libsync_timer.a", "ar", bpf_objs("build/bpf", lib_srcs, { skels = skel.sync_timer }), { vars = { { "ar", "ar" } } })
w:build("build/bpf/libsync_timer.so.$sync_timer_soversion", "bpf_so", bpf_objs("build/bpf/pic", lib_srcs,
  { skels = skel.sync_timer, extra = "-fPIC" }), { vars = { { "soname", "libsync_timer.so.$sync_timer_soversion" } } })
w:build("build/bpf/libsync_timer.soversion", "soversion", nil, { vars = { { "version", "$sync_timer_soversion" } } })
local lib = { "build/bpf/libsync_timer.a" }
local test_util = { "tests/bpf/bpf_test_util.c", "tests/bpf/one_job_main.c" }
bpf_tool("build/bpf/sync_timer_collect", { srcs = { "clients/sync_timer_collect/sync_timer_collect.c" }, skels = skel.collect,
  link = lib, libs = "-lm" })
bpf_tool("build/bpf/test_sync_timer", { srcs = concat({ "tests/bpf/test_sync_timer.c" }, test_util), extra = "$san",
  skels = { skel.sync_timer, skel.test_subscriber }, link = lib, san = true, libs = "-lcriterion" })
bpf_tool("build/bpf/test_btf_layout", { srcs = { "tests/bpf/test_btf_layout.c", "tests/bpf/one_job_main.c" },
  extra = "$san -DBPF_BUILD_DIR='\"build/bpf\"'", san = true, libs = "-lcriterion" })
bpf_tool("build/bpf/test_collect", { srcs = concat({ "tests/bpf/test_collect.c" }, test_util), link = lib, san = true,
  extra = "$san -DCOLLECT_BIN='\"build/bpf/sync_timer_collect\"'", libs = "-lcriterion" })
bpf_tool("build/bpf/sync_timer_floor", { srcs = { "bench/bpf/floor.c" }, skels = skel.floor, extra = "-Ibench/bpf" })
bpf_tool("build/bpf/sync_timer_subcost", { srcs = { "bench/bpf/subcost.c" }, skels = skel.subcost, extra = "-Ibench/bpf", link = lib })
w:phony("sync_timer_collect", "build/bpf/sync_timer_collect")
-- libwirec: the codec runtime every schema's codecs call (gen/runtime/*.c:
-- they define PROTO_RUNTIME_ONLY, so nothing in them depends on a schema),
-- static and shared, for `ninja install`.
local wirec_objs = map(runtime_srcs, function(src)
  local o = obj("build/wirec", src)
  w:build(o, "cc_lib", src)
  return o
end)
w:build("build/wirec/libwirec.a", "ar", wirec_objs, { vars = { { "ar", "ar" } } })
w:build("build/wirec/libwirec.so.$wirec_soversion", "so", wirec_objs, { vars = { { "soname", "libwirec.so.$wirec_soversion" } } })
w:build("build/wirec/libwirec.soversion", "soversion", nil, { vars = { { "version", "$wirec_soversion" } } })
w:phony("libwirec", { "build/wirec/libwirec.a", "build/wirec/libwirec.so.$wirec_soversion" })
local installed = concat({ "tools/install", "tools/help-to-man", "build/bpf/libsync_timer.a", "build/bpf/libsync_timer.so.$sync_timer_soversion",
  "build/bpf/libsync_timer.soversion", "build/bpf/sync_timer_collect", "bpf/include/libsync_timer.h",
  "bpf/include/sync_timer.bpf.h", "generated/sync_timer.h", "generated/sync_timer_bitmap.bpf.h",
  "build/wirec/libwirec.a", "build/wirec/libwirec.so.$wirec_soversion", "build/wirec/libwirec.soversion" },
  runtime_srcs, gen_inputs)
local install_dirs = "build/bpf build/wirec"
local bench_tools = { "bench/bpf/bench-bpf.sh", "build/bpf/sync_timer_floor", "build/bpf/sync_timer_collect",
  "build/bpf/sync_timer_subcost" }
-- BPF tests need root; they run in the console pool, one at a time, never beside ktest or the edited tree.
for _, t in ipairs({ { "test-bpf-btf-layout", "build/bpf/test_btf_layout", { "build/bpf/sync_timer.bpf.o",
  "build/bpf/test_subscriber.bpf.o", "build/bpf/sync_timer_collect.bpf.o" } }, { "test-bpf-sync-timer", "build/bpf/test_sync_timer" },
  { "test-bpf-collect", "build/bpf/test_collect", { "build/bpf/sync_timer_collect" } } }) do
  script(t[1], "tests/bpf/run-criterion.sh", t[2], { deps = concat({ t[2] }, t[3] or {}), desc = "TEST " .. t[2] })
  test("bpf", t[1])
end
script("test-bpf-install", "tests/bpf/test-install", install_dirs, { deps = concat(installed, glob("examples/subscriber/*")) })
script("test-codec-install", "tests/codec/test-install", install_dirs, { deps = concat(installed, glob("examples/codec/*")),
  desc = "TEST wirec installed: examples/codec built on it" })
test("codec", "test-codec-install")
script("test-bpf-bench", "tests/bpf/test-bench", "build/bpf", { deps = concat({ "tests/bpf/test-bench" }, bench_tools) })
script("bench-bpf", "bench/bpf/bench-bpf.sh", "build/bpf", { deps = bench_tools })
script("install", "tools/install", install_dirs, { deps = installed, desc = "INSTALL into $$DESTDIR$$PREFIX" })
script("uninstall", "tools/install", "--uninstall", { desc = "UNINSTALL from $$DESTDIR$$PREFIX" })
test("bpf", "test-bpf-install")
test("bpf", "test-bpf-bench")
bench("bpf", "bench-bpf")

-- build.ninja itself, after every glob: it depends on the folders they read.
w:rule("configure", { command = "$lua configure.lua", description = "CONFIGURE build.ninja", generator = 1 })
w:build("build.ninja", "configure", nil, { implicit = concat({ "configure.lua", "tools/ninja.lua" }, globbed, schemas,
  { probe_schemas[1] }, gen_inputs) })

-- ---------------------------------------------------------------- suites and commands
-- `ninja test` ends with one total line (tools/test-summary over its log).
for _, part in ipairs(suites.order) do
  if #suites.test[part] > 0 then w:phony("tests-" .. part, suites.test[part]) end
  if #suites.bench[part] > 0 then w:phony("bench-" .. part .. "-all", suites.bench[part]) end
end
local parts = filter(suites.order, function(p) return #suites.test[p] > 0 end)
w:phony("tests-all", map(parts, function(p) return "tests-" .. p end))
local all_tests = {}
for _, p in ipairs(parts) do all_tests = concat(all_tests, suites.test[p]) end
w:build("test", "run_script", nil, { implicit = { "tests-all", "tools/test-summary" }, vars = { { "script", "tools/test-summary" },
  { "args", table.concat(map(all_tests, function(t) return "build/logs/" .. t .. ".log" end), " ") },
  { "desc", "TEST every suite: the total" } } })
w:phony("bench", map(filter(suites.order, function(p) return #suites.bench[p] > 0 end), function(p) return "bench-" .. p .. "-all" end))
w:line("default gen")

-- ---------------------------------------------------------------- write or check
local result, current = w:text(), read("build.ninja")
if arg[1] == "--check" then
  if current ~= result then
    local tmp = os.tmpname()
    write(tmp, result)
    os.execute("diff -u build.ninja " .. sh_quote(tmp) .. " | head -40")
    os.remove(tmp)
    io.stderr:write("configure --check: build.ninja is not what configure.lua writes (run lua5.4 configure.lua)\n")
    os.exit(1)
  end
  print("configure --check: build.ninja is what configure.lua writes")
else
  write("build.ninja", result)   -- even when unchanged: ninja compares its time with the inputs'
  print(current == result and "configure: build.ninja unchanged" or "configure: wrote build.ninja")
end
