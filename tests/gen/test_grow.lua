-- lua5.4 tests/gen/test_grow.lua BUILD_DIR (ninja test-grow): an extensible
-- message grown by an opt field, read both ways. A copy of the probe schema
-- (tests/codec/schema/probe.lua, with schema/kernel.lua) is generated as it
-- is ("old"); a second copy has an opt field appended to ProbeEvent.Reading
-- (extra) and to the extensible struct ProbeStatus (retries) and is
-- generated against the old copy's wire lock ("new"), which accepts the
-- growth; a third appends a field that is not opt, which the lock refuses at
-- its line, writing nothing. Each version's C codec is built into its own
-- program (tests/gen/grow.c: the two codecs have the same names), and:
--  * the old decoder reads the new encoder's bytes, ignoring the new fields,
--    and re-encodes them as the old encoder does;
--  * the new decoder reads the old encoder's bytes with the new fields
--    absent, and re-encodes them with a presence byte 0 for each;
--  * the reference codec (gen/wire_ref.lua) of each version does the same;
--  * a caller of the struct-taking stub (tests/gen/grow_caller.c) compiles
--    against both versions, one of the positional stub only against the
--    old; the old stub takes a new peer's reply longer than its
--    ProbeStatus_MAX_SIZE.
-- Prints one line per check and `N passed, N failed`.

local build = arg[1] or "build/tests/grow"
local top = io.popen("pwd"):read("l")
local work = top .. "/" .. build
local CC = "gcc -std=c11 -Wall -Wextra -Werror"
local RUNTIME = top .. "/gen/runtime"   -- the runtime's hand-written C (proto.h, proto.c)
package.path = top .. "/gen/?.lua;" .. package.path
local fileio = require("files")
local sh_quote = fileio.sh_quote
local loader = require("loader")
local ref = require("wire_ref")

local passed, failed = 0, 0
local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    print("ok - " .. what)
  else
    failed = failed + 1
    print("not ok - " .. what .. (detail and ": " .. detail or ""))
  end
  return ok
end

local function run(cmd)
  local p = io.popen("(" .. cmd .. ") 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)%s*$"))
  return out:gsub("exit=%d+%s*$", ""), code
end

local function must(cmd)
  local out, code = run(cmd)
  if code ~= 0 then
    print("not ok - " .. cmd .. ": exit " .. tostring(code) .. "\n" .. out)
    print(string.format("test-grow: %d passed, %d failed", passed, failed + 1))
    os.exit(1)
  end
  return out
end

local function read(path) return assert(fileio.read(path), "cannot read " .. path) end

-- The text with `after` (a line of it) followed by `added`; errors when
-- after is not in it once.
local function append_after(text, after, added)
  local i, j = text:find(after, 1, true)
  assert(i and not text:find(after, j + 1, true), "test-grow: not once in probe.lua: " .. after)
  return text:sub(1, j) .. added .. text:sub(j + 1)
end

local SCALE = '    field "scale" { "u8", opt = true, doc = "The last trailing opt field." },\n'
local DETAIL = '  field "detail" { "str", max = 6, opt = true, doc = "A trailing opt field." },\n'

-- ---------------------------------------------------------------- the three copies
must("rm -rf " .. sh_quote(work) .. " && mkdir -p " .. sh_quote(work))
local probe = read(top .. "/tests/codec/schema/probe.lua")
local versions = {
  old = probe,
  new = append_after(append_after(probe, SCALE,
    '    field "extra" { "u32", opt = true, doc = "Appended: an older peer\'s message ends before it." },\n'), DETAIL,
    '  field "retries" { "u8", opt = true, doc = "Appended." },\n'),
  bad = append_after(probe, SCALE, '    field "extra" { "u32", doc = "Appended, but not opt." },\n'),
}
for name, text in pairs(versions) do
  must(string.format("mkdir -p %s/%s/schema && cp %s/schema/kernel.lua %s/%s/schema/", sh_quote(work), name,
    sh_quote(top), sh_quote(work), name))
  fileio.write(work .. "/" .. name .. "/schema/probe.lua", text)
end
local function generate(name, lock)
  return run(string.format("cd %s/%s && lua5.4 %s/gen/cli.lua --out gen%s schema/probe.lua schema/kernel.lua", sh_quote(work),
    name, sh_quote(top), lock and " --lock " .. sh_quote(work .. "/old/gen/wire.lock") or ""))
end

-- ---------------------------------------------------------------- the wire lock
local out, code = generate("old")
if not check(code == 0, "the probe schema's copy generates", out) then os.exit(1) end
out, code = generate("new", true)
check(code == 0, "the wire lock accepts opt fields appended to an extensible union's variant and struct", out)
local lock = fileio.read(work .. "/new/gen/wire.lock") or ""
check(lock:find("union ProbeEvent extensible\n  tag 0 Reading\n    field sensor u16\n    field label opt str max=4\n" ..
  "    field value i32\n    field unit opt str max=4\n    field scale opt u8\n    field extra opt u32\n", 1, true) and
  lock:find("struct ProbeStatus extensible\n  field code u8\n  field detail opt str max=6\n  field retries opt u8\n", 1, true),
  "the new lock holds the appended fields", lock)
out, code = generate("bad", true)
local line = 0
for l in (versions.bad .. "\n"):gmatch("([^\n]*)\n") do
  line = line + 1
  if l:find('field "extra" { "u32", doc', 1, true) then break end
end
local want = string.format("schema/probe.lua:%d: ProbeEvent.Reading: field extra (u32) was appended to an extensible " ..
  "message; only an opt field may be (an older peer's message ends before it) (breaks old peers; declare wire_break " ..
  "\"ProbeEvent\" { reason = ... } to allow it)", line)
check(code == 1 and out:match("^[^\n]*") == want, "the wire lock refuses a field that is not opt appended, at its line",
  "got " .. out .. "want " .. want)
check(not fileio.read(work .. "/bad/gen/probe.h"), "the refused copy wrote nothing")

-- ---------------------------------------------------------------- C: both ways
for _, name in ipairs({ "old", "new" }) do
  must(string.format("cd %s/%s && %s -DGROWN=%d -Igen -I%s %s gen/probe.c %s/proto.c -o grow", sh_quote(work), name, CC,
    name == "new" and 1 or 0, sh_quote(RUNTIME), sh_quote(top .. "/tests/gen/grow.c"), sh_quote(RUNTIME)))
end
local function lines(text)
  local list = {}
  for l in text:gmatch("([^\n]+)") do list[#list + 1] = l end
  return list
end
local old_bytes = lines(must(sh_quote(work .. "/old/grow") .. " encode"))
local new_bytes = lines(must(sh_quote(work .. "/new/grow") .. " encode"))
check(#old_bytes == 3 and #new_bytes == 3, "each side encodes a full Reading, a short one and a ProbeStatus")
local labels = { "a Reading with every field", "a Reading without its trailing opt fields", "a ProbeStatus" }
for i = 1, 3 do
  check(new_bytes[i] == old_bytes[i] .. (i == 3 and " 01 09" or " 01 2a 2a 2a 00"),
    labels[i] .. ": the new encoder appends its field to the old encoding", old_bytes[i] .. " / " .. new_bytes[i])
end
local function decode(name, bytes, peer)
  return run(string.format("%s decode %s %s %s %s", sh_quote(work .. "/" .. name .. "/grow"), sh_quote(bytes[1]),
    sh_quote(bytes[2]), sh_quote(bytes[3]), peer))
end
out, code = decode("old", new_bytes, "newer")
local again = lines(out)
check(code == 0 and #again == 3, "the old decoder reads the new encoder's bytes (every field it knows as sent)", out)
for i = 1, 3 do
  check(again[i] == old_bytes[i], labels[i] .. ": the old side re-encodes a newer peer's message as its own encoder does",
    tostring(again[i]))
end
out, code = decode("new", old_bytes, "older")
again = lines(out)
check(code == 0 and #again == 3, "the new decoder reads the old encoder's bytes, the new fields absent", out)
for i = 1, 3 do
  check(again[i] == old_bytes[i] .. " 00", labels[i] .. ": the new side re-encodes an older peer's message with the new field absent",
    tostring(again[i]))
end

-- ---------------------------------------------------------------- the reference codec: both ways
local function model_of(name)
  return loader.load({ work .. "/" .. name .. "/schema/probe.lua", work .. "/" .. name .. "/schema/kernel.lua" })
end
local old_model, new_model = model_of("old"), model_of("new")
local function bytes_of(hex) return (hex:gsub("(%x%x) ?", function(h) return string.char(tonumber(h, 16)) end)) end
for i = 1, 3 do
  local message = i == 3 and "ProbeStatus" or "ProbeEvent"
  local old_decl, new_decl = old_model.by_name[message], new_model.by_name[message]
  local m, err, seen = ref.decode(old_decl, bytes_of(new_bytes[i]), 0)
  check(m and ref.encode(old_decl, m) == bytes_of(old_bytes[i]) and seen and seen.skipped == #bytes_of(new_bytes[i]) -
    #bytes_of(old_bytes[i]), labels[i] .. ": wire_ref of the old schema reads the new bytes, skipping the new field", err)
  m, err, seen = ref.decode(new_decl, bytes_of(old_bytes[i]), 0)
  local field = i == 3 and "retries" or "extra"
  local fields = m and (i == 3 and m or m.fields)
  check(fields and fields[field] == ref.NONE and ref.encode(new_decl, m) == bytes_of(old_bytes[i]) .. "\0" and seen and
    seen.absent[#seen.absent] == field, labels[i] .. ": wire_ref of the new schema reads the old bytes, " .. field .. " absent", err)
end

-- ---------------------------------------------------------------- the stubs
local function build_caller(name, positional)
  return run(string.format("cd %s/%s && %s %s -Igen -I%s %s gen/probe_client.c gen/probe.c %s/proto.c -o caller",
    sh_quote(work), name, CC, positional and "-DPOSITIONAL" or "", sh_quote(RUNTIME), sh_quote(top .. "/tests/gen/grow_caller.c"),
    sh_quote(RUNTIME)))
end
out, code = build_caller("old", true)
check(code == 0, "a caller of the positional stub compiles against the old schema", out)
out, code = build_caller("new", true)
check(code ~= 0 and out:find("too few arguments", 1, true), "... and not against the grown one (the stub gained parameters)", out)
local sent = {}
for _, name in ipairs({ "new", "old" }) do
  out, code = build_caller(name, false)
  check(code == 0, "a caller of the struct-taking stub (probe_report_msg) compiles against the " .. name .. " schema", out)
  -- Its reply: the other side's ProbeStatus; the new one's is longer than
  -- the old side's ProbeStatus_MAX_SIZE.
  out, code = run(string.format("%s %s", sh_quote(work .. "/" .. name .. "/caller"),
    sh_quote(name == "old" and new_bytes[3] or old_bytes[3])))
  local got = lines(out)
  sent[name] = got[1]
  check(code == 0 and got[2] == "code 5 detail status", "the " .. name .. " stub takes the " ..
    (name == "old" and "newer peer's longer" or "older peer's shorter") .. " reply", out)
end
check(sent.new and sent.new == sent.old .. " 00", "the new stub sends the old one's bytes with extra absent (left zero)",
  tostring(sent.old) .. " / " .. tostring(sent.new))
local old_max = read(work .. "/old/gen/probe.h"):match("#define ProbeStatus_MAX_SIZE (%d+)")
check(old_max and #bytes_of(new_bytes[3]) > tonumber(old_max), "the newer reply is longer than the old ProbeStatus_MAX_SIZE",
  tostring(old_max))

print(string.format("test-grow: %d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
