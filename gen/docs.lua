-- A markdown reference page per protocol: generated/docs/P.md.

local emit = require("emit")
local loader = require("loader")
local ct = require("c_types")
local bpf_header = require("bpf_header")
local conformance = require("conformance")
local ref = require("wire_ref")
local wire_text = require("wire_text")
local runtime = require("c_runtime")
local c_codec = require("c_codec")
local c_client = require("c_client")

local M = {}

local function type_text(t)
  if t.kind == "opt" then return "opt " .. type_text(t.elem) .. " (a u8 0/1, then the value when 1)" end
  if t.kind == "int" then return t.name end
  if t.kind == "float" then return t.name .. " (IEEE 754, little-endian)" end
  if t.kind == "bool" then return "bool" end
  if t.kind == "chan" then return string.format("chan (protocol %s; a u8 index into the capabilities)", t.protocol) end
  if t.kind == "enum" or t.kind == "struct" then return t.decl.name end
  if t.kind == "union" then return t.decl.name .. " (a u8 tag, then the variant's fields)" end
  if t.kind == "str" or t.kind == "bytes" then return string.format("%s (max %s)", t.kind, ct.bound(t.max, t.max_name)) end
  return string.format("%s[%s]", type_text(t.elem), ct.bound(t.count, t.count_name))
end

local function size_text(lo, hi) return lo == hi and tostring(lo) or string.format("%d..%d", lo, hi) end

local function cell(s) return ((s or ""):gsub("\n", " "):gsub("|", "\\|")) end

local function fields_table(e, fields, first_offset)
  e:line("| offset | field | type | bytes | meaning |")
  e:line("|---|---|---|---|---|")
  local offset, fixed = first_offset, true
  for _, f in ipairs(fields) do
    local lo, hi = loader.wire_size(f.type)
    e:line("| %s | `%s` | %s | %s | %s |", fixed and tostring(offset) or "-", f.name, type_text(f.type),
      size_text(lo, hi), cell(f.doc))
    if lo ~= hi then fixed = false end
    offset = offset + lo
  end
end

-- A struct's or variant's budget, under its fields table.
local function budget_line(e, d)
  if not d.budget then return end
  e:blank()
  e:line("Its str and bytes fields, and what its struct and union fields take beyond their smallest encoding, share a budget: together at most %s bytes (`PROTO_ERR_OVER_BUDGET` past it).",
    d.budget_name and string.format("`%s` (%d)", d.budget_name, d.budget) or tostring(d.budget))
end

local function section(e, title, items, body)
  if #items == 0 then return end
  e:line("## " .. title)
  e:blank()
  body(items)
  e:blank()
end

-- Bytes as the hex that `gen/cli.lua decode` reads: "00 50 c3 ...".
local function hex(s)
  local out = {}
  for i = 1, #s do out[i] = string.format("%02x", s:byte(i)) end
  return table.concat(out, " ")
end

-- Per variant of a union (or for a wire struct, a message too), two of its
-- valid conformance vectors (the bytes tests check): "V: zero" ("zero")
-- and its longest encoding, with the text the C formatter prints for them.
-- Returns them by variant (a struct's: by the struct).
local function examples(d)
  local by_name = {}
  for _, vec in ipairs(conformance.message_vectors(d)) do
    -- (Not an extensible message's input from an older or newer peer:
    -- an example is a message's own bytes.)
    if vec.expect == "OK" and vec.output == vec.input then by_name[vec.name] = vec end
  end
  local out = {}
  for _, v in ipairs(d.variants or { d }) do
    local prefix = v == d and "" or v.name .. ": "
    local zero, longest = by_name[prefix .. "zero"], nil
    for _, vec in pairs(by_name) do
      if vec.name:sub(1, #prefix) == prefix and vec ~= zero and
        (not longest or #vec.input > #longest.input or (#vec.input == #longest.input and vec.name < longest.name)) then
        longest = vec
      end
    end
    local list = {}
    for _, vec in ipairs({ zero, longest }) do
      local m = assert(ref.decode(d, vec.input, vec.ncaps))
      list[#list + 1] = { name = vec.name, hex = hex(vec.input), ncaps = vec.ncaps, text = wire_text.format(d, m) }
    end
    out[v] = list
  end
  return out
end

-- What an extensible message promises, under its heading.
local function extensible_text(e, d)
  if not d.extensible then return end
  e:line("Extensible: it may grow by `opt` fields appended to %s (`generated/wire.lock` refuses any other change). Its decoders skip bytes after the fields they know (a newer peer's fields) and read a message that ends where a trailing `opt` field starts with that field and those after it absent (an older peer's message); `%s_MAX_SIZE` is the most this side encodes, and a newer peer's may be longer, up to `PROTO_MAX_MSG_SIZE`.",
    d.kind == "union" and "a variant's fields" or "its fields", d.name)
  e:blank()
end

local function examples_table(e, name, list)
  e:line("`%s` examples (conformance vectors; the text is what `%s_format` and `wirec decode` print):", name, name:match("^[^: ]+"))
  e:blank()
  e:line("| vector | bytes (hex) | text form |")
  e:line("|---|---|---|")
  for _, x in ipairs(list) do
    e:line("| %s | `%s` | `%s`%s |", cell(x.name), x.hex, cell(x.text),
      x.ncaps > 0 and string.format(" (with %d capabilit%s)", x.ncaps, x.ncaps == 1 and "y" or "ies") or "")
  end
  e:blank()
end

-- The text a C generator writes to the file named name.
local function generated_text(gen, file, model, name)
  local got
  gen.generate(file, model, function(path, text) if path == name then got = text end end)
  return got
end

-- The top-level enum and struct definitions of a generated header, its
-- comment lines left out.
local function c_type_blocks(text)
  local out, cur = {}, nil
  for line in text:gmatch("([^\n]*)\n") do
    if cur then
      if not line:match("^%s*/?%*") then cur[#cur + 1] = line end
      if line:match("^}") then out[#out + 1] = table.concat(cur, "\n"); cur = nil end
    elseif line:match("^typedef struct [%w_]+ {$") or line:match("^enum [%w_]*%s?{$") or line:match("^struct [%w_]+ {$") then
      cur = { line }
    end
  end
  return out
end

local function code_block(e, lines)
  e:line("```c")
  for _, l in ipairs(lines) do e:line(l) end
  e:line("```")
  e:blank()
end

-- The replies an rpc can get: its one named variant, the ones it lists,
-- or every variant of its response union.
local function replies(r)
  return r.response and { r.response } or r.responses or r.response_type.variants or { r.response_type }
end

-- A reply's name: `Union::Variant`, or the struct's own.
local function reply_name(r, v)
  return v == r.response_type and v.name or r.response_type.name .. "::" .. v.name
end

-- The rpc of the protocol that connects to services by name: its request
-- has the str field bounded by the const with limit = "service_name".
local connect_field
local function connect_rpc(model)
  local limit = model.limits.service_name
  if not limit then return nil end
  for _, file in ipairs(model.files) do
    for _, r in ipairs(loader.of_kind(file, "rpc")) do
      for _, f in ipairs(r.request.fields) do
        if f.type.kind == "str" and f.type.max_name == limit.name then return r, file end
      end
    end
  end
end

-- The str field of the connect rpc's request that names the service.
function connect_field(r, model)
  for _, f in ipairs(r.request.fields) do
    if f.type.kind == "str" and f.type.max_name == model.limits.service_name.name then return f end
  end
end

-- "Depends on" links: the protocol that connects to this service, and the
-- protocols whose names its types, bounds and invariants use.
local function depends(e, file, model)
  local links = {}
  local r, cfile = connect_rpc(model)
  if file.service and not file.service.attach and r and cfile ~= file then
    links[#links + 1] = string.format("[`%s`](%s.md) to connect (`%s_%s_msg(&boot, &(%s_%s){ .%s = PROTO_STR_LIT(\"%s\") }, &reply)` over the boot channel)",
      cfile.protocol.name, cfile.protocol.name, cfile.protocol.name, r.name, r.request_union.name, r.request.name,
      connect_field(r, model).name, file.service.name)
  end
  for _, dep in ipairs(ct.deps(file, model)) do
    if not (cfile and dep == cfile.protocol.name and links[1]) then
      links[#links + 1] = string.format("[`%s`](%s.md) (names its declarations use)", dep, dep)
    end
  end
  if #links == 0 then return end
  e:line("Depends on: %s.", table.concat(links, "; "))
  e:blank()
end

-- Who may connect, how many, and what a refusal looks like.
local function service_text(e, svc)
  if svc.attach then
    e:line("Every app is given a client of this service at handle `%s` (%d) when it starts; it is not offered by name. At most %s clients at once.",
      svc.attach, svc.attach_value, svc.max_clients_name and string.format("`%s` (%d)", svc.max_clients_name, svc.max_clients) or tostring(svc.max_clients))
  else
    e:line("At most %s clients at once%s.",
      svc.max_clients_name and string.format("`%s` (%d)", svc.max_clients_name, svc.max_clients) or tostring(svc.max_clients),
      svc.app_quota and string.format(", at most %s per app", svc.app_quota_name and string.format("`%s` (%d)", svc.app_quota_name, svc.app_quota) or tostring(svc.app_quota)) or "")
  end
  e:blank()
  if svc.refusal then
    e:line("On refusal: %s", (svc.refusal:gsub("%s+", " ")))
    e:blank()
  end
end

-- The runtime's error list (PROTO_ERRORS in gen/runtime/proto.h), with how many of this
-- protocol's conformance vectors (the malformed inputs tests feed its
-- decoders) expect each code.
local function errors_section(e, unions)
  local tested = {}
  for _, u in ipairs(unions) do
    for _, vec in ipairs(conformance.message_vectors(u)) do
      if vec.expect ~= "OK" then
        local code = "PROTO_ERR_" .. vec.expect
        tested[code] = (tested[code] or 0) + 1
      end
    end
  end
  e:line("## Errors")
  e:blank()
  e:line("Codec calls return a `proto_err` (`proto.h`, the codec runtime's header), the first error they meet; client stubs return 0, a positive `proto_err`, or the transport's negative code. `proto_strerror` gives the meaning below. The third column counts this protocol's conformance vectors (malformed inputs its decoders are tested with) that expect the code.")
  e:blank()
  e:line("| value | code | decoder vectors | meaning |")
  e:line("|---|---|---|---|")
  for i, err in ipairs(runtime.ERRORS) do
    e:line("| %d | `%s` | %s | %s |", i - 1, err[1], tested[err[1]] and tostring(tested[err[1]]) or "", cell(err[2]))
  end
  e:blank()
end

-- Sample designated initializers for a variant's struct: each field a
-- value (an opt field present), its caps a handle; arrays left zero.
local function sample_inits(v)
  local inits = {}
  for _, f in ipairs(v.fields) do
    local t, value = f.type, nil
    if t.kind == "opt" then t = t.elem end
    if t.kind == "str" then value = string.format('PROTO_STR_LIT("%s")', f.name == "name" and "timer" or "text")
    elseif t.kind == "bytes" then value = "{ 1, { 0xca } }"
    elseif t.kind == "struct" or t.kind == "union" or t.kind == "chan" then value = f.name
    elseif t.kind == "bool" then value = "true"
    elseif t.kind == "enum" then value = ct.enum_value(t.decl, t.decl.values[1])
    elseif t.kind == "float" then value = "1.5"
    elseif t.kind == "int" then value = f.name == "duration_us" and "50000" or "1" end
    if value then
      inits[#inits + 1] = (f.type.kind == "opt" and ".has_" .. f.name .. " = true, " or "") .. "." .. f.name .. " = " .. value
    end
  end
  for _, c in ipairs(v.caps) do inits[#inits + 1] = "." .. c.name .. " = " .. c.name end
  return inits
end

-- Sample C arguments for a variant's fields.
local function sample_args(v)
  local args = {}
  for _, f in ipairs(v.fields) do
    local k = f.type.kind
    if k == "opt" then
      k = f.type.elem.kind
      if not (k == "str" or k == "bytes" or k == "struct" or k == "union" or k == "array") then args[#args + 1] = "true" end
    end
    if k == "str" then args[#args + 1] = '"' .. (f.name == "name" and "timer" or "text") .. '"'
    elseif k == "bytes" then args[#args + 1] = f.name .. ", " .. f.name .. "_len"
    elseif k == "struct" or k == "union" or k == "array" then args[#args + 1] = "&" .. f.name
    elseif k == "bool" then args[#args + 1] = "true"
    else args[#args + 1] = f.name == "duration_us" and "50000" or "0" end
  end
  for _, c in ipairs(v.caps) do args[#args + 1] = c.name end
  return args
end

-- A sentence, then a C example that starts by including header.
local function example(e, intro, header, body)
  e:line(intro)
  e:blank()
  e:line("```c")
  e:line("#include \"%s\"", header)
  e:blank()
  body()
  e:line("```")
  e:blank()
end

-- " Fast path: ..." when the rpc's request and every reply it can get fit
-- the registers call and reply_recv carry (the const with limit =
-- "message_registers") and carry no capabilities; "" otherwise.
local function fast_path(r, model)
  local regs = model.limits.message_registers
  if not regs then return "" end
  local replies = r.response and { r.response } or r.responses or r.response_type.variants or { r.response_type }
  local reply, caps = 0, r.request.ncaps
  for _, v in ipairs(replies) do
    reply, caps = math.max(reply, v.max_size), caps + v.ncaps
  end
  if caps > 0 or r.request.max_size > regs.value or reply > regs.value then return "" end
  local grows = r.request_union.extensible or r.response_type.extensible
  return string.format(" Fast path: request %d B, reply %d B, within %s (%d): `call` carries both in registers%s.",
    r.request.max_size, reply, regs.name, regs.value,
    grows and " (a newer peer's longer message, past them, goes through the buffers)" or "")
end

local function usage_client(e, p, rpcs)
  example(e, "A client, over any `proto_transport` (a guest app's channel, a host test's loopback):", p .. "_client.h", function()
    for _, r in ipairs(rpcs) do
      local args = sample_args(r.request)
      local reply = (not r.response or #r.response.fields > 0 or #r.response.caps > 0) and ", &reply" or ""
      if reply ~= "" then
        e:line("%s reply;", r.response and (r.response_type.name .. "_" .. r.response.name) or r.response_type.name)
      end
      local positional = string.format("%s_%s(&transport%s%s)", p, r.name, #args > 0 and ", " .. table.concat(args, ", ") or "", reply)
      local send = "_send"
      if #r.request.fields > 0 or #r.request.caps > 0 then
        -- The struct-taking stub: a field appended to the message later (opt,
        -- in an extensible one) stays zero, absent, and the call compiles as
        -- it is; the positional stub would gain a parameter.
        e:line("int rc = %s_%s_msg(&transport, &(%s_%s){ %s }%s);", p, r.name, r.request_union.name, r.request.name,
          table.concat(sample_inits(r.request), ", "), reply)
        e:line("/* positionally: %s, which gains a parameter when the message gains a field */", positional)
        send = "_msg_send"
      else
        e:line("int rc = %s;", positional)
      end
      e:line("if (rc != 0)")
      e:line("    printf(\"%s: %%s\\n\", proto_strerror(rc));", r.name)
      e:line("/* in a reactor loop: %s_%s%s(...) now, %s_%s_decode(msg, len, &caps%s) when the reply arrives */",
        p, r.name, send, p, r.name, reply)
    end
  end)
end

local function usage_service(e, p, requests)
  example(e, "A service defines one handler per request variant (a missing one fails the link) and dispatches what it receives:", p .. "_dispatch.h", function()
    for _, u in ipairs(requests) do
      for _, v in ipairs(u.variants) do
        if #v.fields > 0 or #v.caps > 0 then e:line("int %s_handle_%s(void *ctx, const %s_%s *m) { ... }", u.name, v.name, u.name, v.name)
        else e:line("int %s_handle_%s(void *ctx) { ... }", u.name, v.name) end
      end
      e:blank()
      e:line("int result;")
      e:line("proto_err err = %s_dispatch(service, msg, len%s, &result);", u.name, u.max_caps > 0 and ", &caps" or "")
      e:line("if (err != PROTO_OK)")
      e:line("    dropped++;  /* malformed: see proto_strerror(err) */")
    end
  end)
end

local function usage_bpf(e, file, m)
  local p = file.protocol.name
  example(e, "A BPF subscriber shares `" .. m.name .. "` with the program that owns it:", bpf_header.name(file), function()
    e:line("%s_MAP(%s);   /* made to reuse the owner's map before load */", ct.upper(m.name), m.name)
    e:line("const volatile __u32 my_id;")
    e:blank()
    e:line("SEC(\"tracepoint/timer/hrtimer_expire_exit\")")
    e:line("int on_expire(void *ctx)")
    e:line("{")
    e:line("    if (!%s_check_and_reset(&%s, my_id))", p, m.name)
    e:line("        return 0;")
    e:line("    /* a tick for us on this CPU */")
    e:line("    return 0;")
    e:line("}")
  end)
end

-- How hand-written code uses the generated C of this protocol.
local function usage(e, file)
  local p = file.protocol.name
  local rpcs, requests = loader.of_kind(file, "rpc"), {}
  for _, u in ipairs(loader.of_kind(file, "union")) do if u.is_request then requests[#requests + 1] = u end end
  local maps = loader.of_kind(file, "bpf_map")
  local syscalls = loader.of_kind(file, "syscall")
  if #rpcs + #requests + #maps + #syscalls == 0 then return end
  e:line("## Usage")
  e:blank()
  if #rpcs > 0 then usage_client(e, p, rpcs) end
  if #requests > 0 then usage_service(e, p, requests) end
  if #syscalls > 0 then
    e:line("Guest code calls `sys_<name>(...)` from `generated/%s_usys.h`; the kernel defines `ksys_<name>(...)`, and its trap entry calls `syscall_table[a7]` from `generated/%s_syscalls.h` on every `ecall`, with the app's a0..a5 as the arguments.", p, p)
    e:blank()
  end
  for _, m in ipairs(maps) do usage_bpf(e, file, m) end
end

local function page(file, model)
  local e = emit.new("")
  local p = file.protocol
  local decls = function(kind) return loader.of_kind(file, kind) end
  e:line("<!-- Generated by gen/docs.lua from %s. Do not edit: change the schema and run `ninja gen`. -->", file.path)
  e:blank()
  e:line("# Protocol `%s`", p.name)
  e:blank()
  e:line(p.doc)
  e:blank()
  if p.service then e:line("Service name: `\"%s\"`. C header: `generated/%s.h`.", p.service, p.name)
  else e:line("C header: `generated/%s.h`.", p.name) end
  e:blank()
  depends(e, file, model)
  if file.service then service_text(e, file.service) end
  if #decls("bpf_map") > 0 then e:line("BPF header: `generated/%s` (shared memory in C layout, not on the wire).", bpf_header.name(file)) e:blank() end
  if #decls("union") > 0 then
    e:line("Wire format: a message is one `u8` tag, then its fields in order; integers little-endian, fixed width; `bool` one byte (0 or 1); `str`/`bytes` a `u16` length then the bytes. No padding.")
    e:blank()
  end
  section(e, "Messages", decls("union"), function(unions)
    for _, u in ipairs(unions) do
      local ex = examples(u)
      e:line("### `%s` (at most %d byte%s%s)", u.name, u.max_size, u.max_size == 1 and "" or "s", u.extensible and "; extensible" or "")
      e:blank()
      e:line(u.doc)
      e:blank()
      extensible_text(e, u)
      e:line("| tag | variant | encoded size | capabilities | meaning |")
      e:line("|---|---|---|---|---|")
      for _, v in ipairs(u.variants) do
        e:line("| %d | `%s` | %s | %d | %s |", v.tag, v.name, size_text(v.min_size, v.max_size), v.ncaps, cell(v.doc))
      end
      e:blank()
      for _, v in ipairs(u.variants) do
        if #v.fields > 0 then
          e:line("`%s::%s` (tag %d at offset 0):", u.name, v.name, v.tag)
          e:blank()
          fields_table(e, v.fields, 1)
          budget_line(e, v)
          e:blank()
        end
        if #v.caps > 0 then
          e:line("`%s::%s` carries, beside its bytes, in the message's capability array:", u.name, v.name)
          e:blank()
          e:line("| position | capability | protocol | meaning |")
          e:line("|---|---|---|---|")
          for i, c in ipairs(v.caps) do e:line("| %d | `%s` | %s | %s |", i - 1, c.name, c.protocol, cell(c.doc)) end
          e:blank()
        end
        examples_table(e, u.name .. "::" .. v.name, ex[v])
      end
    end
  end)
  section(e, "C types", c_type_blocks(generated_text(c_codec, file, model, p.name .. ".h")), function(blocks)
    e:line("As `generated/%s.h` declares them (without its comments):", p.name)
    e:blank()
    e:line("```c")
    for i, b in ipairs(blocks) do
      if i > 1 then e:blank() end
      for l in (b .. "\n"):gmatch("([^\n]*)\n") do e:line(l) end
    end
    e:line("```")
  end)
  section(e, "Calls", decls("rpc"), function(rpcs)
    e:line("| call | request | reply | C stubs (`generated/%s_client.h`) |", p.name)
    e:line("|---|---|---|---|")
    for _, r in ipairs(rpcs) do
      e:line("| `%s` | `%s::%s` | `%s` | `%s_%s`, `_send`, `_recv`, `_decode`%s |", r.name, r.request_union.name,
        r.request.name, table.concat(loader.reply_names(r, "::"), "` or `"), p.name, r.name,
        (#r.request.fields > 0 or #r.request.caps > 0) and "; `_msg`, `_msg_send` (the request as its struct)" or "")
    end
    e:blank()
    for _, r in ipairs(rpcs) do
      e:line("- `%s`: %s%s%s", r.name, r.doc, r.responses and " Any other reply of `" .. r.response_type.name ..
        "` is `PROTO_ERR_UNEXPECTED_REPLY`." or "", fast_path(r, model))
    end
    e:blank()
    e:line("Replies each call can get:")
    e:blank()
    e:line("| call | reply | meaning |")
    e:line("|---|---|---|")
    for _, r in ipairs(rpcs) do
      for _, v in ipairs(replies(r)) do
        e:line("| `%s` | `%s` | %s |", r.name, reply_name(r, v), cell(v.doc))
      end
    end
    e:blank()
    for _, r in ipairs(rpcs) do
      if r.response then
        e:line("`%s` gets one reply, the schema names only `%s::%s`: another variant is `PROTO_ERR_UNEXPECTED_REPLY`.",
          r.name, r.response_type.name, r.response.name)
        e:blank()
      end
    end
    local stubs = {}
    for l in generated_text(c_client, file, model, p.name .. "_client.h"):gmatch("([^\n]*)\n") do
      if l:match("^PROTO_MUST_CHECK ") then stubs[#stubs + 1] = l end
    end
    e:line("The stubs, as `generated/%s_client.h` declares them: the call, then its reactor halves (send, receive, decode a reply already received), and the call and send half that take the request as its struct (`_msg`: the fields a call leaves out are zero, an opt field absent, so a call written with designated initializers compiles unchanged when the message grows):", p.name)
    e:blank()
    code_block(e, stubs)
  end)
  section(e, "Structs", decls("struct"), function(structs)
    for _, s in ipairs(structs) do
      e:line("### `%s` (%s)", s.name, s.layout == "c" and ("C layout, " .. s.size .. " bytes") or
        string.format("wire, a message too: at most %d byte%s%s", s.max_size, s.max_size == 1 and "" or "s",
          s.extensible and "; extensible" or ""))
      e:blank()
      e:line(s.doc)
      e:blank()
      extensible_text(e, s)
      if s.layout == "c" then
        e:line("| offset | field | type | bytes | meaning |")
        e:line("|---|---|---|---|---|")
        for _, f in ipairs(s.fields) do
          e:line("| %d | `%s` | %s | %d | %s |", f.offset, f.name, type_text(f.type), f.size, cell(f.doc))
        end
      else
        fields_table(e, s.fields, 0)
        budget_line(e, s)
        e:blank()
        examples_table(e, s.name, examples(s)[s])
      end
      e:blank()
    end
  end)
  section(e, "Constants", decls("const"), function(consts)
    e:line("| name | type | value | meaning |")
    e:line("|---|---|---|---|")
    for _, c in ipairs(consts) do e:line("| `%s` | %s | %d | %s |", c.name, c.type.name, c.value, cell(c.doc)) end
  end)
  section(e, "Enums", decls("enum"), function(enums)
    for _, en in ipairs(enums) do
      e:line("### `%s` (%s)", en.name, en.type.name)
      e:blank()
      e:line(en.doc)
      e:blank()
      e:line("| value | C name | meaning |")
      e:line("|---|---|---|")
      for _, v in ipairs(en.values) do e:line("| %d | `%s` | %s |", v.value, ct.enum_value(en, v), cell(v.doc)) end
      e:blank()
    end
  end)
  section(e, "Wire breaks", decls("wire_break"), function(breaks)
    e:line("Declared with `wire_break`: peers built before each break no longer understand these messages (`generated/wire.lock` keeps every reason).")
    e:blank()
    for _, b in ipairs(breaks) do e:line("- `%s`: %s", b.name, cell((b.body.reason:gsub("%s+", " ")))) end
  end)
  section(e, "System calls", decls("syscall"), function(calls)
    e:line("| a7 | name | arguments (a0..a5) | result | meaning |")
    e:line("|---|---|---|---|---|")
    for _, s in ipairs(calls) do
      local args = {}
      for _, a in ipairs(s.args) do args[#args + 1] = a.name .. ": " .. a.type end
      e:line("| %d | `%s` | %s | %s | %s |", s.number, s.name, table.concat(args, ", "), s.result, cell(s.doc))
    end
  end)
  section(e, "BPF maps", decls("bpf_map"), function(maps)
    for _, m in ipairs(maps) do
      e:line("- `%s`: %s, key %s, value `struct %s`, %d entr%s. %s Declare it in a BPF object with `%s_MAP(%s);` from `generated/%s`.",
        m.name, m.map_type, m.key.name, m.value.name, m.max_entries, m.max_entries == 1 and "y" or "ies", m.doc,
        ct.upper(m.name), m.name, bpf_header.name(file))
    end
  end)
  section(e, "Invariants", decls("invariant"), function(invs)
    e:line("Checked by the generator and again by the C compiler (`_Static_assert`).")
    e:blank()
    for _, i in ipairs(invs) do e:line("- `%s`: %s", i.expr, i.doc) end
  end)
  if #decls("union") > 0 then errors_section(e, decls("union")) end
  usage(e, file)
  return e:text()
end

function M.generate(file, model, out)
  out("docs/" .. file.protocol.name .. ".md", page(file, model))
end

return M
