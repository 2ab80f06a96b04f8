-- lua5.4 tests/cli/test_cli.lua VECTOR_TEXT SCHEMA.lua... [-- SCHEMA.lua...]...
-- `gen/cli.lua decode` and `encode`, run as a user runs them:
--  * every conformance vector of every protocol (VECTOR_TEXT, built from
--    tests/cli/vector_text.c, lists them with the text the generated C
--    formatter gives each valid one): a valid one decodes to that text and
--    that text encodes back to its bytes; an invalid one fails, exit 1,
--    naming a field of its message, a byte offset inside the input and the
--    error the vector expects. Each message is given its schema set (the
--    sets are separated by --);
--  * the issue's example, from arguments and from standard input (plain hex,
--    0x and commas, a hexdump -C dump with a squeezed line);
--  * each error's exact message, decoding and encoding; usage and --help;
--  * a schema set in a temporary folder outside the tree, with its own
--    limits, one file naming the other's constants.
-- Prints each failure and `test-cli: N passed, N failed`.

local top = arg[0]:match("^(.*)/tests/cli/[^/]*$") or "."
package.path = top .. "/gen/?.lua;" .. package.path
local loader = require("loader")
local fileio = require("files")
local sh_quote = fileio.sh_quote

local vector_text = arg[1]
if not vector_text or not arg[2] then
  io.stderr:write("usage: lua5.4 tests/cli/test_cli.lua VECTOR_TEXT SCHEMA.lua... [-- SCHEMA.lua...]...\n")
  os.exit(2)
end
local sets, set = {}, {}
for i = 2, #arg do
  if arg[i] == "--" then sets[#sets + 1] = set; set = {} else set[#set + 1] = arg[i] end
end
sets[#sets + 1] = set

local passed, failed = 0, 0
local function check(ok, fmt, ...)
  if ok then passed = passed + 1 return true end
  failed = failed + 1
  print("FAIL " .. string.format(fmt, ...))
  return false
end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. sh_quote(tmp)))
local CLI = "lua5.4 " .. sh_quote(top .. "/gen/cli.lua")

-- Runs the CLI with words (quoted here) and stdin (a string, or nothing):
-- its stdout, stderr and exit status.
local function run(words, stdin)
  local quoted = {}
  for i, w in ipairs(words) do quoted[i] = sh_quote(w) end
  local cmd = CLI .. " " .. table.concat(quoted, " ") .. " 2>" .. sh_quote(tmp .. "/err")
  fileio.write(tmp .. "/in", stdin or "")
  cmd = cmd .. " <" .. sh_quote(tmp .. "/in")
  local p = io.popen(cmd)
  local out = p:read("a")
  local _, _, rc = p:close()
  return out, fileio.read(tmp .. "/err") or "", rc
end

local function list(...)
  local out = {}
  for _, part in ipairs({ ... }) do
    if type(part) == "table" then table.move(part, 1, #part, #out + 1, out) else out[#out + 1] = part end
  end
  return out
end

-- The phrase decode gives each proto_err (its name in words), by number (the runtime's list, gen/runtime/proto.h).
local phrase = {}
for i, err in ipairs(require("c_runtime").ERRORS) do
  local name = err[1]:match("^PROTO_ERR_(.*)$")
  if name then phrase[i - 1] = name:lower():gsub("_", " ") end
end

-- The schema set that declares each message (union or wire struct).
local set_of = {}
for _, s in ipairs(sets) do
  for _, file in ipairs(loader.load(s).files) do
    for _, d in ipairs(loader.messages(file)) do set_of[d.name] = set_of[d.name] or s end
  end
end

-- ---------------------------------------------------------------- every vector
local vectors, valid, invalid = 0, 0, 0
local p = io.popen(sh_quote(vector_text))
for line in p:lines() do
  local message, ncaps, expect, hex, out_hex, text, name =
    line:match("^([^\t]*)\t(%d+)\t(%d+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  vectors = vectors + 1
  local schemas = set_of[message]
  if check(schemas, "vector %q: no schema set declares %s", line, message) then
    local hexwords = {}
    for w in hex:gmatch("%x%x") do hexwords[#hexwords + 1] = w end
    local len = #hexwords
    local out, err, rc = run(list("decode", "--caps", ncaps, schemas, message, hexwords))
    local what = string.format("%s %q [%s] caps %s", message, name, hex, ncaps)
    if expect == "0" then
      valid = valid + 1
      -- An extensible message's input from an older or newer peer (its
      -- canonical bytes are others): standard error says what was made of it.
      local other_version = out_hex ~= hex
      local noted = other_version and err:match("^decode: " .. message .. " is extensible: [^\n]*\n$") or err == ""
      check(rc == 0 and out == text .. "\n" and noted, "decode %s: got %q (exit %s, %q), the C formatter gives %q",
        what, out, rc, err, text)
      -- The text encodes to the canonical bytes: the input's own, but for an
      -- extensible message's from an older or newer peer.
      local bytes_out, note, erc = run(list("encode", schemas, message, text))
      local canonical = out_hex == "-" and "" or out_hex
      check(erc == 0 and bytes_out == canonical .. "\n", "encode %s: %q gives %q (exit %s, %q), want %q",
        what, text, bytes_out, erc, note, canonical)
      local n = tonumber(ncaps)
      check((n == 0 and note == "") or (n > 0 and note:match("^encode: " .. n .. " capabilit")),
        "encode %s: standard error %q for %d capabilities", what, note, n)
    else
      invalid = invalid + 1
      local path, at, said, detail = err:match("^decode: (%S+) at byte (%d+): ([%w ]-) %((.*)%)\n$")
      at = tonumber(at)
      local ok = rc == 1 and out == "" and path and (path == message or path:sub(1, #message + 1) == message .. ".")
        and at <= len and said == phrase[tonumber(expect)]
      -- Where the detail says how many bytes are left or after the end, they must agree with the offset.
      local need, left = (detail or ""):match("^need (%d+) bytes?, (%d+) left$")
      if said == "short buffer" then ok = ok and left and tonumber(left) == len - at and tonumber(need) > tonumber(left) end
      local after = (detail or ""):match("^(%d+) after the end$")
      if said == "trailing bytes" then ok = ok and after and at + tonumber(after) == len end
      if said ~= "short buffer" and said ~= "trailing bytes" and said ~= "bad cap" then ok = ok and at < len end
      check(ok, "decode %s: expected %s at an offset in the input, got %q (exit %s, stdout %q)", what,
        phrase[tonumber(expect)], err, rc, out)
    end
  end
end
check(p:close() and vectors > 0, "%s failed or listed no vector", vector_text)
print(string.format("test-cli: %d vectors (%d valid: decoded and encoded back; %d invalid: refused)", vectors, valid, invalid))

-- ---------------------------------------------------------------- the issue's example
local TIMER = { top .. "/schema/timer.lua", top .. "/schema/kernel.lua" }
local AFTER = "TimerRequest::After { duration_us: 50000 }\n"
local function same(label, words, stdin, want_out, want_err, want_rc)
  local out, err, rc = run(words, stdin)
  check(out == want_out and err == want_err and rc == (want_rc or 0),
    "%s: got stdout %q, stderr %q, exit %s; want %q, %q, %s", label, out, err, rc, want_out, want_err, want_rc or 0)
end
local BYTES = { "00", "50", "c3", "00", "00", "00", "00", "00", "00" }
same("the issue's decode", list("decode", TIMER, "TimerRequest", BYTES), nil, AFTER, "")
same("decode with timer.lua alone (kernel.lua found beside it)", list("decode", top .. "/schema/timer.lua",
  "TimerRequest", BYTES), nil, AFTER, "")
same("decode from stdin", list("decode", TIMER, "TimerRequest"), "00 50 c3\n00 00 00\n\t00 00 00\n", AFTER, "")
same("decode from stdin, 0x and commas", list("decode", TIMER, "TimerRequest"), "0x00, 0x50, 0xc3, 0x0, 00, 00,00,0000\n",
  AFTER, "")
same("decode from stdin, hexdump -C", list("decode", TIMER, "TimerRequest"),
  "00000000  00 50 c3 00 00 00 00 00  00                       |.P.......|\n00000009\n", AFTER, "")
same("the issue's encode", list("encode", TIMER, "TimerRequest", "TimerRequest::After { duration_us: 50000 }"), nil,
  "00 50 c3 00 00 00 00 00 00\n", "")
same("encode from stdin, spread over lines", list("encode", TIMER, "TimerRequest"),
  "TimerRequest::After\n{\n  duration_us : 50000,\n}\n", "00 50 c3 00 00 00 00 00 00\n", "")

local BOOT = { top .. "/schema/boot.lua", top .. "/schema/kernel.lua" }

-- Escapes no vector reaches: a quote, a backslash, DEL, NUL and UTF-8 as \xNN, both ways.
local ESCAPED = 'BootRequest::ConnectService { name: "a\\"\\\\\\x7f\\x00\\xc3\\xa9" }\n'
same("escapes", list("decode", BOOT, "BootRequest", "00 07 00 61 22 5c 7f 00 c3 a9"), nil, ESCAPED, "")
same("escapes encoded", list("encode", BOOT, "BootRequest", ESCAPED), nil, "00 07 00 61 22 5c 7f 00 c3 a9\n", "")

-- ---------------------------------------------------------------- error messages
local PROBE = sets[#sets]
local function fails(label, words, stdin, want_err)
  same(label, words, stdin, "", want_err, 1)
end
-- Each decoder error: { label, words, stdin, the exact message }.
for _, case in ipairs({
  { "the issue's short buffer", { "decode", TIMER, "TimerRequest", "00", "50", "c3", "00" }, nil,
    "decode: TimerRequest.After.duration_us at byte 1: short buffer (need 8 bytes, 3 left)\n" },
  { "unknown tag", { "decode", TIMER, "TimerRequest", "07" }, nil,
    "decode: TimerRequest at byte 0: unknown tag (tag 7; TimerRequest has 0)\n" },
  { "empty input", { "decode", TIMER, "TimerRequest" }, "",
    "decode: TimerRequest at byte 0: short buffer (need 1 byte, 0 left)\n" },
  { "trailing bytes", { "decode", TIMER, "TimerRequest", "00 50 c3 00 00 00 00 00 00 ff ee" }, nil,
    "decode: TimerRequest.After at byte 9: trailing bytes (2 after the end)\n" },
  { "str over its bound", { "decode", BOOT, "BootRequest", "00 21 00" }, nil,
    "decode: BootRequest.ConnectService.name at byte 1: too long (length 33, the bound is 32)\n" },
  { "str short", { "decode", BOOT, "BootRequest", "00 03 00 61" }, nil,
    "decode: BootRequest.ConnectService.name at byte 3: short buffer (need 3 bytes, 1 left)\n" },
  { "bad UTF-8", { "decode", BOOT, "BootRequest", "00 03 00 61 c0 af" }, nil,
    "decode: BootRequest.ConnectService.name at byte 4: bad utf8 (byte c0 starts no valid UTF-8 sequence there)\n" },
  { "a capability missing", { "decode", "--caps", "0", BOOT, "BootResponse", "00" }, nil,
    "decode: BootResponse.Ok.channel at byte 1: bad cap (position 0, the next is 0 of the 0 beside the bytes)\n" },
  { "a capability too many", { "decode", "--caps", "2", BOOT, "BootResponse", "00" }, nil,
    "decode: BootResponse.Ok at byte 1: bad cap (2 beside the bytes, the message takes 1)\n" },
  { "bad bool", { "decode", PROBE, "ProbeRequest", "00 02 00" }, nil,
    "decode: ProbeRequest.Flags.on at byte 1: bad bool (bool byte 02, not 00 or 01)\n" },
  { "bad enum", { "decode", PROBE, "ProbeRequest", "00 01 03" }, nil,
    "decode: ProbeRequest.Flags.color at byte 2: bad enum (3 is no value of probe_color)\n" },
  { "bad opt", { "decode", PROBE, "ProbeRequest", "0a 00 00 00 05" }, nil,
    "decode: ProbeRequest.Maybe.flag at byte 4: bad opt (opt presence byte 05, not 00 or 01)\n" },
  { "an array element", { "decode", PROBE, "ProbeRequest", "07 00 00 00 00 00 00 00 01 00 00 00 00 00 02" }, nil,
    "decode: ProbeRequest.Shape.points[1].visible at byte 14: bad bool (bool byte 02, not 00 or 01)\n" },
  { "a union field's tag", { "decode", PROBE, "ProbeRequest", "0c 05" }, nil,
    "decode: ProbeRequest.Seek.offset at byte 1: unknown tag (tag 5; ProbeOffset has 0, 1)\n" },
  { "over the budget", { "decode", PROBE, "ProbeRequest", "0d 04 00 61 62 63 64 03 00" }, nil,
    "decode: ProbeRequest.Note.body at byte 7: over budget (7 bytes counted, over the budget 6)\n" },
}) do
  fails(case[1], list(table.unpack(case[2])), case[3], case[4])
end
fails("not hex", list("decode", TIMER, "TimerRequest", "00", "5g"), nil,
  "decode: input word 2 '5g' is not hex bytes (pairs of hex digits, or 0xN for one byte)\n")
fails("no such type", list("decode", TIMER, "TimerReq", "00"), nil,
  "decode: no union or wire struct TimerReq in these schemas (they have: TimerRequest, TimerResponse)\n")
same("a wire struct", list("decode", PROBE, "ProbePoint", "fe ff 2c 01 00 00 01"), nil,
  "ProbePoint { x: -2, y: 300, visible: true }\n", "")
-- An extensible message from another version decodes as its decoders read
-- it, and standard error says what was made of it; cut inside a field, or
-- with a bad presence byte, it is refused as any message.
local READING = "ProbeEvent::Reading { sensor: 7, label: none, value: -5, unit: none, scale: none }\n"
same("an extensible message from a newer peer", list("decode", PROBE, "ProbeEvent", "02 01 07"), nil,
  "ProbeEvent::Tick {}\n", "decode: ProbeEvent is extensible: 2 bytes after the fields it knows skipped (a newer peer's)\n")
same("an extensible message from an older peer", list("decode", PROBE, "ProbeEvent", "00 07 00 00 fb ff ff ff"), nil,
  READING, "decode: ProbeEvent is extensible: the input ends before its field unit: unit, scale absent (an older peer's)\n")
same("an extensible struct from an older peer", list("decode", PROBE, "ProbeStatus", "05"), nil,
  "ProbeStatus { code: 5, detail: none }\n",
  "decode: ProbeStatus is extensible: the input ends before its field detail: detail absent (an older peer's)\n")
same("an older peer's message encodes as this side's", list("encode", PROBE, "ProbeEvent", READING), nil,
  "00 07 00 00 fb ff ff ff 00 00\n", "")
fails("an extensible message cut inside a field", list("decode", PROBE, "ProbeEvent", "00 07 00 00 fb ff ff ff 01 02 00 63"),
  nil, "decode: ProbeEvent.Reading.unit at byte 11: short buffer (need 2 bytes, 1 left)\n")
fails("an extensible message cut before a fixed field", list("decode", PROBE, "ProbeEvent", "00 07 00 00 fb ff"), nil,
  "decode: ProbeEvent.Reading.value at byte 4: short buffer (need 4 bytes, 2 left)\n")
fails("an extensible message's bad presence byte", list("decode", PROBE, "ProbeEvent", "00 07 00 00 fb ff ff ff 02"), nil,
  "decode: ProbeEvent.Reading.unit at byte 8: bad opt (opt presence byte 02, not 00 or 01)\n")

local function refused(label, message, text, want_err)
  fails(label, list("encode", message == "TimerRequest" and TIMER or message == "BootRequest" and BOOT or PROBE,
    message, text), nil, want_err)
end
refused("out of range", "TimerRequest", "TimerRequest::After { duration_us: 18446744073709551616 }",
  "encode: TimerRequest.After.duration_us at column 36: 18446744073709551616 is out of range of u64 (0 .. 18446744073709551615)\n")
refused("negative u64", "TimerRequest", "TimerRequest::After { duration_us: -1 }",
  "encode: TimerRequest.After.duration_us at column 36: -1 is out of range of u64 (0 .. 18446744073709551615)\n")
refused("an unknown variant", "TimerRequest", "TimerRequest::Before { duration_us: 1 }",
  "encode: TimerRequest at column 15: 'Before' is no variant of TimerRequest (After)\n")
refused("an unknown field", "TimerRequest", "TimerRequest::After { duration: 1 }",
  "encode: TimerRequest.After at column 23: TimerRequest.After has no field duration (expected duration_us)\n")
refused("a missing field", "TimerRequest", "TimerRequest::After {}",
  "encode: TimerRequest.After at column 22: TimerRequest.After: field duration_us is missing\n")
refused("another type", "TimerRequest", "TimerResponse::Expired {}",
  "encode: TimerRequest at column 1: expected TimerRequest::VARIANT, found 'TimerResponse'\n")
refused("text after the message", "TimerRequest", "TimerRequest::After { duration_us: 1 } x",
  "encode: TimerRequest at column 40: text after the message: 'x'\n")
refused("str over its bound", "BootRequest", 'BootRequest::ConnectService { name: "' .. string.rep("a", 33) .. '" }',
  "encode: BootRequest.ConnectService.name at column 37: str of 33 bytes is over its bound 32\n")
refused("str not UTF-8", "BootRequest", 'BootRequest::ConnectService { name: "a\\xff" }',
  "encode: BootRequest.ConnectService.name at column 37: the str is not valid UTF-8 (from its byte 1)\n")
refused("an unknown enum value", "ProbeRequest", "ProbeRequest::Flags { on: true, color: PINK }",
  "encode: ProbeRequest.Flags.color at column 40: 'PINK' is no value of probe_color (RED, GREEN, BLUE, WHITE)\n")
refused("a short array", "ProbeRequest", "ProbeRequest::Labels { names: [\"a\"], blobs: [<>, <>] }",
  "encode: ProbeRequest.Labels.names at column 31: the array has 1 elements, not 2\n")
refused("a float not exact", "ProbeRequest", "ProbeRequest::Floats { single: 0x1.000001p+0, wide: 0x0p+0, maybe: none }",
  "encode: ProbeRequest.Floats.single at column 32: '0x1.000001p+0' is not an f32: it is not exact in f32\n")
refused("over the budget", "ProbeRequest", 'ProbeRequest::Note { title: "abcd", body: <01 02 03>, kind: 0 }',
  "encode: ProbeRequest at column 1: over the budget 6\n")
refused("i8 out of range", "ProbeRequest", "ProbeRequest::Numbers { s8: -129, s16: 0, s32: 0, s64: 0 }",
  "encode: ProbeRequest.Numbers.s8 at column 29: -129 is out of range of i8 (-128 .. 127)\n")
refused("on line 2", "TimerRequest", "TimerRequest::After {\n  duration_us: x }",
  "encode: TimerRequest.After.duration_us at line 2, column 16: expected an integer (u64), found 'x'\n")
same("caps beside the bytes", list("encode", BOOT, "BootResponse", "BootResponse::Ok { channel: cap#7 }"), nil,
  "00\n", "encode: 1 capability travels beside these bytes: position 0: cap#7\n")
same("declared caps first", list("encode", PROBE, "ProbeHand",
  "ProbeHand::Give { note: 66, second: cap#11, spares: [cap#12, cap#13], first: cap#10 }"), nil, "00 42 01 02 03\n",
  "encode: 4 capabilities travel beside these bytes: position 0: cap#10, position 1: cap#11, position 2: cap#12, " ..
  "position 3: cap#13\n")

-- ---------------------------------------------------------------- usage
local out, err, rc = run({ "decode" })
check(rc == 2 and out == "" and err:match("^usage: lua5%.4 gen/cli%.lua decode"), "decode without arguments: %q %q %s", out, err, rc)
out, err, rc = run({ "encode", "--help" })
check(rc == 0 and out:match("^usage: lua5%.4 gen/cli%.lua encode") and err == "", "encode --help: %q %q %s", out, err, rc)
out, err, rc = run({ "--help" })
check(rc == 0 and out:find("gen/cli.lua decode", 1, true) and out:find("gen/cli.lua encode", 1, true),
  "--help names decode and encode: %q", out)

-- ---------------------------------------------------------------- a schema outside the tree
local dir = tmp .. "/schemas"
os.execute("mkdir -p " .. sh_quote(dir))
fileio.write(dir .. "/limits.lua", [[
protocol "limits" { doc = "This program's limits." }
const "NOTE_MSG_MAX" { type = "u32", value = 64, limit = "message_bytes", doc = "Largest message." }
const "NOTE_TEXT_MAX" { type = "u16", value = 48, doc = "Longest text." }
]])
fileio.write(dir .. "/note.lua", [[
protocol "note" { doc = "Notes." }
union "NoteMsg" {
  doc = "A note.",
  variant "Put" { tag = 4, doc = "Keep a text.", field "text" { "str", max = "NOTE_TEXT_MAX", doc = "The text." },
    field "pinned" { "bool", doc = "Kept first." } },
}
]])
same("a schema outside the tree", { "decode", dir .. "/note.lua", "NoteMsg", "04 05 00 68 65 6c 6c 6f 01" }, nil,
  'NoteMsg::Put { text: "hello", pinned: true }\n', "")
fails("its own bound", { "decode", dir .. "/note.lua", dir .. "/limits.lua", "NoteMsg", "04 31 00" }, nil,
  "decode: NoteMsg.Put.text at byte 1: too long (length 49, the bound is 48)\n")
fails("its own message size", { "encode", dir .. "/note.lua", "NoteMsg", 'NoteMsg::Put { text: "' .. string.rep("a", 49) ..
  '", pinned: false }' }, nil, "encode: NoteMsg.Put.text at column 22: str of 49 bytes is over its bound 48\n")
-- A dump with a squeezed line (*), as hexdump -C writes repeated lines.
local text48 = string.rep("a", 48)
local octal = ("\4\48\0" .. text48 .. "\1"):gsub(".", function(c) return string.format("\\%03o", c:byte()) end)
local dumped = io.popen("printf " .. sh_quote(octal) .. " | hexdump -C"):read("a")
check(dumped:find("\n%*\n"), "hexdump -C squeezed no line of %q", dumped)
same("decode a hexdump -C with a * line", { "decode", dir .. "/note.lua", "NoteMsg" }, dumped,
  'NoteMsg::Put { text: "' .. text48 .. '", pinned: true }\n', "")
same("encoded outside the tree", { "encode", dir .. "/note.lua", "NoteMsg", 'NoteMsg::Put { text: "hi", pinned: false }' },
  nil, "04 02 00 68 69 00\n", "")

os.execute("rm -rf " .. sh_quote(tmp))
print(string.format("test-cli: %d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
