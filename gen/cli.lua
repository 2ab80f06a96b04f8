-- gen/cli.lua: lua5.4 gen/cli.lua --out DIR [--only KINDS] [--lock FILE] [--set CONST=N]... schema/a.lua ...
--              lua5.4 gen/cli.lua --manifest | --skeleton ... (see USAGE)
--              lua5.4 gen/cli.lua decode | encode ... (one message: gen/wire_tool.lua)
-- Loads and checks every schema, then runs each output kind over each file
-- (--only: writes the kinds named). Installed, it is the command wirec.
-- --manifest prints what would be written (each file's kind and protocol,
-- each service and its handlers) for configure.lua; --skeleton prints a
-- service's kernel/services/NAME.c to start from.
-- Writes only files whose bytes changed, and removes generated files that no
-- schema produces any more. A bad schema prints `file:line: what is wrong`
-- and exits 1, writing nothing. --set replaces a const's value (a kernel
-- built with other limits, into build/; generated/ is always the schema's).
-- DIR/wire.lock is checked against the previous lock (--lock FILE, else
-- DIR/wire.lock when it exists): a break of old peers is refused
-- (gen/wire_lock.lua).

local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local loader = require("loader")
-- Each output kind's generator, with the kind the manifest gives its files
-- (a generator that writes several kinds passes the kind itself).
local OUTPUTS = {
  { require("c_codec"), "codec" }, { require("c_dispatch"), "dispatch" }, { require("c_client"), "client" },
  { require("c_syscalls"), "syscalls" }, { require("bpf_header"), "bpf" }, { require("docs"), "docs" },
  { require("c_vectors"), "vectors" }, { require("c_format"), "format" }, { require("c_service"), "service" },
}
local runtime = require("c_runtime")
local wire_lock = require("wire_lock")
local vectors = require("c_vectors")
local service = require("c_service")

-- Every kind --only may name: the manifest's kinds, in the order written.
local KINDS = { "limits", "vectors", "suites", "registry", "codec", "dispatch", "client", "syscalls",
  "usys", "sysdesc", "bpf", "docs", "format", "service", "lock" }

local USAGE = [[
Usage: PROG --out DIR [--only KINDS] [--lock FILE] [--set CONST=N]... SCHEMA.lua...
Generates, from protocol schemas (Lua files of protocol, const, enum, struct,
union and rpc declarations), C types with their encoders and decoders, text
formatters, client stubs, dispatch tables, reference pages in markdown and
the wire lock into DIR. The codec runtime they call (proto.h, proto.c,
proto_format.*, proto_vectors.*) is hand-written and the same for every
schema, so it is not written into DIR: installed, it is libwirec with its
headers (pkg-config wirec) and its sources (pkg-config --variable=runtimedir
wirec); in the source tree, gen/runtime/. Only proto_limits.h (the limits of
the schema set: PROTO_MAX_MSG_SIZE, PROTO_MAX_CAPS) is written per schema set.
A bad schema stops it with FILE:LINE: what is wrong, writing nothing.

Other forms:
  PROG --manifest [--only KINDS] [--set CONST=N]... SCHEMA.lua...
  PROG --skeleton SCHEMA.lua [OTHER_SCHEMA.lua...]
  PROG decode [--caps N] SCHEMA.lua... TYPE [HEX...]
  PROG encode SCHEMA.lua... TYPE [TEXT...]
decode prints one message's bytes (HEX, else standard input) as the
generated formatter's text:
  PROG decode schema/timer.lua TimerRequest 00 50 c3 00 00 00 00 00 00
  TimerRequest::After { duration_us: 50000 }
encode prints the bytes of a message written in that text, in hex
(PROG decode --help and PROG encode --help say more).

Options:
  --out DIR       write the outputs into DIR (only files whose bytes change;
                  generated files no schema produces any more are removed)
  --only KINDS    write only these kinds of output, a comma-separated list of:
                  codec (P.h, P.c and proto_limits.h), format (P_format.h,
                  P_format.c), client (P_client.h, P_client.c: rpc stubs over
                  a proto_transport), dispatch, docs (docs/P.md), vectors,
                  service, bpf, syscalls, usys, sysdesc, registry, suites,
                  limits (proto_limits.h), lock (wire.lock); default: every kind
  --lock FILE     the wire lock to check against (default DIR/wire.lock)
  --set C=N       replace const C's value (a build with other limits)
  --manifest      print, as a Lua table, every output with its kind, protocol
                  and service, each service's handlers, and the limits (the
                  consts with limit = ...); writes nothing
  --skeleton      print kernel/services/NAME.c for the first schema's service:
                  every handler and hook, each handler "not implemented"
                  (the other schemas are those it refers to, e.g. kernel.lua)
  -h, --help      print this help
]]

-- The usage, naming the program as it was run (the installed launcher sets WIREC_PROG).
local function usage_text()
  local prog = os.getenv("WIREC_PROG")
  if not prog or prog == "" then prog = "lua5.4 gen/cli.lua" end
  return (USAGE:gsub("PROG", function() return prog end))
end

local function usage(why)
  if why then io.stderr:write("gen: ", why, "\n") end
  io.stderr:write(usage_text())
  os.exit(2)
end

-- The set of kinds a --only list names; an unknown one is refused.
local function only_kinds(list)
  local known, want = {}, {}
  for _, k in ipairs(KINDS) do known[k] = true end
  for k in (list .. ","):gmatch("([^,]*),") do
    if not known[k] then
      io.stderr:write(string.format("gen: --only: unknown kind '%s' (the kinds: %s)\n", k, table.concat(KINDS, ", ")))
      os.exit(2)
    end
    want[k] = true
  end
  -- a codec's header includes proto.h, which includes proto_limits.h
  if want.codec then want.limits = true end
  return want
end

local function parse_args(argv)
  local o = { schemas = {}, sets = {} }
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--out" then o.out = argv[i + 1] or usage("--out needs a folder"); i = i + 2
    elseif a == "--only" then o.only = only_kinds(argv[i + 1] or usage("--only needs a list of kinds")); i = i + 2
    elseif a == "--lock" then o.lock = argv[i + 1] or usage("--lock needs a file"); i = i + 2
    elseif a == "--manifest" then o.manifest = true; i = i + 1
    elseif a == "--skeleton" then o.skeleton = true; i = i + 1
    elseif a == "--help" or a == "-h" then io.stdout:write(usage_text()); os.exit(0)
    elseif a == "--set" then
      local name, value = (argv[i + 1] or ""):match("^([%w_]+)=(%-?%d+)$")
      if not name then usage("--set needs CONST=N") end
      o.sets[name] = math.tointeger(tonumber(value))
      i = i + 2
    elseif a:match("^%-") then usage("unknown option " .. a)
    else o.schemas[#o.schemas + 1] = a; i = i + 1 end
  end
  local modes = (o.out and 1 or 0) + (o.manifest and 1 or 0) + (o.skeleton and 1 or 0)
  if modes ~= 1 then usage("give one of --out, --manifest, --skeleton") end
  if #o.schemas == 0 then usage("no schema files") end
  if o.only and o.skeleton then usage("--only goes with --out or --manifest") end
  return o
end

local fileio = require("files")
local read, write, sh_quote = fileio.read, fileio.write, fileio.sh_quote

-- Files below dir (relative paths), found with find(1).
local function existing(dir)
  local list = {}
  local p = io.popen("find " .. sh_quote(dir) .. " -type f 2>/dev/null")
  for line in p:lines() do list[#list + 1] = line:sub(#dir + 2) end
  p:close()
  return list
end

-- The schema files in dir, sorted.
local function siblings(dir)
  local list = {}
  local p = io.popen("ls -1 " .. sh_quote(dir) .. "/*.lua 2>/dev/null | LC_ALL=C sort")
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  return list
end

local GENERATED_MARK = "Generated by gen/"

-- A Lua literal for v: strings quoted, tables with sorted keys (lists in order).
local function literal(v, indent)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local inner, parts = indent .. "  ", {}
  for _, x in ipairs(v) do parts[#parts + 1] = inner .. literal(x, inner) end
  local keys = {}
  for k in pairs(v) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = inner .. k .. " = " .. literal(v[k], inner) end
  if #parts == 0 then return "{}" end
  return "{\n" .. table.concat(parts, ",\n") .. ",\n" .. indent .. "}"
end

-- What the build and the registries need to know of the outputs.
local function manifest(model, order, kinds, owners)
  local m = { files = {}, protocols = {}, services = {}, limits = {} }
  for _, name in ipairs(order) do
    m.files[#m.files + 1] = { name = name, kind = kinds[name], protocol = owners[name] }
  end
  for _, file in ipairs(model.files) do
    local unions, messages, extensible = {}, {}, {}
    for _, u in ipairs(loader.of_kind(file, "union")) do unions[#unions + 1] = u.name end
    -- Its messages: unions and wire structs, each with T_decode and
    -- conformance vectors (extensible: those that may grow).
    for _, d in ipairs(loader.messages(file)) do
      messages[#messages + 1] = d.name
      if d.extensible then extensible[#extensible + 1] = d.name end
    end
    local bpf = false
    for _, f in ipairs(m.files) do bpf = bpf or (f.protocol == file.protocol.name and f.kind == "bpf") end
    m.protocols[#m.protocols + 1] = { name = file.protocol.name, schema = file.path, unions = unions,
      messages = messages, extensible = extensible, service = file.service and file.service.name or nil, bpf = bpf }
  end
  -- The consts marked limit (schema order): what tests/tree/limits tries.
  for _, c in ipairs(model.limit_list) do
    m.limits[#m.limits + 1] = { name = c.name, value = c.value, where = string.format("%s:%d", c.file, c.line) }
  end
  for i, svc in ipairs(model.services) do
    m.services[#m.services + 1] = { name = svc.name, protocol = svc.protocol, id = i - 1,
      where = string.format("%s:%d", svc.file, svc.line), handlers = service.handlers(svc),
      request = svc.request.name, response = svc.response.name }
  end
  return m
end

local function main(argv)
  local o = parse_args(argv)
  local wanted = o.schemas[1]
  if o.skeleton and #o.schemas == 1 then
    -- the schema's siblings: the set it is generated with (consts it refers to)
    local dir = wanted:match("^(.*)/[^/]*$") or "."
    for _, path in ipairs(siblings(dir)) do
      if path ~= wanted then o.schemas[#o.schemas + 1] = path end
    end
  end
  local ok, model = pcall(loader.load, o.schemas, o.sets)
  if not ok then
    io.stderr:write(tostring(model), "\n")
    os.exit(1)
  end
  if o.skeleton then
    local file
    for _, f in ipairs(model.files) do if f.path == wanted then file = f end end
    local sk_ok, text = pcall(service.skeleton, file)
    if not sk_ok then io.stderr:write(tostring(text), "\n"); os.exit(1) end
    io.stdout:write(text)
    return
  end
  -- Everything is built in memory first: an error writes nothing.
  local files, order, kinds, owners = {}, {}, {}, {}
  local kind, owner = nil, nil
  local function out(name, text, k)
    if files[name] then error("two outputs named " .. name, 0) end
    files[name], kinds[name], owners[name] = text, k or kind, owner
    order[#order + 1] = name
  end
  local gen_ok, gen_err = pcall(function()
    runtime.generate(out, model)
    vectors.generate_registry(model, out)
    service.generate_registry(model, out)
    for _, file in ipairs(model.files) do
      owner = file.protocol.name
      for _, g in ipairs(OUTPUTS) do
        kind = g[2]
        g[1].generate(file, model, out)
      end
    end
    kind, owner = "lock", nil
    wire_lock.generate(model, o.lock or (o.out or ".") .. "/wire.lock", out)
  end)
  if not gen_ok then
    io.stderr:write(tostring(gen_err), "\n")
    os.exit(1)
  end
  -- --only: every output is made (and checked), only those kinds written;
  -- the others still count as known, so no file of theirs is removed.
  local selected = order
  if o.only then
    selected = {}
    for _, name in ipairs(order) do if o.only[kinds[name]] then selected[#selected + 1] = name end end
  end
  if o.manifest then
    io.stdout:write("-- Generated by gen/cli.lua --manifest: every output, its kind and protocol.\nreturn ",
      literal(manifest(model, selected, kinds, owners), ""), "\n")
    return
  end
  local out_dir = o.out
  local dirs = { [out_dir] = true }
  for _, name in ipairs(selected) do
    local sub = name:match("^(.*)/[^/]*$")
    if sub then dirs[out_dir .. "/" .. sub] = true end
  end
  for d in pairs(dirs) do os.execute("mkdir -p " .. sh_quote(d)) end
  local written = 0
  for _, name in ipairs(selected) do
    local path = out_dir .. "/" .. name
    if read(path) ~= files[name] then
      write(path, files[name])
      written = written + 1
    end
  end
  for _, rel in ipairs(existing(out_dir)) do
    if not files[rel] then
      local text = read(out_dir .. "/" .. rel) or ""
      if text:find(GENERATED_MARK, 1, true) then
        os.remove(out_dir .. "/" .. rel)
        io.stderr:write("gen: removed stale ", out_dir, "/", rel, "\n")
      end
    end
  end
  print(string.format("gen: %d files from %d schemas (%d changed) in %s", #selected, #o.schemas, written, out_dir))
end

if arg[1] == "decode" or arg[1] == "encode" then
  require("wire_tool")[arg[1]](table.move(arg, 2, #arg, 1, {}))
else
  main(arg)
end
