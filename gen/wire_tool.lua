-- The decode and encode commands of gen/cli.lua: one message between its
-- bytes (hex) and the generated formatter's text, for any schema, through
-- the reference codec (gen/wire_ref.lua) and its text form (gen/wire_text.lua).

local loader = require("loader")
local ref = require("wire_ref")
local text = require("wire_text")
local fileio = require("files")

local M = {}

M.HELP = {
  decode = [[
usage: lua5.4 gen/cli.lua decode [--caps N] SCHEMA.lua... TYPE [HEX...]
Decodes one message of TYPE (a union, or a wire struct) and prints it as the
generated C formatter does (T_format_bytes), one line:
  $ lua5.4 gen/cli.lua decode schema/timer.lua TimerRequest 00 50 c3 00 00 00 00 00 00
  TimerRequest::After { duration_us: 50000 }
The bytes are the HEX arguments, or standard input when there are none: hex
digits in pairs with any whitespace, commas and 0x prefixes (0x5 is one
byte), or a `hexdump -C` dump.
A schema that refers to another one's names (timer.lua needs kernel.lua's
constants) is loaded with the other files named, or else with the .lua
files beside it.
  --caps N   N capabilities travel beside the bytes (default: as many as
             the message's variant carries); they show by position, cap#0...
Input that does not decode exits 1 with the field, the byte offset and the
decoder's error (PROTO_ERR_ name in words) on standard error:
  $ lua5.4 gen/cli.lua decode schema/timer.lua TimerRequest 00 50 c3 00
  decode: TimerRequest.After.duration_us at byte 1: short buffer (need 8 bytes, 3 left)
An extensible message (extensible = true in its schema) decodes as its
decoders read it, and standard error says so when the input came from
another version: bytes after the fields it knows are skipped (a newer
peer's), an input that ends before its trailing opt fields has them absent
(an older peer's).
]],
  encode = [[
usage: lua5.4 gen/cli.lua encode SCHEMA.lua... TYPE [TEXT...]
Encodes one message of TYPE (a union, or a wire struct) written in the
formatter's text form and prints its bytes in hex separated by spaces:
  $ lua5.4 gen/cli.lua encode schema/timer.lua TimerRequest 'TimerRequest::After { duration_us: 50000 }'
  00 50 c3 00 00 00 00 00 00
The text is the TEXT arguments joined by spaces, or standard input when
there are none; whitespace is free between tokens. The form: a union as
U::Variant { field: value, ... }, a struct as S { ... }, every field in
schema order (an absent opt field is `none`), integers in decimal, floats as
hex floats (0x1.8p+1, -0x0p+0, inf, nan(0x1)), bool true/false, enums by
name, str "..." (\" \\ \xNN \n \t \r), bytes <de ad>, arrays [a, b],
capabilities cap#HANDLE (a variant's declared ones after its fields).
When the message carries capabilities, standard error says which handles
travel beside the bytes, in order.
Text that does not fit the schema exits 1 naming the field, the place in
the text and what is wrong:
  $ lua5.4 gen/cli.lua encode schema/timer.lua TimerRequest 'TimerRequest::After { duration_us: -1 }'
  encode: TimerRequest.After.duration_us at column 36: -1 is out of range of u64 (0 .. 18446744073709551615)
]],
}

-- The help of cmd, naming the program as it was run: the installed command
-- (its launcher sets WIREC_PROG) or lua5.4 gen/cli.lua in the tree.
local function help(cmd)
  local prog = os.getenv("WIREC_PROG")
  if not prog or prog == "" then return M.HELP[cmd] end
  return (M.HELP[cmd]:gsub("lua5%.4 gen/cli%.lua", function() return prog end))
end

local function fail(cmd, fmt, ...)
  io.stderr:write(cmd, ": ", string.format(fmt, ...), "\n")
  os.exit(1)
end

local function usage(cmd)
  io.stderr:write(help(cmd))
  os.exit(2)
end

-- The schema files in path's folder but path itself, sorted.
local function siblings(path)
  local dir = path:match("^(.*)/[^/]*$") or "."
  local list = {}
  local p = io.popen("ls -1 " .. fileio.sh_quote(dir) .. "/*.lua 2>/dev/null | LC_ALL=C sort")
  for line in p:lines() do if line ~= path and line ~= "./" .. path then list[#list + 1] = line end end
  p:close()
  return list
end

-- The model of paths; when they alone do not load (names of another schema),
-- with the .lua files beside the first one too. Fails with the first error.
local function load(cmd, paths)
  local ok, model = pcall(loader.load, paths)
  if ok then return model end
  local given = {}
  for _, p in ipairs(paths) do given[p] = true end
  local more = table.move(paths, 1, #paths, 1, {})
  for _, p in ipairs(siblings(paths[1])) do if not given[p] then more[#more + 1] = p end end
  if #more > #paths then
    local ok2, model2 = pcall(loader.load, more)
    if ok2 then return model2 end
  end
  fail(cmd, "%s", tostring(model))
end

-- The union or wire struct named name.
local function find_type(cmd, model, name)
  local names = {}
  for _, file in ipairs(model.files) do
    for _, d in ipairs(file.decls) do
      if d.kind == "union" or (d.kind == "struct" and d.layout == "wire") then
        if d.name == name then return d end
        names[#names + 1] = d.name
      end
    end
  end
  fail(cmd, "no union or wire struct %s in these schemas (they have: %s)", name,
    #names > 0 and table.concat(names, ", ") or "none")
end

-- The bytes of a hex text: pairs of hex digits with whitespace, commas and
-- 0x prefixes between them, or a hexdump -C dump. Returns nil, why on error.
function M.hex_bytes(s)
  if s:match("^%x%x%x%x%x%x%x%x  ") or s:match("^%x%x%x%x%x%x%x%x\n") then return M.hexdump_bytes(s) end
  local out, n = {}, 0
  for token in s:gmatch("[^%s,]+") do
    n = n + 1
    local digits = token:match("^0[xX](%x%x?)$")
    if digits then out[#out + 1] = string.char(tonumber(digits, 16))
    elseif token:match("^%x+$") and #token % 2 == 0 then
      for pair in token:gmatch("%x%x") do out[#out + 1] = string.char(tonumber(pair, 16)) end
    else
      return nil, string.format("input word %d '%s' is not hex bytes (pairs of hex digits, or 0xN for one byte)", n, token)
    end
  end
  return table.concat(out)
end

-- A hexdump -C dump: an 8-digit offset, up to 16 bytes, |ascii|; a `*`
-- line repeats the line before it up to the next offset, which is also
-- where the last line says the input ends.
function M.hexdump_bytes(s)
  local data, prev, squeezed = {}, nil, false
  local function count() return #table.concat(data) end
  for line in s:gmatch("[^\n]+") do
    if line:match("^%*%s*$") then squeezed = true
    else
      local offset, rest = line:match("^(%x%x%x%x%x%x%x%x+)(.*)$")
      if not offset then return nil, "not a hexdump -C line: " .. line end
      offset = tonumber(offset, 16)
      if squeezed then
        while count() < offset do data[#data + 1] = prev end
        squeezed = false
      end
      if count() ~= offset then return nil, string.format("hexdump line at offset %08x follows %d bytes", offset, count()) end
      local bytes = {}
      for pair in (rest:match("^(.-)|") or rest):gmatch("%S+") do
        if not pair:match("^%x%x$") then return nil, "not a hexdump -C line: " .. line end
        bytes[#bytes + 1] = string.char(tonumber(pair, 16))
      end
      prev = table.concat(bytes)
      data[#data + 1] = prev
    end
  end
  return table.concat(data)
end

-- Splits argv into options (each with its value), schemas (*.lua before
-- TYPE), TYPE and what follows.
local function split(cmd, argv, options)
  local o, i = { schemas = {} }, 1
  while i <= #argv do
    local a = argv[i]
    if a == "--help" or a == "-h" then io.stdout:write(help(cmd)); os.exit(0) end
    if options[a] then
      o[a] = argv[i + 1] or usage(cmd)
      i = i + 2
    elseif a:match("^%-%-") then usage(cmd)
    elseif a:match("%.lua$") and not o.type then o.schemas[#o.schemas + 1] = a; i = i + 1
    else break end
  end
  o.type = argv[i]
  if #o.schemas == 0 or not o.type then usage(cmd) end
  o.rest = table.move(argv, i + 1, #argv, 1, {})
  return o
end

-- The input: the words after TYPE, else standard input.
local function input(o)
  if #o.rest > 0 then return table.concat(o.rest, " ") end
  return io.stdin:read("a")
end

local function words(err) return err:lower():gsub("_", " ") end

function M.decode(argv)
  local o = split("decode", argv, { ["--caps"] = true })
  local ncaps = o["--caps"] and tonumber(o["--caps"])
  if o["--caps"] and not (math.tointeger(ncaps) and ncaps >= 0) then
    fail("decode", "--caps %s: not a count", o["--caps"])
  end
  local model = load("decode", o.schemas)
  local decl = find_type("decode", model, o.type)
  local bytes, why = M.hex_bytes(input(o))
  if not bytes then fail("decode", "%s", why) end
  if not ncaps then ncaps = decl.kind == "union" and ref.caps_of(decl, bytes) or decl.ncaps or 0 end
  local m, err, where = ref.decode(decl, bytes, ncaps)
  if not m then fail("decode", "%s at byte %d: %s (%s)", where.path, where.at, words(err), where.detail) end
  io.stdout:write(text.format(decl, m), "\n")
  -- An extensible message from another version: what the decoder made of it.
  local seen = where
  if seen and seen.skipped > 0 then
    io.stderr:write(string.format("decode: %s is extensible: %d byte%s after the fields it knows skipped (a newer peer's)\n",
      decl.name, seen.skipped, seen.skipped == 1 and "" or "s"))
  end
  if seen and #seen.absent > 0 then
    io.stderr:write(string.format("decode: %s is extensible: the input ends before its field %s: %s absent (an older peer's)\n",
      decl.name, seen.absent[1], table.concat(seen.absent, ", ")))
  end
end

function M.encode(argv)
  local o = split("encode", argv, {})
  local model = load("encode", o.schemas)
  local decl = find_type("encode", model, o.type)
  local value, handles = text.parse(decl, input(o))
  if not value then
    local e = handles
    local place = e.lines > 1 and string.format("line %d, column %d", e.line, e.column) or "column " .. e.column
    fail("encode", "%s at %s: %s", e.path, place, e.message)
  end
  local bytes = decl.kind == "union" and ref.encode(decl, value) or ref.encode_value({ kind = "struct", decl = decl }, value)
  local hex = {}
  for i = 1, #bytes do hex[i] = string.format("%02x", bytes:byte(i)) end
  io.stdout:write(table.concat(hex, " "), "\n")
  if #handles > 0 then
    local list = {}
    for i, h in ipairs(handles) do list[i] = string.format("position %d: cap#%d", i - 1, h) end
    io.stderr:write(string.format("encode: %d %s beside these bytes: %s\n", #handles,
      #handles == 1 and "capability travels" or "capabilities travel", table.concat(list, ", ")))
  end
end

return M
