-- lua5.4 tests/fuzz/differential.lua VERDICT SCHEMA.lua...
-- The fuzzers' differential check: every input of the fuzz corpus (the seeds
-- in tests/fuzz/corpus/MESSAGE/ and what fuzz runs wrote to
-- build/fuzz/MESSAGE/corpus/) is decoded by the C codec (VERDICT, built
-- from tests/fuzz/verdict.c) and by the Lua reference codec
-- (gen/wire_ref.lua), beside each count of capabilities from 0 to the
-- message_caps limit, for every message (union and wire struct). Whatever
-- one accepts the other must accept with the same value (the same canonical
-- re-encoding, which is also the input; for an extensible message, the
-- input without the bytes a newer peer appended or with the opt fields an
-- older one lacked, and which re-encodes to itself), and whatever one
-- rejects the other must reject with the same error. Prints each
-- disagreement and a `N passed, N failed` line; exits 1 on any.

local top = arg[0]:match("^(.*)/tests/fuzz/[^/]*$") or "."
package.path = top .. "/gen/?.lua;" .. package.path
local loader = require("loader")
local ref = require("wire_ref")

local verdict_bin = arg[1]
local schemas = table.move(arg, 2, #arg, 1, {})
if not verdict_bin or #schemas == 0 then
  io.stderr:write("usage: lua5.4 tests/fuzz/differential.lua VERDICT SCHEMA.lua...\n")
  os.exit(2)
end

local fileio = require("files")
local sh_quote = fileio.sh_quote
local function read(path) return assert(fileio.read(path), "cannot read " .. path) end

local function lines_of(cmd)
  local list = {}
  local p = io.popen(cmd)
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  return list
end

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

-- The reference's error names by proto_err number (the runtime's list, gen/runtime/proto.h).
local c_errors = {}
for i, err in ipairs(require("c_runtime").ERRORS) do c_errors[i - 1] = err[1]:match("^PROTO_ERR_(.*)$") end

local model = loader.load(schemas)
local by_name, messages = {}, {}
for _, file in ipairs(model.files) do
  for _, d in ipairs(loader.messages(file)) do by_name[d.name] = d; messages[#messages + 1] = d.name end
end

-- The C side's verdict on each file: "OK", hex or an error name.
local function c_verdicts(message, files)
  local list = top .. "/build/fuzz/" .. message .. "-differential.list"
  os.execute("mkdir -p " .. sh_quote(top .. "/build/fuzz"))
  do
    local f <close> = assert(io.open(list, "w"))
    for _, path in ipairs(files) do f:write(path, "\n") end
  end
  local out = lines_of(sh_quote(verdict_bin) .. " " .. message .. " < " .. sh_quote(list))
  if #out ~= #files then error(string.format("%s: verdict answered %d of %d inputs", message, #out, #files), 0) end
  return out
end

local max_caps = model.limits.message_caps and model.limits.message_caps.value or 0

-- One count of capabilities: the reference against one C verdict.
local function compare_one(u, input, ncaps, c_line)
  local m, err = ref.decode(u, input, ncaps)
  local kind, rest = c_line:match("^(%u+) (%S*)$")
  if m then
    local bytes = ref.encode(u, m)
    local again = hex(bytes)
    if kind ~= "OK" then return "the reference accepts it, C says " .. c_line end
    if not u.extensible and again ~= hex(input) then return "the reference's re-encoding differs from the input: " .. again end
    if u.extensible then
      -- A newer peer's input (longer) or an older one's (shorter): the
      -- re-encoding is the message this side knows, canonical.
      local twice = ref.decode(u, bytes, ncaps)
      if not twice or ref.encode(u, twice) ~= bytes then return "the reference's re-encoding does not re-encode to itself" end
      local n = math.min(#bytes, #input)
      if bytes:sub(1, n) ~= input:sub(1, n) or bytes:sub(n + 1):find("[^\0]") then
        return "the reference's re-encoding is not the input with skipped bytes left out or absent opt fields added: " .. again
      end
    end
    if rest ~= again then return "C re-encodes it as " .. rest .. ", the reference as " .. again end
    return nil
  end
  if kind == "OK" then return "C accepts it (re-encoding " .. rest .. "), the reference says " .. err end
  local c_err = kind == "ERR" and c_errors[tonumber(rest)] or c_line
  if c_err ~= err then return "C says " .. tostring(c_err) .. ", the reference " .. err end
  return nil
end

-- Every count of capabilities: C's line has max_caps + 1 verdicts.
local function compare(u, input, c_line)
  local verdicts = {}
  for v in (c_line .. " | "):gmatch("(.-) | ") do verdicts[#verdicts + 1] = v end
  if #verdicts ~= max_caps + 1 then return "C gave " .. #verdicts .. " verdicts, not " .. (max_caps + 1) end
  for n = 0, max_caps do
    local why = compare_one(u, input, n, verdicts[n + 1])
    if why then return string.format("with %d capabilities: %s", n, why) end
  end
  return nil
end

-- Every message of the schemas given: its seeds (tests/fuzz/corpus/MESSAGE/,
-- optional) and what its fuzz runs wrote. A message with no input at all is
-- not covered: a failure. A seed folder of no message is a mistake too.
for _, message in ipairs(lines_of("ls " .. sh_quote(top .. "/tests/fuzz/corpus"))) do
  if not by_name[message] then error("tests/fuzz/corpus/" .. message .. ": no message of that name in the schemas given", 0) end
end
local inputs, seeds, bad = 0, 0, 0
local extensible = 0
for _, message in ipairs(messages) do
  local u = by_name[message]
  if u.extensible then extensible = extensible + 1 end
  local files = lines_of("find " .. sh_quote(top .. "/tests/fuzz/corpus/" .. message) .. " " ..
    sh_quote(top .. "/build/fuzz/" .. message .. "/corpus") .. " -type f 2>/dev/null | sort")
  seeds = seeds + #lines_of("find " .. sh_quote(top .. "/tests/fuzz/corpus/" .. message) .. " -type f 2>/dev/null")
  if #files == 0 then
    bad = bad + 1
    print(string.format("differential %s: no input (no seed in tests/fuzz/corpus/%s, no fuzz run's corpus): not covered",
      message, message))
  end
  local verdicts = c_verdicts(message, files)
  for i, path in ipairs(files) do
    local input = read(path)
    local why = compare(u, input, verdicts[i])
    if why then
      bad = bad + 1
      print(string.format("differential %s: %s [%s]: %s", message, path, hex(input), why))
    end
  end
  inputs = inputs + #files
end
print(string.format("differential: %d messages (%d extensible), %d inputs (%d seeds, %d from fuzz runs), %d disagreements: %d passed, %d failed",
  #messages, extensible, inputs, seeds, inputs - seeds, bad, bad == 0 and 1 or 0, bad == 0 and 0 or 1))
os.exit(bad == 0 and 0 or 1)
