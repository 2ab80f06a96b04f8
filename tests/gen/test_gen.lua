-- Tests of the generators, run by `ninja test-gen` from the repository top:
--   lua5.4 tests/gen/test_gen.lua BUILD_DIR
-- Each bad-schema class must stop the generator with `schema/FILE.lua:LINE:
-- message` and exit 1 writing nothing; two runs give identical bytes; an
-- edited copy of the schemas regenerates and compiles; a service variant
-- without a handler is refused before the link. Prints one line per test
-- and `N passed, N failed`.

local build = arg[1] or "build/tests/gen"
local top = io.popen("pwd"):read("l")
local work = top .. "/" .. build
-- The codec runtime (hand-written, the same for every schema): its headers
-- are found on every compile line, its sources compiled where needed.
local RT = top .. "/gen/runtime"
local CC = "gcc -std=c11 -Wall -Wextra -Werror -I'" .. RT .. "'"

local passed, failed = 0, 0

package.path = top .. "/gen/?.lua;" .. package.path
local fileio = require("files")
local sh_quote, write = fileio.sh_quote, fileio.write

-- Runs a shell command; returns its combined output and exit code.
local function run(cmd)
  local p = io.popen("(" .. cmd .. ") 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)%s*$"))
  return out:gsub("exit=%d+%s*$", ""), code
end

local function must(cmd)
  local out, code = run(cmd)
  if code ~= 0 then error("command failed (" .. code .. "): " .. cmd .. "\n" .. out, 0) end
  return out
end

local function read(path) return assert(fileio.read(path), "cannot read " .. path) end

local function test(name, body)
  local ok, err = pcall(body)
  if ok then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("not ok - " .. name .. ": " .. tostring(err))
  end
end

-- A fresh folder under the build dir with the real schemas copied into schema/.
local function sandbox(name)
  local dir = work .. "/" .. name
  must("rm -rf " .. sh_quote(dir) .. " && mkdir -p " .. sh_quote(dir .. "/schema") .. " && cp " ..
    sh_quote(top) .. "/schema/*.lua " .. sh_quote(dir .. "/schema/"))
  return dir
end

local function generate(dir, schemas, out)
  return run(string.format("cd %s && lua5.4 %s/gen/cli.lua --out %s %s", sh_quote(dir), sh_quote(top),
    out or "generated", schemas or "schema/*.lua"))
end

-- Bad schemas: the text of schema/bad.lua (line numbers matter) and the
-- `file:line: message` the generator must print (its start; with "pattern" a Lua
-- pattern, with "exact" the whole first line).
local PROTO = 'protocol "bad" { doc = "A protocol with one mistake." }\n'
local BAD = {
  { "duplicate tag", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a" },
  variant "B" { tag = 0, doc = "b" },
}]], "schema/bad.lua:4: union U: tag 0 is used by both A and B" },
  { "duplicate variant name", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a" },
  variant "A" { tag = 1, doc = "b" },
}]], "schema/bad.lua:4: union U: duplicate variant A" },
  { "duplicate declaration name", PROTO .. [[
const "X" { type = "u8", value = 1, doc = "x" }
const "X" { type = "u8", value = 2, doc = "x again" }]],
    "schema/bad.lua:3: X is already declared at schema/bad.lua:2" },
  { "name declared in another schema", PROTO .. [[
const "MAX_MSG_SIZE" { type = "u32", value = 8, doc = "clash with kernel.lua" }]],
    "^schema/kernel%.lua:%d+: MAX_MSG_SIZE is already declared at schema/bad%.lua:2$", "pattern" },
  { "duplicate field", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "x" { "u8" },
    field "x" { "u16" },
  },
}]], "schema/bad.lua:5: U.A: duplicate field x" },
  { "unknown type", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "x" { "u128" },
  },
}]], "schema/bad.lua:4: field x: 'u128' is not a type (u8..u64, i8..i64, f32, f64, bool, str, bytes, chan, or an enum, struct or union by name)" },
  { "a declared type's name in another case suggests it", PROTO .. [[
struct "ProbeSpot" { doc = "s", field "x" { "u8" } }
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "x" { "probespot" },
  },
}]], "schema/bad.lua:5: field x: 'probespot' is not a type; did you mean 'ProbeSpot'?", "exact" },
  { "a const's type in C spelling suggests the schema's", PROTO .. [[
const "X" { type = "uint16_t", value = 3, doc = "x" }]],
    "schema/bad.lua:2: const X: 'uint16_t' is not an integer type (u8..u64, i8..i64); did you mean 'u16'?", "exact" },
  { "a syscall argument of type size_t suggests usize", PROTO .. [[
enum "bad_error" { type = "u32", doc = "e", value "NO_SYSCALL" { 1 } }
syscall "one" { number = 1, result = "isize", doc = "m", arg "n" { "size_t" } }]],
    "schema/bad.lua:3: syscall one: argument n has unknown type 'size_t' (u32, i32, u64, i64, usize, uptr_in, uptr_out); did you mean 'usize' or 'u64'?", "exact" },
  { "more capabilities than a message carries", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    cap "c" { protocol = "any", doc = "c" },
    field "more" { "chan", protocol = "bad", count = 4 },
  },
}]], "schema/bad.lua:3: message U.A can carry 5 capabilities, over MAX_CAPS (4)" },
  { "cap without a protocol", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    cap "c" { doc = "c" },
  },
}]], "schema/bad.lua:4: cap c needs protocol = \"P\" (the protocol its channel speaks) or \"any\"" },
  { "cap of an unknown protocol", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "ch" { "chan", protocol = "nope" },
  },
}]], "schema/bad.lua:4: field ch: protocol 'nope' is no protocol of these schemas (or \"any\")" },
  { "cap with a field's name", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "c" { "u8" },
    cap "c" { protocol = "any", doc = "c" },
  },
}]], "schema/bad.lua:5: U.A: cap c has the name of a field or cap on line 4" },
  { "protocol on a field that is no chan", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "n" { "u8", protocol = "bad" },
  },
}]], "schema/bad.lua:4: field n: protocol is only for chan" },
  { "chan in a C-layout struct", PROTO .. [[
struct "S" { layout = "c", doc = "s",
  field "ch" { "chan", protocol = "any" },
}]], "schema/bad.lua:3: field ch: chan cannot be in a C-layout struct" },
  { "cap outside a variant", PROTO .. [[
cap "c" { protocol = "any", doc = "c" }]], "schema/bad.lua:2: cap \"c\" must be inside a variant" },
  { "second const with one limit", PROTO .. [[
const "ALSO_MAX" { type = "u32", value = 8, limit = "message_caps", doc = "x" }]],
    "^schema/kernel%.lua:%d+: const MAX_CAPS: ALSO_MAX already has limit = \"message_caps\"", "pattern" },
  { "tag over 255", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 256, doc = "a" },
}]], "schema/bad.lua:3: variant U.A: tag 256 is outside 0..255" },
  { "unbounded string", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "name" { "str" },
  },
}]], "schema/bad.lua:4: field name: str needs a bound, e.g. max = 64" },
  { "string bound over u16", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "blob" { "bytes", max = 70000 },
  },
}]], "schema/bad.lua:4: field blob: max must be an integer from 1 to 65535, not 70000" },
  { "broken invariant", PROTO .. [[
const "A" { type = "u32", value = 65, doc = "a" }
invariant "A <= 64" { doc = "A fits a u64 bitmask." }]],
    "schema/bad.lua:3: invariant does not hold: A <= 64" },
  { "invariant on an unknown name", PROTO .. [[
invariant "NOPE < 3" { doc = "n" }]], "schema/bad.lua:2: unknown name 'NOPE'" },
  { "invariant syntax", PROTO .. [[
invariant "1 < < 2" { doc = "n" }]], "schema/bad.lua:2: invariant \"1 < < 2\": unexpected '<'" },
  { "message over MAX_MSG_SIZE names the field", PROTO .. [[
union "Big" { doc = "too big",
  variant "A" { tag = 0, doc = "a",
    field "small" { "u32" },
    field "blob" { "bytes", max = 2000 },
  },
}]], "schema/bad.lua:5: message Big.A can be 2007 bytes, over MAX_MSG_SIZE (1024): field blob takes up to 2002" },
  { "const that does not fit its type", PROTO .. [[
const "X" { type = "u8", value = 300, doc = "x" }]], "schema/bad.lua:2: const X: 300 does not fit u8" },
  { "unknown option", PROTO .. [[
const "X" { type = "u8", vlaue = 3, doc = "x" }]], "schema/bad.lua:2: const \"X\": unknown option 'vlaue'" },
  -- Several unknown options: all of them, sorted (pairs() order changes from run to run).
  { "several unknown options, named in sorted order", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "x" { "u32", foo = 1, bar = 2, zed = 3, baz = 4, qux = 5 },
  },
}]], "schema/bad.lua:4: field \"x\": unknown options 'bar', 'baz', 'foo', 'qux' and 'zed'", "exact" },
  { "a table as a stray list item, named by its kind, not its address", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "x" { "u32", { } },
  },
}]], "schema/bad.lua:4: field \"x\": unexpected list item 2 (a table)", "exact" },
  { "missing doc", PROTO .. [[
const "X" { type = "u8", value = 3 }]], "schema/bad.lua:2: const X needs a doc string" },
  -- extensible: a whole message only (a nested one has no length to skip by).
  { "an extensible struct as a field", PROTO .. [[
struct "Grows" { extensible = true, doc = "g", field "a" { "u8" } }
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "inner" { "Grows" },
  },
}]], "schema/bad.lua:2: struct Grows is extensible, but field inner (schema/bad.lua:5) holds it: a nested struct has no length to skip by, so only a whole message can be extensible", "exact" },
  { "an extensible union as an array's element", PROTO .. [[
union "Grows" { extensible = true, doc = "g", variant "A" { tag = 0, doc = "a" } }
struct "S" { doc = "s",
  field "list" { "Grows", count = 2 },
}]], "schema/bad.lua:2: union Grows is extensible, but field list (schema/bad.lua:4) holds it: a nested union has no length to skip by, so only a whole message can be extensible", "exact" },
  { "an extensible struct as an opt field", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "later" { "Grows", opt = true },
  },
}
struct "Grows" { extensible = true, doc = "g", field "a" { "u8" } }]], "schema/bad.lua:7: struct Grows is extensible, but field later (schema/bad.lua:4) holds it", },
  { "extensible on a C-layout struct", PROTO .. [[
struct "S" { layout = "c", extensible = true, doc = "s", field "a" { "u32" } }]],
    "schema/bad.lua:2: struct S: extensible is for wire structs (a C-layout struct has a fixed size)", "exact" },
  { "extensible not true", PROTO .. [[
union "U" { extensible = 1, doc = "u", variant "A" { tag = 0, doc = "a" } }]],
    "schema/bad.lua:2: union U: extensible must be true (or left out)", "exact" },
  { "extensible on a variant", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, extensible = true, doc = "a" } }]],
    "schema/bad.lua:2: variant \"A\": unknown option 'extensible'", "exact" },
  { "declaration without a body", PROTO .. [[
const "X"
const "Y" { type = "u8", value = 3, doc = "y" }]], "schema/bad.lua:2: const \"X\" has no body { ... }" },
  { "field outside a variant", PROTO .. [[
field "x" { "u8" }]], "schema/bad.lua:2: field \"x\" must be inside a struct or variant" },
  { "unknown word", PROTO .. [[
message "M" { doc = "m" }]], "schema/bad.lua:2: unknown word 'message'" },
  { "Lua syntax error", PROTO .. [[
const "X" { type = "u8" value = 3 }]], "schema/bad.lua:2: '}' expected near 'value'" },
  { "duplicate enum value", PROTO .. [[
enum "E" { type = "u8", doc = "e",
  value "A" { 1 },
  value "B" { 1 },
}]], "schema/bad.lua:4: enum E: A and B are both 1" },
  { "rpc naming a missing variant", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "go" { request = "U.B", response = "U", doc = "r" }]], "schema/bad.lua:3: rpc go: union U has no variant B" },
  { "rpc response list mixing unions", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" }, variant "B" { tag = 1, doc = "b" } }
union "W" { doc = "w", variant "C" { tag = 0, doc = "c" } }
rpc "go" { request = "U.A", response = { "U.A", "W.C" }, doc = "r" }]],
    "schema/bad.lua:4: rpc go: response W.C is a variant of W, but U.A is of U; a response list names variants of one union", "exact" },
  { "rpc response list naming a variant twice", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" }, variant "B" { tag = 1, doc = "b" } }
rpc "go" { request = "U.A", response = { "U.B", "U.A", "U.B" }, doc = "r" }]],
    "schema/bad.lua:3: rpc go: response names U.B twice", "exact" },
  { "rpc response list naming a whole union", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" }, variant "B" { tag = 1, doc = "b" } }
rpc "go" { request = "U.A", response = { "U.A", "U" }, doc = "r" }]],
    "schema/bad.lua:3: rpc go: response 2 must be \"Union.Variant\", not 'U'", "exact" },
  { "empty rpc response list", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "go" { request = "U.A", response = { }, doc = "r" }]],
    "schema/bad.lua:3: rpc go: a response list names variants of one union in order, e.g. { \"U.A\", \"U.B\" }", "exact" },
  { "rpc response list naming a missing variant", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "go" { request = "U.A", response = { "U.A", "U.Z" }, doc = "r" }]], "schema/bad.lua:3: rpc go: union U has no variant Z", "exact" },
  { "syscall with seven arguments", PROTO .. [[
enum "bad_error" { type = "u32", doc = "e", value "NO_SYSCALL" { 1 } }
syscall "many" { number = 1, result = "isize", doc = "m",
  arg "a" { "u32" }, arg "b" { "u32" }, arg "c" { "u32" }, arg "d" { "u32" },
  arg "e" { "u32" }, arg "f" { "u32" }, arg "g" { "u32" },
}]], "schema/bad.lua:3: syscall many has 7 arguments; at most 6 fit a0..a5" },
  { "syscall number taken", PROTO .. [[
enum "bad_error" { type = "u32", doc = "e", value "NO_SYSCALL" { 1 } }
syscall "one" { number = 1, result = "isize", doc = "m" }
syscall "two" { number = 1, result = "isize", doc = "m" }]], "schema/bad.lua:4: syscall two: number 1 is taken by one" },
  { "str in a C-layout struct", PROTO .. [[
struct "S" { layout = "c", doc = "s",
  field "name" { "str", max = 8 },
}]], "schema/bad.lua:3: field name: str cannot be in a C-layout struct" },
  { "bpf map of a wire struct", PROTO .. [[
struct "S" { doc = "s", field "x" { "u32" } }
bpf_map "m" { type = "percpu_array", key = "u32", value = "S", max_entries = 1, doc = "m" }]],
    "schema/bad.lua:3: bpf_map m: value struct S must have layout = \"c\"" },
  { "bitmask narrower than its ids", PROTO .. [[
const "IDS" { type = "u32", value = 40, doc = "ids" }
struct "S" { layout = "c", doc = "s",
  field "mask" { "u32", bitmask = "IDS" },
}]], "schema/bad.lua:4: field mask: bitmask must be an integer from 1 to 32, not IDS" },
  { "field named with a C keyword", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "default" { "u8" },
  },
}]], "schema/bad.lua:4: field name 'default' is a C keyword" },
  { "field named like a C type the stubs use", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "uint8_t" { "u32" },
  },
}]], "schema/bad.lua:4: field name 'uint8_t' is a C type the generated code uses", "exact" },
  { "field named like a const (a C macro)", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "MAX_CAPS" { "u32" },
  },
}]], "^schema/bad%.lua:4: field name 'MAX_CAPS' is also the name of const MAX_CAPS %(schema/kernel%.lua:%d+%), which is a C macro in the generated code$", "pattern" },
  { "cap named like a struct (a C type)", PROTO .. [[
struct "Spot" { doc = "s", field "x" { "u8" } }
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    cap "Spot" { protocol = "any", doc = "c" },
  },
}]], "schema/bad.lua:5: cap name 'Spot' is also the name of struct Spot (schema/bad.lua:2), which is a C type in the generated code", "exact" },
  { "field named like the runtime's PROTO_ names", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "PROTO_OK" { "u32" },
  },
}]], "schema/bad.lua:4: field name 'PROTO_OK' is reserved for the generated C's own names", "exact" },
  { "cap colliding with a bytes field's length parameter", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "data" { "bytes", max = 4 },
    cap "data_len" { protocol = "any", doc = "c" },
  },
}]], "schema/bad.lua:5: U.A: cap data_len collides with the length parameter of bytes field data", "exact" },
  { "field colliding with a bytes field's length parameter", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "data" { "bytes", max = 4 },
    field "data_len" { "u16" },
  },
}]], "schema/bad.lua:4: U.A: field data_len collides with the length parameter of bytes field data" },
  { "struct containing itself", PROTO .. [[
struct "S" { doc = "s",
  field "next" { "S" },
}]], "schema/bad.lua:2: struct S contains itself" },
  { "fieldless variant without a doc", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0 },
}]], "schema/bad.lua:3: variant U.A needs a doc string" },
  { "field whose type is a const", PROTO .. [[
const "N" { type = "u8", value = 1, doc = "n" }
struct "S" { doc = "s",
  field "n" { "N" },
}]], "schema/bad.lua:4: 'N' is a const, not an enum, a struct or a union" },
  { "union field in a C-layout struct", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
struct "S" { layout = "c", doc = "s",
  field "u" { "U" },
}]], "schema/bad.lua:4: field u: union U cannot be in a C-layout struct" },
  { "union field whose union carries capabilities", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a", cap "c" { protocol = "any", doc = "c" } } }
struct "S" { doc = "s",
  field "u" { "U" },
}]], "schema/bad.lua:4: field u: union U carries capabilities, which a union field cannot" },
  { "union containing itself", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a", field "next" { "U" } },
}]], "schema/bad.lua:2: union U contains itself" },
  { "two rpcs of one name", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "go" { request = "U.A", response = "U", doc = "r" }
rpc "go" { request = "U.A", response = "U", doc = "r" }]], "schema/bad.lua:4: rpc go is already declared at schema/bad.lua:3" },
  { "rpc whose C function clashes with another rpc's", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "go" { request = "U.A", response = "U", doc = "r" }
rpc "go_send" { request = "U.A", response = "U", doc = "r" }]],
    "schema/bad.lua:4: rpc go_send: its C function bad_go_send clashes with rpc go's (schema/bad.lua:3)" },
  { "rpc named like the conformance vectors", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
rpc "vectors" { request = "U.A", response = "U", doc = "r" }]],
    "schema/bad.lua:3: rpc vectors: its C function bad_vectors clashes with the conformance vectors" },
  { "opt in a C-layout struct", PROTO .. [[
struct "S" { layout = "c", doc = "s",
  field "n" { "u32", opt = true },
}]], "schema/bad.lua:3: field n: opt cannot be in a C-layout struct" },
  { "opt holding a chan", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "ch" { "chan", protocol = "any", opt = true },
  },
}]], "schema/bad.lua:4: field ch: opt cannot hold a chan (its capabilities would depend on the flag)" },
  { "opt that is not true", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "n" { "u8", opt = "yes" },
  },
}]], "schema/bad.lua:4: field n: opt must be true (or left out)" },
  { "field colliding with an opt field's presence flag", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a",
    field "n" { "u8", opt = true },
    field "has_n" { "bool" },
  },
}]], "schema/bad.lua:4: U.A: field has_n collides with the presence flag of opt field n" },
  { "rpc replying with a C-layout struct", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
struct "S" { layout = "c", doc = "s", field "x" { "u32" } }
rpc "go" { request = "U.A", response = "S", doc = "r" }]], "schema/bad.lua:4: rpc go: response struct S has C layout, not a wire encoding" },
  { "rpc replying with an enum", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
enum "E" { type = "u8", doc = "e", value "X" { 0 } }
rpc "go" { request = "U.A", response = "E", doc = "r" }]], "schema/bad.lua:4: 'E' is an enum, not a struct or a union" },
  { "rpc replying with a struct over MAX_MSG_SIZE", PROTO .. [[
union "U" { doc = "u", variant "A" { tag = 0, doc = "a" } }
struct "S" { doc = "s", field "blob" { "bytes", max = 2000 } }
rpc "go" { request = "U.A", response = "S", doc = "r" }]],
    "schema/bad.lua:3: struct S (a whole message with S_encode) can be 2002 bytes, over MAX_MSG_SIZE (1024): field blob takes up to 2002", "exact" },
  -- Every wire struct is a whole message (S_encode), in an rpc or not.
  { "wire struct over MAX_MSG_SIZE in no rpc", PROTO .. [[
struct "S" { doc = "s",
  field "n" { "u16" },
  field "blob" { "bytes", max = 2000 },
}]], "schema/bad.lua:4: struct S (a whole message with S_encode) can be 2004 bytes, over MAX_MSG_SIZE (1024): field blob takes up to 2002", "exact" },
  { "wire struct with more capabilities than a message carries", PROTO .. [[
struct "S" { doc = "s",
  field "blob" { "bytes", max = 1990 },
  field "ch" { "chan", protocol = "any", count = 5 },
}]], "schema/bad.lua:2: struct S (a whole message with S_encode) can carry 5 capabilities, over MAX_CAPS (4)", "exact" },
  { "wire struct whose budget leaves its fixed part no room", PROTO .. [[
struct "S" { doc = "s", budget = 1000,
  field "fixed" { "u64", count = 10 },
  field "a" { "bytes", max = 1000 },
  field "b" { "bytes", max = 1000 },
}]], "schema/bad.lua:2: struct S (a whole message with S_encode) can be 1084 bytes, over MAX_MSG_SIZE (1024): its fixed part takes 84, leaving 940, less than its budget 1000", "exact" },
  { "field bound over its budget", PROTO .. [[
union "U" { doc = "u",
  variant "A" { tag = 0, doc = "a", budget = 8,
    field "name" { "str", max = 9 },
    field "note" { "str", max = 4 },
  },
}]], "schema/bad.lua:4: U.A: field name has max 9, over the budget 8 it shares" },
  { "budget that limits nothing", PROTO .. [[
struct "S" { doc = "s", budget = 8,
  field "a" { "str", max = 4 },
  field "b" { "bytes", max = 4 },
}]], "schema/bad.lua:2: struct S: budget 8 limits nothing (the fields it counts hold at most 8 together)" },
  { "budget that limits nothing, counting a union field", PROTO .. [[
union "O" { doc = "o", variant "At" { tag = 0, doc = "a", field "at" { "u64" } }, variant "Here" { tag = 1, doc = "h" } }
struct "S" { doc = "s", budget = 10,
  field "o" { "O" },
  field "b" { "bytes", max = 2 },
}]], "schema/bad.lua:3: struct S: budget 10 limits nothing (the fields it counts hold at most 10 together)", "exact" },
  { "budget on a C-layout struct", PROTO .. [[
struct "S" { layout = "c", doc = "s", budget = 8,
  field "a" { "u32" },
}]], "schema/bad.lua:2: struct S: budget is for wire structs" },
  { "budget whose fixed part leaves no room", PROTO .. [[
union "Big" { doc = "too big",
  variant "A" { tag = 0, doc = "a", budget = 1000,
    field "fixed" { "u64", count = 10 },
    field "a" { "bytes", max = 1000 },
    field "b" { "bytes", max = 1000 },
  },
}]], "schema/bad.lua:3: message Big.A can be 1085 bytes, over MAX_MSG_SIZE (1024): its fixed part takes 85, leaving 939, less than its budget 1000" },
  { "wire_break without a reason", PROTO .. [[
wire_break "U" { }]], "schema/bad.lua:2: wire_break \"U\" needs a reason, e.g. { reason = \"what old peers lose\" }" },
  { "refusal without a service", 'protocol "bad" { doc = "d", refusal = "never" }\n',
    "schema/bad.lua:1: protocol bad: refusal is only for a service (service = \"NAME\")", "exact" },
  { "refusal that is not a string", 'protocol "bad" { doc = "d", service = "bad", max_clients = 1, refusal = 5 }\n',
    "schema/bad.lua:1: service bad: refusal must be a string", "exact" },
}

-- A field type that does not exist, and the type it probably means.
for _, c in ipairs({ { "string", "'str'" }, { "text", "'str'" }, { "int", "'i32' or 'u32'" }, { "uint32", "'u32'" },
    { "u32_t", "'u32'" }, { "uint64_t", "'u64'" }, { "int8", "'i8'" }, { "U16", "'u16'" }, { "blob", "'bytes'" },
    { "binary", "'bytes'" }, { "float", "'f32'" }, { "double", "'f64'" }, { "boolean", "'bool'" } }) do
  BAD[#BAD + 1] = { "type '" .. c[1] .. "' suggests " .. c[2],
    PROTO .. 'union "U" { doc = "u",\n  variant "A" { tag = 0, doc = "a", field "x" { "' .. c[1] .. '" } },\n}',
    "schema/bad.lua:3: field x: '" .. c[1] .. "' is not a type; did you mean " .. c[2] .. "?", "exact" }
end

for _, case in ipairs(BAD) do
  test("bad schema: " .. case[1], function()
    local dir = sandbox("bad")
    write(dir .. "/schema/bad.lua", case[2])
    local out, code = generate(dir)
    if code ~= 1 then error("exit code " .. tostring(code) .. ", want 1; output:\n" .. out, 0) end
    local first = out:match("^[^\n]*")
    local matches
    if case[4] == "pattern" then matches = first:find(case[3])
    elseif case[4] == "exact" then matches = first == case[3]
    else matches = first:sub(1, #case[3]) == case[3] end
    if not matches then
      error(string.format("message\n      %s\n  want %s", first, case[3]), 0)
    end
    local _, left = run("test -e " .. sh_quote(dir .. "/generated"))
    if left == 0 then error("wrote generated/ despite the error", 0) end
  end)
end

test("two runs give identical bytes, and check-generated's folder equals generated/", function()
  local dir = sandbox("determinism")
  local lock = sh_quote(top .. "/generated/wire.lock")
  must(string.format("cd %s && lua5.4 %s/gen/cli.lua --out one --lock %s schema/*.lua && lua5.4 %s/gen/cli.lua --out two --lock %s schema/*.lua",
    sh_quote(dir), sh_quote(top), lock, sh_quote(top), lock))
  must(string.format("diff -r %s/one %s/two", sh_quote(dir), sh_quote(dir)))
  must(string.format("diff -r %s/one %s/generated", sh_quote(dir), sh_quote(top)))
  -- The lock read back from its own folder gives the same bytes again.
  local first = read(dir .. "/one/wire.lock")
  must(string.format("cd %s && lua5.4 %s/gen/cli.lua --out one schema/*.lua", sh_quote(dir), sh_quote(top)))
  if read(dir .. "/one/wire.lock") ~= first then error("a second run changed wire.lock", 0) end
end)

-- The wire lock (gen/wire_lock.lua): a sandbox is generated once, which
-- writes generated/wire.lock; then a schema is edited and generated again.
-- A break must be refused at the declaration's file:line, writing nothing.

-- Replaces the first plain occurrence of from in schema/file; returns the new text.
local function replace(dir, file, from, to)
  local path = dir .. "/schema/" .. file
  local text = read(path)
  local i, j = text:find(from, 1, true)
  if not i then error("no '" .. from .. "' in schema/" .. file, 0) end
  text = text:sub(1, i - 1) .. to .. text:sub(j + 1)
  write(path, text)
  return text
end

local function append(dir, file, text) write(dir .. "/schema/" .. file, read(dir .. "/schema/" .. file) .. text) end

local function line_of(text, needle)
  local i = text:find(needle, 1, true)
  if not i then error("no '" .. needle .. "' in the edited schema", 0) end
  local _, lines = text:sub(1, i):gsub("\n", "")
  return lines + 1
end

local function accepted(dir)
  local out, code = generate(dir)
  if code ~= 0 then error("the generator refused:\n" .. out, 0) end
  return read(dir .. "/generated/wire.lock")
end

local function lock_holds(lock, want)
  if not lock:find(want, 1, true) then error("the lock has no '" .. want .. "':\n" .. lock, 0) end
end

local function locked_sandbox(name)
  local dir = sandbox("lock_" .. name)
  accepted(dir)
  return dir
end

-- Generates the edited schemas; the first line must be schema/FILE:LINE: MESSAGE
-- (LINE: the line of needle) and generated/ must be as it was.
local function refused(dir, file, needle, message)
  must(string.format("cd %s && rm -rf before && cp -r generated before", sh_quote(dir)))
  local out, code = generate(dir)
  if code ~= 1 then error("exit code " .. tostring(code) .. ", want 1; output:\n" .. out, 0) end
  local want = string.format("schema/%s:%d: %s (breaks old peers; declare wire_break ", file,
    line_of(read(dir .. "/schema/" .. file), needle), message)
  local first = out:match("^[^\n]*")
  if first:sub(1, #want) ~= want then error(string.format("message\n      %s\n  want %s...", first, want), 0) end
  must(string.format("cd %s && diff -r before generated", sh_quote(dir)))
end

local ERROR_VARIANT = [[
  variant "Error" {
    tag = 1,
    doc = "Not connected.",
    field "message" { "str", max = "BOOT_ERROR_MAX", doc = "Why: \"not found\", \"busy\"." },
  },
]]
local MESSAGE_FIELD = [[
    field "message" { "str", max = "BOOT_ERROR_MAX", doc = "Why: \"not found\", \"busy\"." },
]]

-- One edit each, refused: { what, file, from, to, line of (needle), message }.
local LOCK_BREAKS = {
  { "a renumbered tag", "timer.lua", 'tag = 0,\n    doc = "Arm', 'tag = 1,\n    doc = "Arm', 'variant "After"',
    "TimerRequest.After: tag was 0, now 1" },
  { "a tag naming another variant", "boot.lua", 'variant "Error" {', 'variant "Busy" {', 'variant "Busy"',
    "BootResponse: tag 1 was Error, now Busy" },
  { "a removed field", "boot.lua", MESSAGE_FIELD, "", 'variant "Error"',
    "BootResponse.Error: field message (str max=64) was removed" },
  { "a field added to a variant", "boot.lua", MESSAGE_FIELD, MESSAGE_FIELD .. '    field "code" { "u8", doc = "c" },\n',
    'field "code"', "BootResponse.Error: field code (u8) was added; old peers reject the longer message" },
  { "a retyped field", "timer.lua", 'field "duration_us" { "u64"', 'field "duration_us" { "u32"', 'field "duration_us"',
    "TimerRequest.After: field duration_us was u64, now u32" },
  { "a field made opt", "timer.lua", 'field "duration_us" { "u64"', 'field "duration_us" { "u64", opt = true', 'field "duration_us"',
    "TimerRequest.After: field duration_us was u64, now opt u64" },
  { "a shrunk string bound", "boot.lua", 'type = "u16", value = 64,', 'type = "u16", value = 32,', 'field "message"',
    "BootResponse.Error: field message was str max=64, now str max=32" },
  { "a removed enum value", "kernel.lua", '  value "QUOTA" { 11,', '  --', 'enum "kernel_error"',
    "enum kernel_error: value QUOTA (11) was removed" },
  { "a renumbered enum value", "sync_timer.lua", 'value "LEGACY" { 2,', 'value "LEGACY" { 3,', 'value "LEGACY"',
    "enum sync_timer_mode: value LEGACY was 2, now 3" },
  { "an enum's changed type", "sync_timer.lua", 'enum "sync_timer_mode" {\n  type = "u32",',
    'enum "sync_timer_mode" {\n  type = "u8",', 'enum "sync_timer_mode"', "enum sync_timer_mode: type was u32, now u8" },
}

for i, case in ipairs(LOCK_BREAKS) do
  test("wire lock: " .. case[1] .. " is refused", function()
    local dir = locked_sandbox("break" .. i)
    replace(dir, case[2], case[3], case[4])
    refused(dir, case[2], case[5], case[6])
  end)
end

test("wire lock: the refusal says how to allow the break", function()
  local dir = locked_sandbox("hint")
  replace(dir, "timer.lua", 'field "duration_us" { "u64"', 'field "duration_us" { "u32"')
  local out = generate(dir)
  if not out:find('(breaks old peers; declare wire_break "TimerRequest" { reason = ... } to allow it)', 1, true) then
    error("the message does not say how to allow the break:\n" .. out, 0)
  end
end)

test("wire lock: a removed variant is refused; under wire_break its tag is retired and never reused", function()
  local dir = locked_sandbox("removed_variant")
  replace(dir, "boot.lua", ERROR_VARIANT, "")
  refused(dir, "boot.lua", 'union "BootResponse"', "BootResponse: variant Error (tag 1) was removed")
  append(dir, "boot.lua", '\nwire_break "BootResponse" { reason = "Error is gone: a refused connect closes the channel." }\n')
  lock_holds(accepted(dir), "  retired 1 Error\n    field message str max=64\n  break Error is gone: a refused connect closes the channel.\n")
  replace(dir, "boot.lua", 'union "BootResponse" {\n', 'union "BootResponse" {\n  variant "Busy" { tag = 1, doc = "Busy." },\n')
  refused(dir, "boot.lua", 'variant "Busy"', "BootResponse: tag 1 was retired from Error, now Busy")
end)

test("wire lock: a budget is recorded; adding or shrinking one is refused, growing one extends", function()
  local dir = locked_sandbox("budget")
  local note = '  variant "Note" { tag = 1, doc = "n", budget = 6,\n    field "a" { "str", max = 4 },\n    field "b" { "str", max = 4 },\n  },\n'
  replace(dir, "timer.lua", 'union "TimerRequest" {\n', 'union "TimerRequest" {\n' .. note)
  lock_holds(accepted(dir), "  tag 1 Note\n    field a str max=4\n    field b str max=4\n    budget 6\n")
  replace(dir, "timer.lua", "budget = 6,", "budget = 5,")
  refused(dir, "timer.lua", 'variant "Note"', "TimerRequest.Note: budget was 6, now 5")
  replace(dir, "timer.lua", "budget = 5,", "budget = 7,")
  lock_holds(accepted(dir), "    budget 7\n")
end)

test("wire lock: reordered fields are refused", function()
  local dir = locked_sandbox("reordered")
  local every = '  variant "Every" { tag = 1, doc = "Repeat.",\n    field "period_us" { "u64" },\n    field "count" { "u32" },\n  },\n'
  replace(dir, "timer.lua", 'union "TimerRequest" {\n', 'union "TimerRequest" {\n' .. every)
  accepted(dir)
  replace(dir, "timer.lua", every, '  variant "Every" { tag = 1, doc = "Repeat.",\n    field "count" { "u32" },\n    field "period_us" { "u64" },\n  },\n')
  refused(dir, "timer.lua", 'field "period_us"', "TimerRequest.Every: field period_us was field 1, now field 2")
end)

-- An extensible message may grow by opt fields appended to its fields (a
-- variant's, or the struct's): the lock takes them as additions and still
-- refuses every other change; taking extensible away is a break, making a
-- message extensible an addition (but not a field appended in the same
-- edit: old peers' decoders are strict).
local GROWING = [[

union "TimerEvent" {
  extensible = true,
  doc = "e",
  variant "Fired" { tag = 0, doc = "f",
    field "at_us" { "u64" },
    field "late_us" { "u32", opt = true },
  },
}

struct "TimerStatus" {
  extensible = true,
  doc = "s",
  field "armed" { "bool" },
}
]]
local LATE = 'field "late_us" { "u32", opt = true },\n'
local ARMED = 'field "armed" { "bool" },\n'

local function growing_sandbox(name)
  local dir = locked_sandbox(name)
  append(dir, "timer.lua", GROWING)
  lock_holds(accepted(dir), "union TimerEvent extensible\n  tag 0 Fired\n    field at_us u64\n    field late_us opt u32\n")
  return dir
end

test("wire lock: opt fields appended to an extensible message extend the lock", function()
  local dir = growing_sandbox("grows")
  lock_holds(read(dir .. "/generated/wire.lock"), "struct TimerStatus extensible\n  field armed bool\n")
  replace(dir, "timer.lua", LATE, LATE .. '    field "cause" { "u8", opt = true },\n')
  replace(dir, "timer.lua", ARMED, ARMED .. '  field "left_us" { "u64", opt = true },\n')
  local lock = accepted(dir)
  lock_holds(lock, "    field late_us opt u32\n    field cause opt u8\n")
  lock_holds(lock, "  field armed bool\n  field left_us opt u64\n")
  -- Grown again, on top of the grown lock.
  local left = '  field "left_us" { "u64", opt = true },\n'
  replace(dir, "timer.lua", left, left .. '  field "spare" { "str", max = 4, opt = true },\n')
  lock_holds(accepted(dir), "  field armed bool\n  field left_us opt u64\n  field spare opt str max=4\n")
end)

-- One edit each to the grown sandbox, refused: { what, from, to, line of (needle), message }.
local EXTENSIBLE_BREAKS = {
  { "a non-opt field appended to an extensible variant", LATE, LATE .. '    field "count" { "u32" },\n', 'field "count"',
    "TimerEvent.Fired: field count (u32) was appended to an extensible message; only an opt field may be (an older peer's message ends before it)" },
  { "a non-opt field appended to an extensible struct", ARMED, ARMED .. '  field "left_us" { "u64" },\n', 'field "left_us"',
    "struct TimerStatus: field left_us (u64) was appended to an extensible message; only an opt field may be (an older peer's message ends before it)" },
  { "an opt field inserted before another", LATE, 'field "early" { "u8", opt = true },\n    ' .. LATE, 'field "late_us"',
    "TimerEvent.Fired: field late_us was field 2, now field 3" },
  { "a retyped field of an extensible message", LATE, 'field "late_us" { "u16", opt = true },\n', 'field "late_us"',
    "TimerEvent.Fired: field late_us was opt u32, now opt u16" },
  { "a field removed from an extensible message", '    ' .. LATE, "", 'variant "Fired"',
    "TimerEvent.Fired: field late_us (opt u32) was removed" },
  { "extensible taken from a union", 'union "TimerEvent" {\n  extensible = true,\n', 'union "TimerEvent" {\n', 'union "TimerEvent"',
    "union TimerEvent was extensible, now is not (its decoders would refuse a message with fields appended)" },
  { "extensible taken from a struct", 'struct "TimerStatus" {\n  extensible = true,\n', 'struct "TimerStatus" {\n',
    'struct "TimerStatus"', "struct TimerStatus was extensible, now is not (its decoders would refuse a message with fields appended)" },
  { "a message made extensible with a field appended in the same edit", 'union "TimerRequest" {\n',
    'union "TimerRequest" {\n  extensible = true,\n', 'variant "After"', nil },
}

for i, case in ipairs(EXTENSIBLE_BREAKS) do
  test("wire lock: " .. case[1] .. " is refused", function()
    local dir = growing_sandbox("grow_break" .. i)
    replace(dir, "timer.lua", case[2], case[3])
    if case[5] then return refused(dir, "timer.lua", case[4], case[5]) end
    -- Made extensible with a field appended too: old peers' strict decoders
    -- refuse the longer message. Made extensible alone: an addition.
    local field = 'field "duration_us" { "u64", doc = "Microseconds from the moment the service handles the request." },\n'
    replace(dir, "timer.lua", field, field .. '    field "repeat" { "bool", opt = true },\n')
    refused(dir, "timer.lua", 'field "repeat"',
      "TimerRequest.After: field repeat (opt bool) was added; old peers reject the longer message")
    replace(dir, "timer.lua", '    field "repeat" { "bool", opt = true },\n', "")
    lock_holds(accepted(dir), "union TimerRequest extensible\n  tag 0 After\n")
  end)
end

test("wire lock: a removed union is refused at its protocol", function()
  local dir = locked_sandbox("union_removed")
  append(dir, "timer.lua", '\nunion "TimerNote" { doc = "n", variant "Hello" { tag = 0, doc = "h" } }\n')
  accepted(dir)
  replace(dir, "timer.lua", '\nunion "TimerNote" { doc = "n", variant "Hello" { tag = 0, doc = "h" } }\n', "")
  refused(dir, "timer.lua", 'protocol "timer"', "union TimerNote was removed")
end)

test("wire lock: additions are accepted and extend the lock", function()
  local dir = locked_sandbox("additions")
  local before = read(dir .. "/generated/wire.lock")
  replace(dir, "timer.lua", 'union "TimerRequest" {\n', 'union "TimerRequest" {\n  variant "Cancel" { tag = 5, doc = "Drop the timer." },\n')
  append(dir, "timer.lua", '\nconst "TIMER_EDIT_LIMIT" { type = "u32", value = 7, doc = "A new constant." }\n')
  replace(dir, "boot.lua", "type = \"u16\", value = 64,", "type = \"u16\", value = 128,")
  replace(dir, "kernel.lua", '  value "NOT_FOUND" {', '  value "LATE" { 13, doc = "A new value." },\n  value "NOT_FOUND" {')
  write(dir .. "/schema/names.lua", 'protocol "names" { doc = "A new protocol." }\n' ..
    'union "NamesRequest" { doc = "r", variant "Hello" { tag = 0, doc = "h", field "who" { "str", max = 8 } } }\n')
  local lock = accepted(dir)
  for _, want in ipairs({ "  tag 5 Cancel\n", "    field message str max=128\n", "  value LATE 13\n",
      "protocol names\nunion NamesRequest\n  tag 0 Hello\n    field who str max=8\n", "  tag 0 After\n    field duration_us u64\n" }) do
    lock_holds(lock, want)
  end
  if lock == before then error("the lock did not change", 0) end
end)

test("wire lock: wire_break allows one break, records its reason in the lock and on the page", function()
  local dir = locked_sandbox("wire_break")
  replace(dir, "timer.lua", 'field "duration_us" { "u64"', 'field "duration_us" { "u32"')
  append(dir, "timer.lua", '\nwire_break "TimerRequest" { reason = [[duration_us is 32 bits;\n  longer waits re-arm.]] }\n')
  local lock = accepted(dir)
  lock_holds(lock, "  tag 0 After\n    field duration_us u32\n  break duration_us is 32 bits; longer waits re-arm.\n")
  local page = read(dir .. "/generated/docs/timer.md")
  if not page:find("## Wire breaks", 1, true) or not page:find("- `TimerRequest`: duration_us is 32 bits; longer waits re-arm.", 1, true) then
    error("docs/timer.md does not show the break:\n" .. page, 0)
  end
  if accepted(dir) ~= lock then error("a second run changed the lock", 0) end
  -- The recorded reason is history: a further break needs a new wire_break.
  replace(dir, "timer.lua", 'field "duration_us" { "u32"', 'field "duration_us" { "u16"')
  refused(dir, "timer.lua", 'field "duration_us"', "TimerRequest.After: field duration_us was u32, now u16")
end)

-- A lock extended by an uncommitted change the schemas have since reverted:
-- the refusal names the change and `git checkout`, not wire_break; without
-- git, or with the lock never committed, it is the plain refusal.
test("wire lock: a reverted, uncommitted addition says to git checkout the lock", function()
  local dir = locked_sandbox("reverted")
  local git = "git -c user.name=test -c user.email=test@example.invalid"
  must(string.format("cd %s && git init -q . && %s add generated/wire.lock && %s commit -q -m lock", sh_quote(dir), git, git))
  local cancel = '  variant "Cancel" { tag = 5, doc = "Drop the timer." },\n'
  replace(dir, "timer.lua", 'union "TimerRequest" {\n', 'union "TimerRequest" {\n' .. cancel)
  accepted(dir)
  replace(dir, "timer.lua", cancel, "")
  local want = string.format("schema/timer.lua:%d: TimerRequest: variant Cancel (tag 5) was removed (only in an uncommitted " ..
    "change to generated/wire.lock, which the schemas have since reverted: undo it with `git checkout generated/wire.lock`)",
    line_of(read(dir .. "/schema/timer.lua"), 'union "TimerRequest"'))
  local out, code = generate(dir)
  if code ~= 1 or out:match("^[^\n]*") ~= want then error("got\n" .. out .. "\nwant " .. want, 0) end
  -- No git: the plain refusal.
  must(string.format("mkdir -p %s/nogit && printf '#!/bin/sh\\nexit 127\\n' > %s/nogit/git && chmod +x %s/nogit/git",
    sh_quote(dir), sh_quote(dir), sh_quote(dir)))
  out, code = run(string.format("cd %s && PATH=%s/nogit:$PATH lua5.4 %s/gen/cli.lua --out generated schema/*.lua",
    sh_quote(dir), sh_quote(dir), sh_quote(top)))
  if code ~= 1 or not out:find('was removed (breaks old peers; declare wire_break "TimerRequest"', 1, true) then
    error("without git, not the plain refusal:\n" .. out, 0)
  end
  -- A real break against the committed lock too: the plain refusal.
  replace(dir, "timer.lua", 'field "duration_us" { "u64"', 'field "duration_us" { "u32"')
  out = generate(dir)
  if not out:find("(breaks old peers; declare wire_break", 1, true) or out:find("git checkout", 1, true) then
    error("a break of the committed lock got the git checkout hint:\n" .. out, 0)
  end
  replace(dir, "timer.lua", 'field "duration_us" { "u32"', 'field "duration_us" { "u64"')
  -- Undone as the message says: accepted.
  must(string.format("cd %s && git checkout -q generated/wire.lock", sh_quote(dir)))
  accepted(dir)
  -- The lock never committed: the plain refusal.
  must(string.format("cd %s && rm -rf .git", sh_quote(dir)))
  replace(dir, "timer.lua", 'union "TimerRequest" {\n', 'union "TimerRequest" {\n' .. cancel)
  accepted(dir)
  must(string.format("cd %s && git init -q .", sh_quote(dir)))
  replace(dir, "timer.lua", cancel, "")
  out = generate(dir)
  if not out:find("(breaks old peers; declare wire_break", 1, true) then error("an untracked lock got no plain refusal:\n" .. out, 0) end
end)

test("wire lock: a wire_break naming nothing on the wire is refused", function()
  local dir = locked_sandbox("wire_break_unknown")
  append(dir, "timer.lua", '\nwire_break "NoSuchUnion" { reason = "r" }\n')
  local text = read(dir .. "/schema/timer.lua")
  local out, code = generate(dir)
  local want = string.format('schema/timer.lua:%d: wire_break "NoSuchUnion": no union, wire struct or enum of that name',
    line_of(text, 'wire_break "NoSuchUnion"'))
  if code ~= 1 or out:match("^[^\n]*") ~= want then error("got\n" .. out .. "\nwant " .. want, 0) end
end)

test("every generated file starts with its banner", function()
  for path in io.popen("ls " .. sh_quote(top) .. "/generated/*.[ch] " .. sh_quote(top) .. "/generated/docs/*.md " ..
      sh_quote(top) .. "/generated/wire.lock"):lines() do
    local head = read(path):sub(1, 200)
    if not head:find("Generated by gen/", 1, true) or not head:find("Do not edit", 1, true) then
      error(path .. " has no banner", 0)
    end
  end
end)

test("a file no schema produces any more is removed, other files are kept", function()
  local dir = sandbox("stale")
  must(string.format("cd %s && lua5.4 %s/gen/cli.lua --out out schema/*.lua", sh_quote(dir), sh_quote(top)))
  must(string.format("cd %s && rm schema/boot.lua && echo 'hand notes' > out/NOTES && lua5.4 %s/gen/cli.lua --out out schema/*.lua",
    sh_quote(dir), sh_quote(top)))
  local _, boot = run("test -e " .. sh_quote(dir .. "/out/boot.h"))
  if boot == 0 then error("out/boot.h was left behind", 0) end
  local _, notes = run("test -e " .. sh_quote(dir .. "/out/NOTES"))
  if notes ~= 0 then error("a file the generator did not write was removed", 0) end
end)

-- The edited copy: a new variant and a new constant, regenerated and compiled,
-- and a program that dispatches the new variant.
local EDIT_PROGRAM = [[
#include <stdio.h>
#include "timer_dispatch.h"
#include "timer_client.h"
static int seen_after, seen_cancel;
static int on_after(void *ctx, const TimerRequest_After *m) { (void)ctx; seen_after = (int)m->duration_us; return 1; }
static int on_cancel(void *ctx) { (void)ctx; seen_cancel++; return 2; }
static const TimerRequest_handlers h = { .After = on_after, .Cancel = on_cancel };
_Static_assert(TIMER_EDIT_LIMIT == 7u, "new constant");
int main(void)
{
    TimerRequest m = TimerRequest_init_zero;
    uint8_t buf[TimerRequest_MAX_SIZE];
    size_t len;
    int result = 0;
    m.tag = TimerRequest_Cancel_tag;
    if (TimerRequest_encode(&m, buf, sizeof buf, &len) != PROTO_OK || len != 1 || buf[0] != 5) return 1;
    if (TimerRequest_dispatch(&h, NULL, buf, len, &result) != PROTO_OK || result != 2 || seen_cancel != 1) return 2;
    const uint8_t after[] = { 0, 42, 0, 0, 0, 0, 0, 0, 0 };
    if (TimerRequest_dispatch(&h, NULL, after, sizeof after, &result) != PROTO_OK || result != 1 || seen_after != 42) return 3;
    puts("edited schema works");
    return 0;
}
]]

-- A reference page (generated/docs/P.md, from gen/docs.lua) against the
-- schemas it was made from and the generated C beside it (dir): every
-- variant has examples whose hex is a valid conformance vector and decodes
-- (gen/wire_ref.lua) to the text shown (gen/wire_text.lua); its C types
-- and stubs are lines of P.h and P_client.h; each rpc lists every reply it
-- can get; the errors table is the runtime's list; a service says who
-- connects it (boot) and what a refusal is. Raises on the first miss.
local function check_reference_page(page, model, pname, dir)
  package.path = top .. "/gen/?.lua;" .. package.path
  local ref, text = require("wire_ref"), require("wire_text")
  local conformance, runtime, loader = require("conformance"), require("c_runtime"), require("loader")
  local file
  for _, f in ipairs(model.files) do if f.protocol.name == pname then file = f end end
  assert(file, "no protocol " .. pname)
  local function need(s, what)
    if not page:find(s, 1, true) then error(pname .. ".md: " .. what .. " missing (" .. s .. ")", 0) end
  end
  -- Examples.
  local shown = {}
  for row in page:gmatch("\n(| [^\n]- | `[%x ]+` | `[^\n]*) |\n") do
    local hex, t, caps = row:match("^| [^\n]- | `([%x ]+)` | `(.*)`(.*)$")
    t = t:gsub("\\|", "|")
    local uname = assert(t:match("^([%w_]+)::") or t:match("^([%w_]+) {"), "example text without a message: " .. t)
    local u = model.by_name[uname]
    local bytes = hex:gsub("(%x%x) ?", function(h) return string.char(tonumber(h, 16)) end)
    local ncaps = tonumber(caps:match("with (%d+) capabilit") or "0")
    local m, err = ref.decode(u, bytes, ncaps)
    if not m then error(string.format("%s.md: example %s does not decode: %s", pname, hex, err), 0) end
    if text.format(u, m) ~= t then error(string.format("%s.md: %s shows %s, decodes to %s", pname, hex, t, text.format(u, m)), 0) end
    local tested = false
    for _, vec in ipairs(conformance.message_vectors(u)) do
      if vec.expect == "OK" and vec.input == bytes and vec.ncaps == ncaps then tested = true end
    end
    if not tested then error(pname .. ".md: example " .. hex .. " is no conformance vector", 0) end
    shown[u.kind == "union" and uname .. "::" .. ref.variant_of(u, m.tag).name or uname] = true
  end
  for _, d in ipairs(loader.messages(file)) do
    for _, v in ipairs(d.variants or { d }) do
      local name = v == d and d.name or d.name .. "::" .. v.name
      if not shown[name] then error(pname .. ".md: no example of " .. name, 0) end
    end
  end
  -- The usage example calls stubs P_client.h declares.
  local usage = page:match("\n## Usage\n(.*)$") or ""
  if #loader.of_kind(file, "rpc") > 0 then
    local declared = read(dir .. "/generated/" .. pname .. "_client.h")
    local calls = 0
    for stub in usage:gmatch("int rc = ([%w_]+)%(") do
      calls = calls + 1
      if not declared:find(" " .. stub .. "(", 1, true) then error(pname .. ".md: the usage example calls " .. stub .. ", which " .. pname .. "_client.h does not declare", 0) end
    end
    if calls == 0 then error(pname .. ".md: the usage example calls no stub", 0) end
  end
  -- C types and stubs: each line of their code blocks is a line of the header.
  local function lines_of(path)
    local set = {}
    for l in read(path):gmatch("([^\n]*)\n") do set[l] = true end
    return set
  end
  local function block_after(heading)
    local at = page:find(heading, 1, true)
    if not at then error(pname .. ".md: " .. heading .. " missing", 0) end
    return assert(page:match("```c\n(.-)```", at), pname .. ".md: no code block after " .. heading)
  end
  if #loader.of_kind(file, "union") > 0 then
    local h = lines_of(dir .. "/generated/" .. pname .. ".h")
    local block = block_after("## C types")
    for l in block:gmatch("([^\n]*)\n") do
      if l ~= "" and not h[l] then error(pname .. ".md: C types line not in " .. pname .. ".h: " .. l, 0) end
    end
    for _, u in ipairs(loader.of_kind(file, "union")) do
      if not block:find("} " .. u.name .. ";", 1, true) then error(pname .. ".md: C types lack " .. u.name, 0) end
      for _, v in ipairs(u.variants) do
        if not block:find(u.name .. "_" .. v.name .. "_tag = " .. v.tag, 1, true) then error(pname .. ".md: C types lack " .. v.name .. "'s tag", 0) end
      end
    end
    -- Errors: the runtime's list, in its order.
    need("## Errors", "the errors section")
    local tested = {}
    for _, u in ipairs(loader.of_kind(file, "union")) do
      for _, vec in ipairs(conformance.message_vectors(u)) do tested[vec.expect] = (tested[vec.expect] or 0) + 1 end
    end
    for i, err in ipairs(runtime.ERRORS) do
      local n = tested[err[1]:gsub("^PROTO_ERR_", "")]
      need(string.format("| %d | `%s` | %s |", i - 1, err[1], err[1] ~= "PROTO_OK" and n and tostring(n) or ""), "error " .. err[1])
    end
  end
  local rpcs = loader.of_kind(file, "rpc")
  if #rpcs > 0 then
    local c = lines_of(dir .. "/generated/" .. pname .. "_client.h")
    local block = block_after("The stubs, as")
    for l in block:gmatch("([^\n]*)\n") do
      if l ~= "" and not c[l] then error(pname .. ".md: stub not in " .. pname .. "_client.h: " .. l, 0) end
    end
    for _, r in ipairs(rpcs) do
      need(pname .. "_" .. r.name .. "(proto_transport", "the stub of " .. r.name)
      local replies = r.response and { r.response } or r.responses or r.response_type.variants
      for _, v in ipairs(replies or {}) do need(string.format("| `%s` | `%s::%s` |", r.name, r.response_type.name, v.name), "a reply of " .. r.name) end
      if not replies then need(string.format("| `%s` | `%s` |", r.name, r.response_type.name), "the struct reply of " .. r.name) end
    end
  end
  if file.service then
    if not file.service.attach then need("Depends on: [`boot`](boot.md) to connect", "the link to boot") end
    if file.service.refusal then need("On refusal: " .. file.service.refusal:gsub("%s+", " "), "the refusal") end
  end
end

local function edited_copy(name)
  local dir = sandbox(name)
  local path = dir .. "/schema/timer.lua"
  local text = read(path)
  local n
  text, n = text:gsub('union "TimerRequest" {\n', 'union "TimerRequest" {\n  variant "Cancel" { tag = 5, doc = "Drop the pending timer." },\n', 1)
  if n ~= 1 then error("could not find union TimerRequest in schema/timer.lua", 0) end
  text = text .. '\nconst "TIMER_EDIT_LIMIT" { type = "u32", value = 7, doc = "Added by the generator test." }\n'
  write(path, text)
  local out, code = generate(dir)
  if code ~= 0 then error("generator failed on the edited copy:\n" .. out, 0) end
  return dir
end

test("an edited copy of a schema regenerates, compiles and dispatches the new variant", function()
  local dir = edited_copy("edited")
  write(dir .. "/main.c", EDIT_PROGRAM)
  must(string.format("cd %s && %s -Igenerated main.c %s/proto.c generated/timer.c generated/timer_dispatch.c generated/timer_client.c -o edited && ./edited",
    sh_quote(dir), CC, sh_quote(RT)))
  for c in io.popen("ls " .. sh_quote(dir) .. "/generated/*.c"):lines() do
    if not c:find("kernel_syscalls", 1, true) then
      must(string.format("%s -Wpedantic -I%s/generated -I%s/kernel/services -c %s -o /dev/null", CC, sh_quote(dir),
        sh_quote(top), sh_quote(c)))
    end
  end
  local doc = read(dir .. "/generated/docs/timer.md")
  if not doc:find("| 5 | `Cancel` |", 1, true) then error("docs/timer.md does not list the new variant", 0) end
  if not doc:find("| Cancel: zero | `05` | `TimerRequest::Cancel {}` |", 1, true) then
    error("docs/timer.md does not show the new variant's example", 0)
  end
  local model = require("loader").load({ dir .. "/schema/boot.lua", dir .. "/schema/timer.lua", dir .. "/schema/kernel.lua" })
  check_reference_page(doc, model, "timer", dir)
end)

test("reference pages: examples decode to their text, C types and stubs as generated, replies, errors, refusal, boot link", function()
  local model = require("loader").load({ top .. "/schema/boot.lua", top .. "/schema/timer.lua", top .. "/schema/kernel.lua",
    top .. "/schema/sync_timer.lua" })
  for _, p in ipairs({ "boot", "timer", "sync_timer", "kernel" }) do
    check_reference_page(read(top .. "/generated/docs/" .. p .. ".md"), model, p, top)
  end
  -- The probe schema's page: wire structs as messages, extensible ones.
  local dir = sandbox("probe_page")
  must(string.format("cd %s && cp %s/tests/codec/schema/probe.lua schema/ && lua5.4 %s/gen/cli.lua --out generated " ..
    "schema/probe.lua schema/kernel.lua", sh_quote(dir), sh_quote(top), sh_quote(top)))
  local probe_page = read(dir .. "/generated/docs/probe.md")
  check_reference_page(probe_page, require("loader").load({ dir .. "/schema/probe.lua", dir .. "/schema/kernel.lua" }), "probe", dir)
  for _, want in ipairs({ "### `ProbeEvent` (at most 23 bytes; extensible)", "### `ProbeStatus` (wire, a message too: at most 10 bytes; extensible)",
    "Extensible: it may grow by `opt` fields appended to a variant's fields", "| zero | `00 00` | `ProbeStatus { code: 0, detail: none }` |",
    "int rc = probe_report_msg(&transport, &(ProbeEvent_Reading){ .sensor = 1" }) do
    if not probe_page:find(want, 1, true) then error("probe.md lacks " .. want, 0) end
  end
  -- A page missing a section, an example or a reply fails the check.
  local page = read(top .. "/generated/docs/timer.md")
  for _, cut in ipairs({ "## Errors", "## C types", "On refusal:", "Depends on:", "| `after` | `TimerResponse::Expired` |",
    "| Expired: zero |" }) do
    local i = assert(page:find(cut, 1, true), "timer.md lacks " .. cut)
    local broken = page:sub(1, i - 1) .. "XX" .. page:sub(i + 2)
    if pcall(check_reference_page, broken, model, "timer", top) then error("the check passes timer.md without " .. cut, 0) end
  end
end)

-- `--skeleton` prints a service file that compiles as it is (with the
-- warnings service files get), defines every handler the manifest lists,
-- and says "not implemented"; a schema without a service is refused.
test("--skeleton prints a compilable service file with every handler; --manifest lists them", function()
  local dir = sandbox("skeleton")
  must(string.format("cd %s && lua5.4 %s/gen/cli.lua --out generated schema/*.lua", sh_quote(dir), sh_quote(top)))
  local m = assert(load(must("cd " .. sh_quote(dir) .. " && lua5.4 " .. sh_quote(top) .. "/gen/cli.lua --manifest schema/*.lua"),
    "manifest", "t", {}))()
  if #m.services < 2 then error("the manifest lists " .. #m.services .. " services", 0) end
  for _, svc in ipairs(m.services) do
    local file = dir .. "/" .. svc.name .. ".c"
    local text = must(string.format("cd %s && lua5.4 %s/gen/cli.lua --skeleton schema/%s.lua", sh_quote(dir), sh_quote(top),
      svc.protocol))
    write(file, text)
    must(string.format("cd %s && %s -Wmissing-prototypes -Wmissing-declarations -Igenerated -I%s/kernel/services -c %s -o %s.o",
      sh_quote(dir), CC, sh_quote(top), sh_quote(file), sh_quote(file)))
    local args = {}
    for _, h in ipairs(svc.handlers) do
      args[#args + 1] = h.symbol .. "=" .. h.where
      if not text:find(svc.name .. "_service_not_implemented(c, \"" .. h.variant .. "\")", 1, true) then
        error(svc.name .. ": the skeleton's " .. h.symbol .. " does not say it is not implemented", 0)
      end
    end
    must(string.format("%s/tools/check-handlers nm %s.stamp %s.o -- %s@%s %s", sh_quote(top), sh_quote(file), sh_quote(file),
      svc.name, svc.where, table.concat(args, " ")))
  end
  local out, code = run(string.format("cd %s && lua5.4 %s/gen/cli.lua --skeleton schema/kernel.lua", sh_quote(dir), sh_quote(top)))
  if code == 0 or not out:find("schema/kernel.lua: protocol kernel is no service", 1, true) then
    error("a skeleton of a protocol without a service was not refused:\n" .. out, 0)
  end
end)

test("--set that breaks an invariant tying limits is refused at the invariant's line", function()
  local dir = sandbox("set_invariant")
  local out, code = generate(dir, "--set MAX_TIMER_CLIENTS=1024 --set APP_MAX_TIMERS=7 schema/*.lua")
  if code == 0 then error("1024 timer clients with 7 per app were accepted", 0) end
  if not out:match("^schema/timer%.lua:%d+: invariant does not hold: MAX_TIMER_CLIENTS <=") then
    error("not refused at the invariant:\n" .. out, 0)
  end
end)

test("--set replaces a const's value in the output; an unknown name or a bad value writes nothing", function()
  local dir = sandbox("set")
  local out, code = generate(dir, "--set MAX_TIMER_CLIENTS=1024 --set APP_MAX_TIMERS=31 schema/*.lua")
  if code ~= 0 then error("generator failed with --set:\n" .. out, 0) end
  if not read(dir .. "/generated/timer.h"):find("#define MAX_TIMER_CLIENTS 1024u", 1, true) or
     not read(dir .. "/generated/kernel.h"):find("#define APP_MAX_TIMERS 31u", 1, true) then
    error("the --set values are not in the generated headers", 0)
  end
  out, code = generate(dir, "--set NO_SUCH_CONST=3 schema/*.lua", "fresh")
  if code == 0 or not out:find("--set NO_SUCH_CONST: no const of that name", 1, true) then
    error("an unknown --set name was not refused:\n" .. out, 0)
  end
  -- Several unknown names: the first in sorted order, every run.
  for _ = 1, 5 do
    out, code = generate(dir, "--set ZZ_NO=1 --set MM_NO=2 --set AA_NO=3 --set QQ_NO=4 schema/*.lua", "fresh")
    if code == 0 or not out:find("^%-%-set AA_NO: no const of that name") then
      error("not the first unknown --set name in sorted order:\n" .. out, 0)
    end
  end
  out, code = generate(dir, "--set MAX_CAPS=-1 schema/*.lua", "fresh")
  if code == 0 or not out:find("does not fit u32", 1, true) then
    error("a --set value outside the const's type was not refused:\n" .. out, 0)
  end
  if io.open(dir .. "/fresh/timer.h") then error("a refused --set wrote output", 0) end
end)

test("the syscall table describes every syscall of the schema, a new one included", function()
  local dir = sandbox("sysdesc")
  local path = dir .. "/schema/kernel.lua"
  write(path, read(path) .. [[

syscall "probe_call" {
  number = 40, result = "isize", doc = "Added by the generator test.",
  arg "handle" { "u32" }, arg "out" { "uptr_out" }, arg "len" { "usize" }, arg "when" { "i64" },
}
]])
  local out, code = generate(dir)
  if code ~= 0 then error("generator failed on the edited copy:\n" .. out, 0) end
  local _, nsyscalls = read(path):gsub('\nsyscall "', "")
  write(dir .. "/main.c", [[
#include <string.h>
#include "kernel_sysdesc.h"
int main(void)
{
    const struct syscall_desc *d = &syscall_descs[SYSCALL_DESC_COUNT - 1];
    if (SYSCALL_DESC_COUNT != ]] .. nsyscalls .. [[ || d->number != SYS_probe_call || strcmp(d->name, "probe_call") != 0) return 1;
    if (d->nargs != 4 || strcmp(d->arg_names[1], "out") != 0) return 2;
    if (d->arg_kinds[0] != SYSCALL_ARG_U32 || d->arg_kinds[1] != SYSCALL_ARG_UPTR_OUT ||
        d->arg_kinds[2] != SYSCALL_ARG_USIZE || d->arg_kinds[3] != SYSCALL_ARG_I64) return 3;
    for (unsigned i = 1; i < SYSCALL_DESC_COUNT; i++)
        if (syscall_descs[i].number <= syscall_descs[i - 1].number) return 4;
    const struct syscall_desc *send = &syscall_descs[SYS_chan_send - 1];
    if (strcmp(send->name, "chan_send") != 0 || send->nargs != 6 || send->arg_kinds[3] != SYSCALL_ARG_UPTR_IN) return 5;
    return 0;
}
]])
  must(string.format("cd %s && %s -Wpedantic -Igenerated main.c generated/kernel_sysdesc.c -o sysdesc && ./sysdesc",
    sh_quote(dir), CC))
end)

-- The manifest names each service's handlers at their schema lines, and
-- tools/check-handlers refuses a service object that lacks one, before
-- any link: here the edited copy's service file without Cancel's handler.
test("a service's variant without a handler is refused before the link, at the schema's line", function()
  local dir = edited_copy("unhandled")
  local text = must("lua5.4 " .. sh_quote(top .. "/gen/cli.lua") .. " --manifest " .. sh_quote(dir) .. "/schema/*.lua")
  local m = assert(load(text, "manifest", "t", {}))()
  local svc
  for _, s in ipairs(m.services) do if s.name == "timer" then svc = s end end
  if not svc then error("the manifest lists no timer service", 0) end
  local args = {}
  for _, h in ipairs(svc.handlers) do args[#args + 1] = h.symbol .. "=" .. h.where end
  local cancel_line = read(dir .. "/schema/timer.lua"):match("^(.-)variant \"Cancel\""):gsub("[^\n]", ""):len() + 1
  write(dir .. "/timer.c", '#include "timer_service.h"\n' ..
    "int TimerRequest_handle_After(struct svc_client *c, const TimerRequest_After *m) { (void)c; (void)m; return 0; }\n")
  must(string.format("cd %s && %s -I%s -Igenerated -c timer.c -o timer.o", sh_quote(dir), CC, sh_quote(top .. "/kernel/services")))
  local check = string.format("cd %s && %s nm timer.stamp timer.o -- timer@%s %s", sh_quote(dir),
    sh_quote(top .. "/tools/check-handlers"), svc.where, table.concat(args, " "))
  local out, code = run(check)
  if code == 0 then error("check-handlers accepted a timer.c without TimerRequest_handle_Cancel", 0) end
  local want = string.format("%s:%d: service timer: no handler TimerRequest_handle_Cancel", dir .. "/schema/timer.lua", cancel_line)
  if not out:find(want, 1, true) then error("the refusal does not say " .. want .. ":\n" .. out, 0) end
  if out:find("TimerRequest_handle_After", 1, true) then error("the defined handler was named too:\n" .. out, 0) end
  write(dir .. "/timer.c", read(dir .. "/timer.c") ..
    "int TimerRequest_handle_Cancel(struct svc_client *c) { (void)c; return 0; }\n")
  must(string.format("cd %s && %s -I%s -Igenerated -c timer.c -o timer.o", sh_quote(dir), CC, sh_quote(top .. "/kernel/services")))
  must(check)
end)

test("an rpc whose request has arrays of str and bytes takes its variant struct", function()
  local dir = sandbox("str_array")
  write(dir .. "/schema/names.lua", [[
protocol "names" { doc = "Arrays of bounded strings in a request." }
union "NamesRequest" { doc = "r",
  variant "Names" { tag = 0, doc = "n",
    field "names" { "str", max = 4, count = 2 },
    field "blobs" { "bytes", max = 3, count = 2 },
  },
}
union "NamesResponse" { doc = "r", variant "Done" { tag = 0, doc = "d" } }
rpc "send" { request = "NamesRequest.Names", response = "NamesResponse.Done", doc = "s" }
]])
  local out, code = generate(dir, "schema/names.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  write(dir .. "/use.c", [[
#include "names_client.h"
int call(proto_transport *t)
{
    NamesRequest_Names req = NamesRequest_Names_init_zero;
    return names_send(t, &req);
}
]])
  must(string.format("cd %s && %s -Igenerated -c use.c generated/names_client.c generated/names.c", sh_quote(dir), CC))
end)

-- A reply may come from a newer peer: an extensible one is received into the
-- transport's largest message (PROTO_MAX_MSG_SIZE, 65535 with no limit
-- declared), not its own largest size, which another reply is received into
-- when the schemas declare no message limit.
test("an extensible reply is received into PROTO_MAX_MSG_SIZE, another into its own largest size", function()
  local dir = sandbox("extensible_reply")
  write(dir .. "/schema/grow.lua", [[
protocol "grow" { doc = "No message limit: PROTO_MAX_MSG_SIZE is 65535." }
struct "GrowStatus" { extensible = true, doc = "s", field "code" { "u8" } }
struct "GrowPoint" { doc = "p", field "x" { "u8" } }
union "GrowRequest" { doc = "r",
  variant "Ask" { tag = 0, doc = "a", field "n" { "u8" } },
  variant "Where" { tag = 1, doc = "w" },
}
rpc "ask" { request = "GrowRequest.Ask", response = "GrowStatus", doc = "a" }
rpc "where" { request = "GrowRequest.Where", response = "GrowPoint", doc = "w" }
]])
  local out, code = generate(dir, "schema/grow.lua")
  if code ~= 0 then error(out, 0) end
  local c = read(dir .. "/generated/grow_client.c")
  local function recv_buffer(stub)
    return assert(c:match("int " .. stub .. "_recv%(.-\n{\n    uint8_t buf%[([%w_]+)%];"), "no receive buffer in " .. stub .. "_recv")
  end
  if recv_buffer("grow_ask") ~= "PROTO_MAX_MSG_SIZE" then error("the extensible reply's buffer is " .. recv_buffer("grow_ask"), 0) end
  if recv_buffer("grow_where") ~= "1" then error("the other reply's buffer is " .. recv_buffer("grow_where"), 0) end
  if not c:find("rbuf[PROTO_MAX_MSG_SIZE]", 1, true) then error("grow_ask's call has no PROTO_MAX_MSG_SIZE buffer", 0) end
  must(string.format("cd %s && %s -Igenerated -c generated/grow_client.c generated/grow.c", sh_quote(dir), CC))
end)

-- Fields named like every parameter and local of the client stubs: the stubs
-- name theirs around them, compile without a shadowed name and send the
-- fields' values.
test("request fields named like the stubs' own parameters and locals compile and are sent", function()
  local dir = sandbox("stub_names")
  write(dir .. "/schema/clash.lua", [[
protocol "clash" { doc = "Fields named like the client stubs' own names." }
union "ClashRequest" { doc = "r",
  variant "Clash" { tag = 0, doc = "c",
    field "t" { "u8" }, field "m" { "u16" }, field "buf" { "bytes", max = 4 }, field "len" { "u32" },
    field "err" { "str", max = 4 }, field "caps" { "u8" }, field "caps_" { "u8" }, field "rc" { "i8" },
    field "i" { "u8", count = 2 }, field "reply" { "u8" }, field "request" { "u8" }, field "msg" { "u8" },
    field "n" { "u8", opt = true }, cap "ch" { protocol = "any", doc = "c" },
  },
}
union "ClashResponse" { doc = "r", variant "Done" { tag = 0, doc = "d", field "x" { "u8" } } }
rpc "clash" { request = "ClashRequest.Clash", response = "ClashResponse.Done", doc = "c" }
]])
  local out, code = generate(dir, "schema/clash.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  write(dir .. "/use.c", [[
#include <string.h>
#include "clash_client.h"
static uint8_t sent[64];
static size_t sent_len;
static proto_caps sent_caps;
static int send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    (void)ctx;
    memcpy(sent, msg, len);
    sent_len = len;
    sent_caps = *caps;
    return 0;
}
static int recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    (void)ctx; (void)cap;
    buf[0] = ClashResponse_Done_tag;
    buf[1] = 77;
    *len = 2;
    caps->n = 0;
    return 0;
}
int main(void)
{
    proto_transport tr = { NULL, send, recv, NULL, NULL };
    static const uint8_t blob[] = { 9, 8 };
    static const uint8_t two[2] = { 5, 6 };
    ClashResponse_Done done;
    ClashRequest m;
    if (clash_clash(&tr, 1, 2, blob, 2, 3, "ab", 4, 5, -6, two, 7, 8, 9, true, 10, 42, &done) != 0) return 1;
    if (done.x != 77) return 2;
    if (ClashRequest_decode_caps(&m, sent, sent_len, &sent_caps) != PROTO_OK) return 3;
    const ClashRequest_Clash *c = &m.u.Clash;
    if (c->t != 1 || c->m != 2 || c->buf.len != 2 || c->buf.data[1] != 8 || c->len != 3 || strcmp(c->err.data, "ab") != 0 ||
        c->caps != 4 || c->caps_ != 5 || c->rc != -6 || c->i[1] != 6 || c->reply != 7 || c->request != 8 ||
        c->msg != 9 || !c->has_n || c->n != 10 || c->ch != 42) return 4;
    return 0;
}
]])
  must(string.format("cd %s && %s -Wshadow -Igenerated use.c generated/clash_client.c generated/clash.c %s/proto.c -o use && ./use",
    sh_quote(dir), CC, sh_quote(RT)))
end)

-- response = { "U.A", "U.B" }: the stub takes the union, the page and the
-- lock show the list; rpcs of a protocol not in the run stay in the lock.
test("an rpc's response list is on its page and in the lock; its stub compiles", function()
  local dir = sandbox("response_list")
  write(dir .. "/schema/kv.lua", [[
protocol "kv" { doc = "A response list." }
union "KvRequest" { doc = "r", variant "Get" { tag = 0, doc = "g", field "key" { "u32" } } }
union "KvResponse" { doc = "r",
  variant "Ok" { tag = 0, doc = "o", field "value" { "u64" } },
  variant "NotFound" { tag = 1, doc = "n" },
  variant "Busy" { tag = 2, doc = "b" },
}
rpc "get" { request = "KvRequest.Get", response = { "KvResponse.Ok", "KvResponse.NotFound" }, doc = "Reads a key." }
]])
  local out, code = generate(dir, "schema/kv.lua schema/timer.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  local page = read(dir .. "/generated/docs/kv.md")
  if not page:find("| `get` | `KvRequest::Get` | `KvResponse::Ok` or `KvResponse::NotFound` |", 1, true) or
     not page:find("Any other reply of `KvResponse` is `PROTO_ERR_UNEXPECTED_REPLY`.", 1, true) then
    error("docs/kv.md does not show the list:\n" .. page, 0)
  end
  local want = "rpc get\n  request KvRequest.Get\n  reply KvResponse.Ok\n  reply KvResponse.NotFound\n"
  lock_holds(read(dir .. "/generated/wire.lock"), want)
  lock_holds(read(dir .. "/generated/wire.lock"), "rpc after\n  request TimerRequest.After\n  reply TimerResponse.Expired\n")
  write(dir .. "/use.c", [[
#include "kv_client.h"
int call(proto_transport *t, KvResponse *reply);
int call(proto_transport *t, KvResponse *reply) { return kv_get(t, 7, reply); }
]])
  must(string.format("cd %s && %s -c use.c -Igenerated -o /dev/null", sh_quote(dir), CC))
  out, code = generate(dir, "schema/timer.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  lock_holds(read(dir .. "/generated/wire.lock"), want)
end)

test("an rpc may have its protocol's name (its C functions are P_P...)", function()
  local dir = sandbox("rpc_name")
  write(dir .. "/schema/echo.lua", [[
protocol "echo" { doc = "An rpc named like its protocol." }
union "EchoRequest" { doc = "r", variant "Say" { tag = 0, doc = "s", field "n" { "u8" } } }
union "EchoResponse" { doc = "r", variant "Said" { tag = 0, doc = "d", field "n" { "u8" } } }
rpc "echo" { request = "EchoRequest.Say", response = "EchoResponse.Said", doc = "e" }
]])
  local out, code = generate(dir, "schema/echo.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  write(dir .. "/use.c", [[
#include "echo_client.h"
int call(proto_transport *t)
{
    EchoResponse_Said reply;
    return echo_echo(t, 3, &reply);
}
]])
  must(string.format("cd %s && %s -Igenerated -c use.c generated/echo_client.c generated/echo.c generated/echo_dispatch.c generated/echo_vectors.c generated/echo_format.c",
    sh_quote(dir), CC))
end)

test("f32/f64: C-layout alignment, lock text, and soft-float RISC-V code that only copies bits", function()
  local dir = sandbox("floats")
  write(dir .. "/schema/floats.lua", [[
protocol "floats" { doc = "Floats on the wire and in C layout." }
struct "Sample" { layout = "c", doc = "s",
  field "id" { "u8" }, field "value" { "f64" }, field "gain" { "f32" },
}
invariant "offsetof(Sample.value) == 8 && offsetof(Sample.gain) == 16 && sizeof(Sample) == 24" { doc = "aligned" }
union "FloatsRequest" { doc = "r",
  variant "Set" { tag = 0, doc = "s", field "gain" { "f32" }, field "value" { "f64", opt = true } },
}
union "FloatsResponse" { doc = "r", variant "Done" { tag = 0, doc = "d", field "gain" { "f32" } } }
rpc "set" { request = "FloatsRequest.Set", response = "FloatsResponse.Done", doc = "s" }
]])
  local out, code = generate(dir, "schema/floats.lua schema/kernel.lua")
  if code ~= 0 then error(out, 0) end
  lock_holds(read(dir .. "/generated/wire.lock"), "  tag 0 Set\n    field gain f32\n    field value opt f64\n")
  local objs = {}
  for _, f in ipairs({ RT .. "/proto.c", RT .. "/proto_format.c", "floats.c", "floats_format.c", "floats_client.c", "floats_dispatch.c" }) do
    local o = dir .. "/" .. f:match("[^/]*$"):gsub("%.c$", ".o")
    local src = f:find("/", 1, true) and f or dir .. "/generated/" .. f
    must(string.format("riscv64-unknown-elf-gcc -std=c11 -Wall -Wextra -Werror -ffreestanding -O2 -march=rv64imac -mabi=lp64 -mcmodel=medany -I%s/generated -I%s -c %s -o %s",
      sh_quote(dir), sh_quote(RT), sh_quote(src), sh_quote(o)))
    objs[#objs + 1] = sh_quote(o)
  end
  local undefined = must("riscv64-unknown-elf-nm -u " .. table.concat(objs, " "))
  for name in undefined:gmatch("U (%S+)") do
    if name:match("^__") then error("the generated code calls " .. name .. " (float arithmetic on a soft-float build?)", 0) end
  end
end)

-- proto_str_set is must-check: gcc ignores a (void) cast on it, so proto.h
-- says callers must test it, and a checked call compiles.
test("proto_str_set must be checked, as proto.h documents", function()
  local doc = read(RT .. "/proto.h"):match("/%*[^/]*%*/\nPROTO_MUST_CHECK proto_err proto_str_set") or ""
  if not doc:find("Callers must check it", 1, true) or not doc:find("(void)", 1, true) then
    error("proto.h does not say that callers must check proto_str_set (a (void) cast does not do):\n" .. doc, 0)
  end
  local dir = work .. "/str_set"
  must("mkdir -p " .. sh_quote(dir))
  local function compiles(body)
    write(dir .. "/use.c", "#include \"proto.h\"\nint use(void);\nint use(void)\n{\n" ..
      "    struct { uint16_t len; char data[5]; } f;\n" .. body .. "\n}\n")
    local out, code = run(string.format("%s -I%s/generated -c %s/use.c -o /dev/null", CC, sh_quote(top), sh_quote(dir)))
    return code == 0, out
  end
  if not compiles("    return PROTO_STR_SET(f, \"ab\") != PROTO_OK ? -1 : f.len;") then error("a checked call does not compile", 0) end
  local ok, out = compiles("    (void)PROTO_STR_SET(f, \"ab\");\n    return f.len;")
  if ok or not out:find("unused%-result") then error("(void)PROTO_STR_SET compiled under -Werror: proto.h's comment is wrong\n" .. out, 0) end
end)

test("generated headers compile for RISC-V (freestanding) and BPF", function()
  local gen = sh_quote(top .. "/generated")
  for _, f in ipairs({ RT .. "/proto.c", "timer.c", "boot.c", "kernel.c", "kernel_syscalls.c", "kernel_sysdesc.c", "timer_client.c", "boot_dispatch.c",
      RT .. "/proto_format.c", RT .. "/proto_vectors.c", "timer_format.c", "boot_format.c", "timer_vectors.c" }) do
    local src = f:find("/", 1, true) and sh_quote(f) or gen .. "/" .. f
    must(string.format("riscv64-unknown-elf-gcc -std=c11 -Wall -Wextra -Werror -ffreestanding -mcmodel=medany -I%s -I%s -c %s -o /dev/null",
      gen, sh_quote(RT), src))
  end
  local dir = work .. "/bpf"
  must("mkdir -p " .. sh_quote(dir))
  write(dir .. "/probe.bpf.c", [[
#include "sync_timer_bitmap.bpf.h"
char LICENSE[] SEC("license") = "GPL";
SYNC_TIMER_BITMAP_MAP(sync_timer_bitmap);
SEC("tracepoint/timer/hrtimer_expire_exit")
int probe(void *ctx) { (void)ctx; return sync_timer_check_and_reset(&sync_timer_bitmap, 3); }
]])
  must(string.format("clang -O2 -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -I%s -c %s/probe.bpf.c -o %s/probe.bpf.o",
    gen, sh_quote(dir), sh_quote(dir)))
end)

test("every generated C header and the runtime's compile as C++ (extern \"C\", no C-only constructs)", function()
  local gen = top .. "/generated"
  local dir = work .. "/cxx"
  must("mkdir -p " .. sh_quote(dir))
  local p = io.popen("ls " .. sh_quote(RT) .. "/*.h " .. sh_quote(gen) .. "/*.h")
  local includes = {}
  for path in p:lines() do
    local name = path:match("([^/]+)$")
    -- the BPF header is BPF C; the syscall wrappers are RISC-V inline asm
    if not name:match("%.bpf%.h$") and not name:match("_usys%.h$") then
      includes[#includes + 1] = string.format("#include \"%s\"", name)
    end
  end
  p:close()
  if #includes < 10 then error("only " .. #includes .. " headers found in generated/", 0) end
  write(dir .. "/all.cc", table.concat(includes, "\n") .. "\nint main() { return 0; }\n")
  must(string.format("g++ -std=c++17 -Wall -Wextra -Werror -I%s -I%s -I%s/kernel/services %s/all.cc -o %s/all", sh_quote(gen),
    sh_quote(RT), sh_quote(top), sh_quote(dir), sh_quote(dir)))
end)

test("the reference codec (gen/wire_ref.lua) gives the documented bytes and each error its own", function()
  local ref = require("wire_ref")
  local model = require("loader").load({ top .. "/schema/timer.lua", top .. "/tests/codec/schema/probe.lua", top .. "/schema/kernel.lua" })
  local u = {}
  for _, x in ipairs(model.unions) do u[x.name] = x end
  local function expect(what, got, want)
    if got ~= want then error(string.format("%s: got %q, want %q", what, tostring(got), tostring(want)), 0) end
  end
  expect("After{50000}", ref.encode(u.TimerRequest, { tag = 0, fields = { duration_us = 50000 } }), "\0\80\195\0\0\0\0\0\0")
  expect("Expired{}", ref.encode(u.TimerResponse, { tag = 0, fields = {} }), "\0")
  expect("u64 max", ref.decode(u.TimerRequest, "\0" .. ("\255"):rep(8)).fields.duration_us, -1)
  expect("i8 -1", ref.decode(u.ProbeRequest, "\3\255" .. ("\0"):rep(14)).fields.s8, -1)
  local cases = {
    { "", "SHORT_BUFFER" }, { "\1", "UNKNOWN_TAG" }, { "\0\2\0", "BAD_BOOL" }, { "\0\0\3", "BAD_ENUM" },
    { "\0\0\0\0", "TRAILING_BYTES" }, { "\9\255\255", "TOO_LONG" }, { "\9\4\0abc", "SHORT_BUFFER" },
  }
  for _, c in ipairs(cases) do expect(string.format("decode %q", c[1]), select(2, ref.decode(u.ProbeRequest, c[1])), c[2]) end
  local maybe = { count = 0x01020304, name = ref.NONE, point = ref.NONE, flag = false }
  expect("Maybe{0x01020304, none, none, false}", ref.encode(u.ProbeRequest, { tag = 10, fields = maybe }), "\10\1\4\3\2\1\0\0\1\0")
  expect("Maybe none", ref.decode(u.ProbeRequest, "\10\0\0\0\0").fields.count, ref.NONE)
  for _, bad in ipairs({ "\128", "\192\175", "\237\160\128", "\244\144\128\128", "\226\130" }) do
    local input = "\9" .. string.pack("<I2", #bad) .. bad .. ("\0"):rep(6)
    expect(string.format("Labels name %q", bad), select(2, ref.decode(u.ProbeRequest, input)), "BAD_UTF8")
  end
  expect("Labels name U+00E9", ref.decode(u.ProbeRequest, "\9\2\0\195\169" .. ("\0"):rep(6)).fields.names[1], "\195\169")
  expect("Maybe presence 2", select(2, ref.decode(u.ProbeRequest, "\10\2\0\0\0")), "BAD_OPT")
  -- Chunk's budget of 10 counts what its union and struct fields take beyond their smallest encoding.
  local explicit, stream = "\0" .. ("\0"):rep(8), "\1"
  local chunk = { at = { tag = 0, fields = { at = 1 } }, data = "ab", span = { from = { tag = 1, fields = {} }, length = 5 } }
  expect("Chunk{Explicit, 2 bytes, Stream}", ref.encode(u.ProbeRequest, { tag = 14, fields = chunk }),
    "\14\0\1" .. ("\0"):rep(7) .. "\2\0ab\1\5\0\0\0")
  chunk.data = "abc"
  expect("Chunk 8 + data 3", select(2, pcall(ref.encode, u.ProbeRequest, { tag = 14, fields = chunk })), "over the budget 10")
  chunk.data, chunk.span.from = "", { tag = 0, fields = { at = 0 } }
  expect("Chunk 8 + span Explicit 8", select(2, pcall(ref.encode, u.ProbeRequest, { tag = 14, fields = chunk })), "over the budget 10")
  expect("Chunk 8 + data 3, at its length", select(2, ref.decode(u.ProbeRequest, "\14" .. explicit .. "\3\0")), "OVER_BUDGET")
  expect("Chunk 8 + 2 + span Explicit, once span is read",
    select(2, ref.decode(u.ProbeRequest, "\14" .. explicit .. "\2\0ab" .. explicit .. "\0\0\0\0")), "OVER_BUDGET")
  expect("Chunk 8 + 2 + span Explicit, span short",
    select(2, ref.decode(u.ProbeRequest, "\14" .. explicit .. "\2\0ab" .. explicit .. "\0\0")), "SHORT_BUFFER")
  expect("Chunk Stream + 8 + Stream", ref.decode(u.ProbeRequest, "\14" .. stream .. "\8\0" .. ("x"):rep(8) .. stream .. "\0\0\0\0").fields.data,
    ("x"):rep(8))
  expect("Chunk's largest encoding", u.ProbeRequest.variants[9].name .. " " .. u.ProbeRequest.variants[9].max_size, "Chunk 19")
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
