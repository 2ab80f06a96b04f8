-- Client stubs: per rpc a blocking call and a split send / receive pair for
-- reactor loops, over proto_transport, so that the same stubs link into guest
-- apps (syscall transport) and host tests (loopback transport). Each takes
-- the request's fields as parameters; beside the call and the send half,
-- P_R_msg and P_R_msg_send take the request variant's struct, so that a
-- caller does not break when an extensible message grows.

local emit = require("emit")
local ct = require("c_types")
local loader = require("loader")

local M = {}

-- An array of str or bytes has an anonymous element type no caller can
-- name: a request with one is passed whole, as its variant struct.
local function passed_whole(v)
  for _, f in ipairs(v.fields) do
    local t = f.type.kind == "opt" and f.type.elem or f.type
    local inner = t
    while inner.kind == "array" do inner = inner.elem end
    if inner ~= t and (inner.kind == "str" or inner.kind == "bytes") then return true end
  end
  return false
end

-- Passed by pointer: an opt field of such a type is absent when it is NULL.
local BY_POINTER = { str = true, bytes = true, array = true, struct = true, union = true }

-- C parameters for a variant's fields, and the statements that fill m from
-- them. An opt field is a NULL-able pointer (str, bytes, arrays, structs)
-- or a scalar after `bool has_NAME`.
local function params(v, n)
  if passed_whole(v) then return { "const " .. v.union.name .. "_" .. v.name .. " *" .. n.request } end
  local ps = {}
  for _, f in ipairs(v.fields) do
    local t = f.type
    if t.kind == "opt" then
      t = t.elem
      if not BY_POINTER[t.kind] then ps[#ps + 1] = "bool has_" .. f.name end
    end
    if t.kind == "str" then ps[#ps + 1] = "const char *" .. f.name
    elseif t.kind == "bytes" then ps[#ps + 1] = "const uint8_t *" .. f.name .. ", uint16_t " .. f.name .. "_len"
    elseif t.kind == "array" then ps[#ps + 1] = "const " .. ct.declarator(t, f.name, "c")
    elseif t.kind == "struct" or t.kind == "union" then ps[#ps + 1] = "const " .. ct.ctype(t, "c") .. " *" .. f.name
    else ps[#ps + 1] = ct.ctype(t, "c") .. " " .. f.name end
  end
  for _, c in ipairs(v.caps) do ps[#ps + 1] = "uint32_t " .. c.name end
  return ps
end

local function fill_field(e, t, dst, name, n)
  if t.kind == "str" then
    e:line("%s = PROTO_STR_SET(%s, %s);", n.err, dst, name)
    e:line("if (%s != PROTO_OK) return (int)%s;", n.err, n.err)
  elseif t.kind == "bytes" then
    e:line("if (%s_len > %s) return (int)PROTO_ERR_TOO_LONG;", name, ct.bound(t.max, t.max_name))
    e:line("%s.len = %s_len;", dst, name)
    e:line("for (uint16_t %s = 0; %s < %s_len; %s++) %s.data[%s] = %s[%s];", n.i, n.i, name, n.i, dst, n.i, name, n.i)
  elseif t.kind == "array" then
    e:line("for (size_t %s = 0; %s < %s; %s++) %s[%s] = %s[%s];", n.i, n.i, ct.bound(t.count, t.count_name), n.i, dst, n.i,
      name, n.i)
  elseif t.kind == "struct" or t.kind == "union" then
    e:line("%s = *%s;", dst, name)
  else
    e:line("%s = %s;", dst, name)
  end
end

local function fill(e, v, n)
  if passed_whole(v) then
    e:line("%s.u.%s = *%s;", n.m, v.name, n.request)
    return
  end
  for _, f in ipairs(v.fields) do
    local dst = string.format("%s.u.%s.%s", n.m, v.name, f.name)
    local t = f.type
    if t.kind == "opt" and BY_POINTER[t.elem.kind] then
      e:block(string.format("if (%s != NULL)", f.name), function()
        e:line("%s = true;", ct.has(dst))
        fill_field(e, t.elem, dst, f.name, n)
      end)
    elseif t.kind == "opt" then
      e:line("%s = has_%s;", ct.has(dst), f.name)
      fill_field(e, t.elem, dst, f.name, n)
    else
      fill_field(e, t, dst, f.name, n)
    end
  end
  for _, c in ipairs(v.caps) do e:line("%s.u.%s.%s = %s;", n.m, v.name, c.name, c.name) end
end

-- The reply's out parameter (named name), if the rpc has one.
local function out_param(r, name)
  if not r.response then return r.response_type.name .. " *" .. name end
  if #r.response.fields > 0 or #r.response.caps > 0 then return r.response_type.name .. "_" .. r.response.name .. " *" .. name end
  return nil
end

-- The names of the request's fields and caps as the stub's parameters (none
-- when it is passed whole).
local function field_args(v)
  if passed_whole(v) then return {} end
  local names = {}
  for _, f in ipairs(v.fields) do
    local t = f.type.kind == "opt" and f.type.elem or f.type
    if t ~= f.type and not BY_POINTER[t.kind] then names[#names + 1] = "has_" .. f.name end
    names[#names + 1] = f.name
    if t.kind == "bytes" then names[#names + 1] = f.name .. "_len" end
  end
  for _, c in ipairs(v.caps) do names[#names + 1] = c.name end
  return names
end

-- The names a stub gives its own parameters and locals. The request's
-- fields and caps are parameters of the send and call stubs beside them, so
-- each own name takes a trailing underscore until no field has it: any field
-- name works (a field "caps" makes the local proto_caps caps_).
local OWN_NAMES = { "t", "reply", "request", "m", "buf", "caps", "len", "err", "i", "rc", "rbuf", "rcaps", "rlen" }

local function own_names(v)
  local taken, n = {}, {}
  for _, name in ipairs(field_args(v)) do taken[name] = true end
  for _, base in ipairs(OWN_NAMES) do
    local name = base
    while taken[name] do name = name .. "_" end
    taken[name] = true
    n[base] = name
  end
  return n
end

local function arg_names(v, n)
  if passed_whole(v) then return { n.request } end
  return field_args(v)
end

-- A request variant with a C struct (fields or caps) also gets stubs that
-- take that struct (P_R_msg, P_R_msg_send): a caller that fills it by
-- designated initializers compiles unchanged when opt fields are appended
-- to an extensible message (they stay zero: absent), where the positional
-- stub gains parameters.
local function has_msg_stubs(v) return #v.fields > 0 or #v.caps > 0 end

local function signatures(r, proto)
  local base = proto .. "_" .. r.name
  local n = own_names(r.request)
  local ps = params(r.request, n)
  local function join(list) return #list == 0 and "" or ", " .. table.concat(list, ", ") end
  local out, out_call = out_param(r, "reply"), out_param(r, n.reply)
  local call = {}
  for _, p in ipairs(ps) do call[#call + 1] = p end
  call[#call + 1] = out_call
  local s = {
    call = string.format("int %s(proto_transport *%s%s)", base, n.t, join(call)),
    send = string.format("int %s_send(proto_transport *%s%s)", base, n.t, join(ps)),
    encode = string.format("static int %s_encode(uint8_t *%s, size_t *%s, proto_caps *%s%s)", base, n.buf, n.len, n.caps,
      join(ps)),
    recv = string.format("int %s_recv(proto_transport *t%s)", base, join({ out })),
    decode = string.format("int %s_decode(const uint8_t *msg, size_t len, const proto_caps *caps%s)", base, join({ out })),
    names = n,
  }
  if has_msg_stubs(r.request) then
    -- No field is a parameter of these: their own names need no underscore.
    local request = "const " .. r.request_union.name .. "_" .. r.request.name .. " *request"
    s.msg_call = string.format("int %s_msg(proto_transport *t, %s%s)", base, request, join({ out }))
    s.msg_send = string.format("int %s_msg_send(proto_transport *t, %s)", base, request)
    s.msg_encode = string.format("static int %s_msg_encode(uint8_t *buf, size_t *len, proto_caps *caps, %s)", base, request)
  end
  return s
end

-- The receive buffer: the transport's largest message (any message may
-- arrive, not just this reply), or the largest reply when no const is the
-- message_bytes limit. An extensible reply may come from a newer peer,
-- longer than the largest this side knows: always the transport's largest
-- (PROTO_MAX_MSG_SIZE, 65535 without a limit).
local function recv_capacity(r, model)
  local limit = model.limits.message_bytes
  if r.response_type.extensible then return "PROTO_MAX_MSG_SIZE" end
  if limit and limit.value > r.response_type.max_size then return "PROTO_MAX_MSG_SIZE" end
  return tostring(r.response_type.max_size)
end

local function header(file, rpcs, name, schema)
  local e = emit.new()
  emit.c_header_open(e, schema, "gen/c_client.lua", name .. ".h")
  e:line("#include \"%s.h\"", file.protocol.name)
  e:blank()
  e:comment("Each call returns 0, a positive proto_err (PROTO_ERR_UNEXPECTED_REPLY when the reply is another variant), or the transport's own negative code. Capabilities travel through the transport; a reply's caps that the call does not hand over (an error, another variant) are closed.")
  e:blank()
  for _, r in ipairs(rpcs) do
    local s = signatures(r, file.protocol.name)
    e:comment(r.doc .. " Sends " .. r.request_union.name .. "." .. r.request.name .. " and waits for the reply" ..
      (r.responses and ", " .. table.concat(loader.reply_names(r, "."), " or ") .. " (another is PROTO_ERR_UNEXPECTED_REPLY)." or "."))
    e:line("PROTO_MUST_CHECK %s;", s.call)
    e:comment("Reactor half: sends the request only.")
    e:line("PROTO_MUST_CHECK %s;", s.send)
    e:comment("Reactor half: blocks for the reply on t and decodes it.")
    e:line("PROTO_MUST_CHECK %s;", s.recv)
    e:comment("Reactor half: decodes a reply already received with its caps (NULL: none); when it returns non-zero the caller still owns the caps.")
    e:line("PROTO_MUST_CHECK %s;", s.decode)
    if s.msg_call then
      local v = r.request_union.name .. "_" .. r.request.name
      e:comment(string.format("%s_%s and its send half with the request as its struct, e.g. %s_%s_msg(t, &(%s){ .field = value }%s): the fields a call leaves out are zero (0, empty, an opt field absent), so it compiles unchanged when opt fields are appended to the message.",
        file.protocol.name, r.name, file.protocol.name, r.name, v, out_param(r, "reply") and ", &reply" or ""))
      e:line("PROTO_MUST_CHECK %s;", s.msg_call)
      e:line("PROTO_MUST_CHECK %s;", s.msg_send)
    end
    e:blank()
  end
  emit.c_header_close(e)
  return e:text()
end

local function source(file, model, rpcs, name, schema)
  local e = emit.new()
  emit.c_source_open(e, schema, "gen/c_client.lua", name .. ".h")
  for _, r in ipairs(rpcs) do
    local s = signatures(r, file.protocol.name)
    local u, v, ru = r.request_union, r.request, r.response_type
    local has_out = out_param(r, "reply") ~= nil
    local base = file.protocol.name .. "_" .. r.name
    local n = s.names
    local args = arg_names(v, n)
    local more = #args > 0 and ", " .. table.concat(args, ", ") or ""
    e:func(s.encode, function()
      e:line("%s %s = %s_init_zero;", u.name, n.m, u.name)
      e:line("proto_err %s;", n.err)
      e:line("%s.tag = %s_%s_tag;", n.m, u.name, v.name)
      fill(e, v, n)
      e:line("%s = %s_encode_caps(&%s, %s, %s_MAX_SIZE, %s, %s);", n.err, u.name, n.m, n.buf, u.name, n.len, n.caps)
      e:line("return (int)%s;", n.err)
    end)
    e:blank()
    -- The send and call bodies over an encode function (names n, its extra arguments).
    local function send_body(n, encode, more)
      e:line("uint8_t %s[%s_MAX_SIZE];", n.buf, u.name)
      e:line("proto_caps %s;", n.caps)
      e:line("size_t %s;", n.len)
      e:line("int %s = %s(%s, &%s, &%s%s);", n.rc, encode, n.buf, n.len, n.caps, more)
      e:line("if (%s != 0) return %s;", n.rc, n.rc)
      e:line("return %s->send(%s->ctx, %s, %s, &%s);", n.t, n.t, n.buf, n.len, n.caps)
    end
    local function call_body(n, encode, more)
      e:line("uint8_t %s[%s_MAX_SIZE], %s[%s];", n.buf, u.name, n.rbuf, recv_capacity(r, model))
      e:line("proto_caps %s, %s = { 0, { 0 } };", n.caps, n.rcaps)
      e:line("size_t %s, %s = 0;", n.len, n.rlen)
      e:line("int %s = %s(%s, &%s, &%s%s);", n.rc, encode, n.buf, n.len, n.caps, more)
      e:line("if (%s != 0) return %s;", n.rc, n.rc)
      e:line("%s = proto_transact(%s, %s, %s, &%s, %s, sizeof %s, &%s, &%s);", n.rc, n.t, n.buf, n.len, n.caps, n.rbuf,
        n.rbuf, n.rlen, n.rcaps)
      e:line("if (%s < 0) return %s;", n.rc, n.rc)
      e:line("%s = %s_decode(%s, %s, &%s%s);", n.rc, base, n.rbuf, n.rlen, n.rcaps, has_out and ", " .. n.reply or "")
      e:line("if (%s != 0) proto_caps_close(%s, &%s);", n.rc, n.t, n.rcaps)
      e:line("return %s;", n.rc)
    end
    e:func(s.send, function() send_body(n, base .. "_encode", more) end)
    e:blank()
    e:func(s.decode, function()
      e:line("%s m;", ru.name)
      e:line("proto_err err = %s_decode_caps(&m, msg, len, caps);", ru.name)
      e:line("if (err != PROTO_OK) return (int)err;")
      if r.response then
        e:line("if (m.tag != %s_%s_tag) return (int)PROTO_ERR_UNEXPECTED_REPLY;", ru.name, r.response.name)
        if has_out then e:line("*reply = m.u.%s;", r.response.name) end
      else
        if r.responses then
          local differ = {}
          for _, rv in ipairs(r.responses) do differ[#differ + 1] = string.format("m.tag != %s_%s_tag", ru.name, rv.name) end
          e:line("if (%s) return (int)PROTO_ERR_UNEXPECTED_REPLY;", table.concat(differ, " && "))
        end
        e:line("*reply = m;")
      end
      e:line("return 0;")
    end)
    e:blank()
    e:func(s.recv, function()
      e:line("uint8_t buf[%s];", recv_capacity(r, model))
      e:line("proto_caps caps = { 0, { 0 } };")
      e:line("size_t len = 0;")
      e:line("int rc = t->recv(t->ctx, buf, sizeof buf, &len, &caps);")
      e:line("if (rc < 0) return rc;")
      e:line("rc = %s_decode(buf, len, &caps%s);", base, has_out and ", reply" or "")
      e:line("if (rc != 0) proto_caps_close(t, &caps);")
      e:line("return rc;")
    end)
    e:blank()
    e:func(s.call, function() call_body(n, base .. "_encode", more) end)
    e:blank()
    if s.msg_call then
      -- The struct-taking stubs: no field is a parameter, so the plain names.
      local plain = {}
      for _, name in ipairs(OWN_NAMES) do plain[name] = name end
      e:func(s.msg_encode, function()
        e:line("%s m = %s_init_zero;", u.name, u.name)
        e:line("m.tag = %s_%s_tag;", u.name, v.name)
        e:line("m.u.%s = *request;", v.name)
        e:line("return (int)%s_encode_caps(&m, buf, %s_MAX_SIZE, len, caps);", u.name, u.name)
      end)
      e:blank()
      e:func(s.msg_send, function() send_body(plain, base .. "_msg_encode", ", request") end)
      e:blank()
      e:func(s.msg_call, function() call_body(plain, base .. "_msg_encode", ", request") end)
      e:blank()
    end
  end
  return e:text()
end

function M.generate(file, model, out)
  local rpcs = loader.of_kind(file, "rpc")
  if #rpcs == 0 then return end
  local name = file.protocol.name .. "_client"
  local schema = file.path
  out(name .. ".h", header(file, rpcs, name, schema))
  out(name .. ".c", source(file, model, rpcs, name, schema))
end

return M
