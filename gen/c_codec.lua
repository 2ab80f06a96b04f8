-- C types, constants and codecs of one protocol: generated/P.h and P.c.
-- Wire format: a union is a u8 tag then its variant's fields in order;
-- integers little-endian, fixed width; str valid UTF-8; f32/f64 their IEEE 754 bits, as
-- a u32/u64 (copied, never computed on); bool one byte 0/1; str/bytes a u16
-- length then the bytes (a struct's or variant's budget caps their sum, with
-- what its struct and union fields take beyond their smallest encoding);
-- structs their fields in order, no padding; an opt
-- field one byte 0/1, then its value when 1. An extensible message's
-- decoder skips bytes after its fields and takes an input that ends before
-- a trailing opt field as that field and those after it absent.

local emit = require("emit")
local ct = require("c_types")
local loader = require("loader")
local runtime = require("c_runtime")
local decls = require("c_decls")

local M = {}

local of_kind = loader.of_kind

local has = ct.has

-- The protocol whose .c is being written: its own types' T_write_ and
-- T_read_ are inlined into the fast paths (see emit_codec_pair).
local this_protocol

-- The call that writes or reads nested type d through cursor c ("w" or
-- "r"): in the fast path the inline copy of this file's types.
local function nested(d, op, c, x)
  if d.protocol == this_protocol then
    return string.format("fast ? %s_%s_(%s, %s, true) : %s_%s(%s, %s)", d.name, op, c, x, d.name, op, c, x)
  end
  return string.format("%s_%s(%s, %s)", d.name, op, c, x)
end

-- A struct or union field under a budget: the call that writes or reads it
-- through cursor c (w or r), then what it took beyond its smallest encoding
-- (min bytes) counted into spent, checked once it is all written or read.
local function counted(e, budget, c, call, min)
  e:block("", function()
    e:line("size_t start = %s->pos;", c)
    e:line("PROTO_TRY(%s);", call)
    e:line("spent += (uint32_t)(%s->pos - start - %d);", c, min)
    e:line("if (spent > %s) return PROTO_ERR_OVER_BUDGET;", budget)
  end)
end

-- Statements that write value `x` of type t to writer w.
-- budget: the C bound of the owner's budget, or nil; `spent` counts it.
local function put(e, t, x, depth, budget)
  if t.kind == "opt" then
    e:line("PROTO_TRY(proto_put_u8(w, %s ? 1 : 0));", has(x))
    e:block(string.format("if (%s)", has(x)), function() put(e, t.elem, x, depth, budget) end)
  elseif t.kind == "float" then
    -- Bits only: a copy, never float arithmetic (soft-float RISC-V builds).
    e:block("", function()
      e:line("uint%d_t bits;", t.bytes * 8)
      e:line("__builtin_memcpy(&bits, &%s, %d);", x, t.bytes)
      e:line("PROTO_TRY(proto_put_u%d(w, bits));", t.bytes * 8)
    end)
  elseif t.kind == "int" then
    local bits = t.bytes * 8
    if t.signed then x = string.format("(uint%d_t)%s", bits, x) end
    e:line("PROTO_TRY(proto_put_u%d(w, %s));", bits, x)
  elseif t.kind == "bool" then
    e:line("PROTO_TRY(proto_put_u8(w, %s ? 1 : 0));", x)
  elseif t.kind == "chan" then
    e:line("PROTO_TRY(proto_put_cap(w, %s, true));", x)
  elseif t.kind == "enum" then
    e:line("if (%s_name(%s) == NULL) return PROTO_ERR_BAD_ENUM;", t.decl.name, x)
    put(e, t.decl.type, x, depth)
  elseif t.kind == "str" or t.kind == "bytes" then
    e:line("if (%s.len > %s) return PROTO_ERR_TOO_LONG;", x, ct.bound(t.max, t.max_name))
    if budget then
      e:line("spent += %s.len;", x)
      e:line("if (spent > %s) return PROTO_ERR_OVER_BUDGET;", budget)
    end
    if t.kind == "str" then
      e:line("PROTO_TRY(proto_put_str(w, %s.data, %s.len, sizeof %s.data, fast));", x, x, x)
    else
      e:line("PROTO_TRY(proto_put_u16(w, %s.len));", x)
      e:line("PROTO_TRY(proto_put_bytes(w, %s.data, %s.len, sizeof %s.data, fast));", x, x, x)
    end
  elseif (t.kind == "struct" or t.kind == "union") and budget then
    counted(e, budget, "w", nested(t.decl, "write", "w", "&" .. x), t.decl.min_size)
  elseif t.kind == "struct" or t.kind == "union" then
    e:line("PROTO_TRY(%s);", nested(t.decl, "write", "w", "&" .. x))
  else
    local i = "i" .. depth
    e:block(string.format("for (size_t %s = 0; %s < %s; %s++)", i, i, ct.bound(t.count, t.count_name), i), function()
      put(e, t.elem, x .. "[" .. i .. "]", depth + 1, budget)
    end)
  end
end

-- Statements that read a value of type t from reader r into lvalue x.
local function get(e, t, x, depth, budget)
  if t.kind == "opt" then
    e:line("PROTO_TRY(proto_get_opt(r, &%s));", has(x))
    e:line("__builtin_memset(&%s, 0, sizeof %s);", x, x)
    e:block(string.format("if (%s)", has(x)), function() get(e, t.elem, x, depth, budget) end)
  elseif t.kind == "float" then
    e:block("", function()
      e:line("uint%d_t bits;", t.bytes * 8)
      e:line("PROTO_TRY(proto_get_u%d(r, &bits));", t.bytes * 8)
      e:line("__builtin_memcpy(&%s, &bits, %d);", x, t.bytes)
    end)
  elseif t.kind == "int" then
    local bits = t.bytes * 8
    if t.signed then
      e:block("", function()
        e:line("uint%d_t u;", bits)
        e:line("PROTO_TRY(proto_get_u%d(r, &u));", bits)
        e:line("%s = (int%d_t)u;", x, bits)
      end)
    else
      e:line("PROTO_TRY(proto_get_u%d(r, &%s));", bits, x)
    end
  elseif t.kind == "bool" then
    e:line("PROTO_TRY(proto_get_bool(r, &%s));", x)
  elseif t.kind == "chan" then
    e:line("PROTO_TRY(proto_get_chan(r, &%s));", x)
  elseif t.kind == "enum" then
    get(e, t.decl.type, x, depth)
    e:line("if (%s_name(%s) == NULL) return PROTO_ERR_BAD_ENUM;", t.decl.name, x)
  elseif t.kind == "str" or t.kind == "bytes" then
    if budget then
      e:line("PROTO_TRY(proto_get_len_budget(r, %s, &%s.len, &spent, %s));", ct.bound(t.max, t.max_name), x, budget)
    else
      e:line("PROTO_TRY(proto_get_len(r, %s, &%s.len));", ct.bound(t.max, t.max_name), x)
    end
    e:line("PROTO_TRY(proto_get_%s(r, %s.data, %s.len, fast));", t.kind == "str" and "str" or "bytes", x, x)
  elseif (t.kind == "struct" or t.kind == "union") and budget then
    counted(e, budget, "r", nested(t.decl, "read", "r", "&" .. x), t.decl.min_size)
  elseif t.kind == "struct" or t.kind == "union" then
    e:line("PROTO_TRY(%s);", nested(t.decl, "read", "r", "&" .. x))
  else
    local i = "i" .. depth
    e:block(string.format("for (size_t %s = 0; %s < %s; %s++)", i, i, ct.bound(t.count, t.count_name), i), function()
      get(e, t.elem, x .. "[" .. i .. "]", depth + 1, budget)
    end)
  end
end

-- The wire size of a type that is only integers and floats (arrays of them
-- too), or nil: a run of such fields can fail only by running out of room,
-- so it is checked once (proto_need / proto_have) and moved unchecked.
local function plain_size(t)
  if t.kind == "int" or t.kind == "float" then return t.bytes end
  if t.kind == "array" then
    local b = plain_size(t.elem)
    return b and b * t.count
  end
end

-- Statements that write plain value x (after proto_need), or read it
-- (after proto_have): an array element by element.
local function raw(e, t, x, depth, scalar)
  if t.kind ~= "array" then return scalar(e, t, x) end
  local i = "i" .. depth
  e:block(string.format("for (size_t %s = 0; %s < %s; %s++)", i, i, ct.bound(t.count, t.count_name), i), function()
    raw(e, t.elem, x .. "[" .. i .. "]", depth + 1, scalar)
  end)
end

local function put_raw(e, t, x)
  local bits = t.bytes * 8
  if t.kind == "float" then
    e:block("", function()
      e:line("uint%d_t bits;", bits)
      e:line("__builtin_memcpy(&bits, &%s, %d);", x, t.bytes)
      e:line("proto_put_u%d_raw(w, bits);", bits)
    end)
  else
    e:line("proto_put_u%d_raw(w, %s);", bits, t.signed and string.format("(uint%d_t)%s", bits, x) or x)
  end
end

local function get_raw(e, t, x)
  local bits = t.bytes * 8
  if t.kind == "float" then
    e:block("", function()
      e:line("uint%d_t bits = proto_get_u%d_raw(r);", bits, bits)
      e:line("__builtin_memcpy(&%s, &bits, %d);", x, t.bytes)
    end)
  else
    e:line("%s = %sproto_get_u%d_raw(r);", x, t.signed and string.format("(int%d_t)", bits) or "", bits)
  end
end

-- The index of the first of the opt fields that end the list (#list + 1
-- when the last is not opt): an extensible message's input may end before
-- any of them.
local function opt_tail(list)
  local first = #list + 1
  while first > 1 and list[first - 1].type.kind == "opt" do first = first - 1 end
  return first
end

-- Reads opt field x of an extensible message's trailing opt fields: an
-- input that ends before it (an older peer's message) leaves it absent.
local function get_tail_opt(e, t, x, budget)
  e:line("if (r->pos == r->len) %s = false;", has(x))
  e:line("else PROTO_TRY(proto_get_opt(r, &%s));", has(x))
  e:line("__builtin_memset(&%s, 0, sizeof %s);", x, x)
  e:block(string.format("if (%s)", has(x)), function() get(e, t.elem, x, 0, budget) end)
end

-- The statements for a struct's or variant's fields (x prefix: "m->" or
-- "m->u.V."), in order; two or more plain values in a row are one run.
-- tail (reading an extensible message): the index of its first trailing
-- opt field (opt_tail).
local function fields(e, op, list, prefix, budget, tail)
  local i = 1
  while i <= #list do
    local j, size, values = i, 0, 0
    while j <= #list and plain_size(list[j].type) do
      size = size + plain_size(list[j].type)
      values = values + (list[j].type.kind == "array" and 2 or 1)
      j = j + 1
    end
    if values >= 2 then
      e:line(op == put and "PROTO_TRY(proto_need(w, %d));" or "PROTO_TRY(proto_have(r, %d));", size)
      for k = i, j - 1 do raw(e, list[k].type, prefix .. list[k].name, 0, op == put and put_raw or get_raw) end
      i = j
    elseif op == get and tail and i >= tail then
      get_tail_opt(e, list[i].type, prefix .. list[i].name, budget)
      i = i + 1
    else
      op(e, list[i].type, prefix .. list[i].name, 0, budget)
      i = i + 1
    end
  end
end

local members = decls.members
local emit_union

-- A variant's declared caps go first, at positions 0.., with no bytes.
local function put_declared_cap(e, _, x) e:line("PROTO_TRY(proto_put_cap(w, %s, false));", x) end
local function get_declared_cap(e, i, x) e:line("PROTO_TRY(proto_take_cap(r, %d, &%s));", i, x) end

local function emit_service_name(e, file)
  local p = file.protocol
  if not p.service then return end
  e:comment("The name this protocol's service registers under; clients pass it to ConnectService.")
  e:line("#define %s_SERVICE_NAME \"%s\"", ct.upper(p.name), p.service)
end

-- What user space needs to check another object's copy of each bpf_map.
local function emit_map_shapes(e, file)
  for _, m in ipairs(of_kind(file, "bpf_map")) do
    local p = ct.upper(m.name)
    e:comment(m.doc)
    e:line("#define %s_MAP_NAME \"%s\"", p, m.name)
    e:line("#define %s_MAP_TYPE BPF_MAP_TYPE_%s /* from <linux/bpf.h> */", p, m.map_type:upper())
    e:line("#define %s_KEY_SIZE %d", p, m.key.bytes)
    e:line("#define %s_VALUE_SIZE %d", p, m.value.size)
    e:line("#define %s_MAX_ENTRIES %d", p, m.max_entries)
    e:blank()
  end
end

-- encode/decode carry no capabilities (a message with one fails with
-- PROTO_ERR_BAD_CAP); the _caps pair appends them to / takes them from caps,
-- and decode_caps fails unless the message claims every cap received.
local function codec_prototypes(e, name)
  e:line("PROTO_MUST_CHECK proto_err %s_encode(const %s *m, uint8_t *buf, size_t cap, size_t *len);", name, name)
  e:line("PROTO_MUST_CHECK proto_err %s_decode(%s *m, const uint8_t *buf, size_t len);", name, name)
  e:line("PROTO_MUST_CHECK proto_err %s_encode_caps(const %s *m, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);", name, name)
  e:line("PROTO_MUST_CHECK proto_err %s_decode_caps(%s *m, const uint8_t *buf, size_t len, const proto_caps *caps);", name, name)
  e:line("PROTO_MUST_CHECK proto_err %s_write(proto_writer *w, const %s *m);", name, name)
  e:line("PROTO_MUST_CHECK proto_err %s_read(proto_reader *r, %s *m);", name, name)
  e:blank()
end

-- The file's wire structs, then its unions, each after the ones of this
-- file its fields use (a struct may hold a union, a union a struct).
local function wire_decls_in_order(file)
  local out, seen = {}, {}
  local function visit(d)
    if seen[d] or d.protocol ~= file.protocol.name then return end
    seen[d] = true
    local function walk(t)
      if t.kind == "array" or t.kind == "opt" then walk(t.elem)
      elseif t.kind == "struct" or t.kind == "union" then visit(t.decl) end
    end
    for _, f in ipairs(d.fields or {}) do walk(f.type) end
    for _, v in ipairs(d.variants or {}) do for _, f in ipairs(v.fields) do walk(f.type) end end
    out[#out + 1] = d
  end
  for _, s in ipairs(of_kind(file, "struct")) do if s.layout == "wire" then visit(s) end end
  for _, u in ipairs(of_kind(file, "union")) do visit(u) end
  return out
end

-- NAME_EXTENSIBLE: 1 when the message may grow (extensible = true).
local function extensible_macro(e, d)
  if d.extensible then
    e:comment(string.format("%s is extensible: its decoders skip bytes after the fields they know (a newer peer's) and read a message that ends before its trailing opt fields with them absent (an older peer's). %s_MAX_SIZE is the most this side encodes; a newer peer's message may be longer, up to PROTO_MAX_MSG_SIZE: size receive buffers by that.", d.name, d.name))
  end
  e:line("#define %s_EXTENSIBLE %d", d.name, d.extensible and 1 or 0)
end

local function emit_wire_struct(e, s)
  e:comment(s.doc)
  e:block("typedef struct " .. s.name, function() members(e, s.fields, "c") end, " " .. s.name .. ";")
  e:line("#define %s_init_zero {0}", s.name)
  e:line("#define %s_MAX_SIZE %d", s.name, s.max_size)
  extensible_macro(e, s)
  codec_prototypes(e, s.name)
end

local function emit_wire_types(e, file)
  for _, d in ipairs(wire_decls_in_order(file)) do
    if d.kind == "struct" then emit_wire_struct(e, d) else emit_union(e, d) end
  end
end

function emit_union(e, u)
  e:comment(u.doc)
  e:block("enum", function()
    for _, v in ipairs(u.variants) do e:line("%s_%s_tag = %d,", u.name, v.name, v.tag) end
  end, ";")
  local with_fields = {}
  for _, v in ipairs(u.variants) do
    e:line("#define %s_%s_MAX_SIZE %d", u.name, v.name, v.max_size)
    if v.ncaps > 0 then e:line("#define %s_%s_MAX_CAPS %d", u.name, v.name, v.ncaps) end
    if #v.fields > 0 or #v.caps > 0 then
      with_fields[#with_fields + 1] = v
      e:comment(v.doc)
      e:block("typedef struct " .. u.name .. "_" .. v.name, function()
        members(e, v.fields, "c")
        for i, c in ipairs(v.caps) do
          e:comment(string.format("Capability %d (protocol %s), beside the bytes: %s", i - 1, c.protocol, c.doc))
          e:line("uint32_t %s;", c.name)
        end
      end, " " .. u.name .. "_" .. v.name .. ";")
      e:line("#define %s_%s_init_zero {0}", u.name, v.name)
    else
      e:comment(u.name .. "." .. v.name .. " has no fields: " .. v.doc)
    end
  end
  e:block("typedef struct " .. u.name, function()
    e:line("uint8_t tag; /* %s_*_tag */", u.name)
    if #with_fields > 0 then
      e:block("union", function()
        for _, v in ipairs(with_fields) do e:line("%s_%s %s;", u.name, v.name, v.name) end
      end, " u;")
    end
  end, " " .. u.name .. ";")
  e:line("#define %s_init_zero {0}", u.name)
  e:line("#define %s_MAX_SIZE %d", u.name, u.max_size)
  e:line("#define %s_MAX_CAPS %d", u.name, u.max_caps)
  extensible_macro(e, u)
  codec_prototypes(e, u.name)
end

local function header(file, model, name)
  local e = emit.new()
  emit.c_header_open(e, file.path, "gen/c_codec.lua", name .. ".h")
  -- Only a protocol with messages needs the codec runtime: one of consts,
  -- enums and C-layout structs (sync_timer.lua) stands alone.
  local wire = #wire_decls_in_order(file) > 0
  if wire then
    e:line("#include \"proto.h\"")
  else
    for _, h in ipairs({ "stdbool.h", "stddef.h", "stdint.h" }) do e:line("#include <%s>", h) end
  end
  for _, dep in ipairs(ct.deps(file, model)) do e:line("#include \"%s.h\"", dep) end
  e:blank()
  if wire then
    e:line("#if PROTO_GEN_VERSION != %d", runtime.VERSION)
    e:line("#error \"%s was generated for another version of proto.h: run ninja gen\"", name)
    e:line("#endif")
  else
    emit.c_static_assert_shim(e)
  end
  e:blank()
  emit_service_name(e, file)
  decls.consts(e, file)
  decls.enums(e, file, true)
  decls.c_structs(e, file, "c")
  emit_map_shapes(e, file)
  emit_wire_types(e, file)
  decls.invariants(e, file, model)
  emit.c_header_close(e)
  return e:text()
end

-- The end of a T_write / T_read body: the cursor's copy handed back.
local function done(e)
  e:line("*cursor = c;")
  e:line("return PROTO_OK;")
end

-- One body per direction and type: T_write_ / T_read_, always inlined,
-- with a flag fast (see PROTO_FAST_PATHS in proto.h): T_write and T_read
-- are the careful ones (fast false), which other files' codecs call for
-- their nested fields; encode and decode first run the fast one, with no
-- call in it, and unless it ends well jump to the careful encode or decode,
-- which starts over. Each body works on a local copy of the cursor, handed
-- back when it is done (on an error the caller stops anyway): the copy's
-- address goes to inline helpers only, so the compiler keeps it in
-- registers, where the caller's cursor would be stored and reloaded around
-- every out-of-line call.
-- extensible: the message may grow, so its decoders skip bytes after the
-- fields they know instead of refusing them (careful and fast alike).
local function emit_codec_pair(e, name, write_body, read_body, extensible)
  e:func(string.format("static PROTO_ALWAYS_INLINE proto_err %s_write_(proto_writer *cursor, const %s *m, bool fast)", name, name), function()
    e:line("proto_writer c = *cursor, *w = &c;")
    e:line("(void)fast;")
    write_body()
  end)
  e:blank()
  e:func(string.format("static PROTO_ALWAYS_INLINE proto_err %s_read_(proto_reader *cursor, %s *m, bool fast)", name, name), function()
    e:line("proto_reader c = *cursor, *r = &c;")
    e:line("(void)fast;")
    read_body()
  end)
  e:blank()
  e:func(string.format("proto_err %s_write(proto_writer *cursor, const %s *m)", name, name), function()
    e:line("return %s_write_(cursor, m, false);", name)
  end)
  e:blank()
  e:func(string.format("proto_err %s_read(proto_reader *cursor, %s *m)", name, name), function()
    e:line("return %s_read_(cursor, m, false);", name)
  end)
  e:blank()
  e:func(string.format("static PROTO_CAREFUL proto_err %s_encode_careful(const %s *m, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)", name, name), function()
    e:line("proto_writer w;")
    e:line("proto_writer_init(&w, buf, cap, caps);")
    e:line("if (caps != NULL) caps->n = 0;")
    e:line("PROTO_TRY(%s_write(&w, m));", name)
    e:line("*len = w.pos;")
    e:line("return PROTO_OK;")
  end)
  e:blank()
  e:func(string.format("static PROTO_CAREFUL proto_err %s_decode_careful(%s *m, const uint8_t *buf, size_t len, const proto_caps *caps)", name, name), function()
    e:line("proto_reader r;")
    e:line("proto_reader_init(&r, buf, len, caps);")
    e:line("PROTO_TRY(%s_read(&r, m));", name)
    if extensible then
      e:comment("Extensible: bytes after the known fields are a newer peer's, skipped.")
    else
      e:line("if (r.pos != len) return PROTO_ERR_TRAILING_BYTES;")
    end
    e:line("return proto_caps_all_taken(&r);")
  end)
  e:blank()
  -- With fast paths, encode and encode_caps (decode and decode_caps) are
  -- each a copy of one inline body: without caps, the fast path has no test
  -- of them left.
  e:func(string.format("static PROTO_ALWAYS_INLINE proto_err %s_encode_(const %s *m, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)", name, name), function()
    e:line("#if PROTO_FAST_PATHS")
    e:line("proto_writer w;")
    e:line("proto_writer_init(&w, buf, cap, caps);")
    e:line("if (caps != NULL) caps->n = 0;")
    e:block(string.format("if (%s_write_(&w, m, true) == PROTO_OK && proto_seen_ascii(w.seen, w.seen_word))", name), function()
      e:line("*len = w.pos;")
      e:line("return PROTO_OK;")
    end)
    e:line("#endif")
    e:line("return %s_encode_careful(m, buf, cap, len, caps);", name)
  end)
  e:blank()
  e:func(string.format("static PROTO_ALWAYS_INLINE proto_err %s_decode_(%s *m, const uint8_t *buf, size_t len, const proto_caps *caps)", name, name), function()
    e:line("#if PROTO_FAST_PATHS")
    e:line("proto_reader r;")
    e:line("proto_reader_init(&r, buf, len, caps);")
    e:line("if (%s_read_(&r, m, true) == PROTO_OK && proto_seen_ascii(r.seen, r.seen_word) && %s &&", name,
      extensible and "true /* extensible: bytes after the fields skipped */" or "r.pos == len")
    e:line("    proto_caps_all_taken(&r) == PROTO_OK) return PROTO_OK;")
    e:line("#endif")
    e:line("return %s_decode_careful(m, buf, len, caps);", name)
  end)
  e:blank()
  e:func(string.format("proto_err %s_encode_caps(const %s *m, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)", name, name), function()
    e:line("return %s_encode_(m, buf, cap, len, caps);", name)
  end)
  e:blank()
  e:func(string.format("proto_err %s_decode_caps(%s *m, const uint8_t *buf, size_t len, const proto_caps *caps)", name, name), function()
    e:line("return %s_decode_(m, buf, len, caps);", name)
  end)
  e:blank()
  e:func(string.format("proto_err %s_encode(const %s *m, uint8_t *buf, size_t cap, size_t *len)", name, name), function()
    e:line("return %s_encode_(m, buf, cap, len, NULL);", name)
  end)
  e:blank()
  e:func(string.format("proto_err %s_decode(%s *m, const uint8_t *buf, size_t len)", name, name), function()
    e:line("return %s_decode_(m, buf, len, NULL);", name)
  end)
  e:blank()
end

local function source(file, model, name)
  this_protocol = file.protocol.name
  local e = emit.new()
  emit.c_source_open(e, file.path, "gen/c_codec.lua", name .. ".h")
  -- The inline bodies, declared first: a struct's may use a union's below.
  local wire = wire_decls_in_order(file)
  for _, d in ipairs(wire) do
    e:line("static PROTO_ALWAYS_INLINE proto_err %s_write_(proto_writer *cursor, const %s *m, bool fast);", d.name, d.name)
    e:line("static PROTO_ALWAYS_INLINE proto_err %s_read_(proto_reader *cursor, %s *m, bool fast);", d.name, d.name)
  end
  if #wire > 0 then e:blank() end
  for _, en in ipairs(of_kind(file, "enum")) do
    e:func(string.format("const char *%s_name(%s v)", en.name, ct.int_c(en.type)), function()
      e:block("switch (v)", function()
        for _, v in ipairs(en.values) do e:line("case %s: return \"%s\";", ct.enum_value(en, v), v.name) end
      end)
      e:line("return NULL;")
    end)
    e:blank()
  end
  for _, s in ipairs(of_kind(file, "struct")) do
    if s.layout == "wire" then
      local budget = s.budget and ct.bound(s.budget, s.budget_name)
      emit_codec_pair(e, s.name, function()
        if budget then e:line("uint32_t spent = 0;") end
        fields(e, put, s.fields, "m->", budget)
        done(e)
      end, function()
        if budget then e:line("uint32_t spent = 0;") end
        fields(e, get, s.fields, "m->", budget, s.extensible and opt_tail(s.fields))
        done(e)
      end, s.extensible)
    end
  end
  for _, u in ipairs(of_kind(file, "union")) do
    local function cases(field_op, cap_op, prefix)
      local extensible = u.extensible and field_op == get
      e:block("switch (m->tag)", function()
        for _, v in ipairs(u.variants) do
          e:line("case %s_%s_tag:", u.name, v.name)
          local budget = v.budget and ct.bound(v.budget, v.budget_name)
          local function body()
            if budget then e:line("uint32_t spent = 0;") end
            for i, c in ipairs(v.caps) do cap_op(e, i - 1, prefix .. v.name .. "." .. c.name) end
            fields(e, field_op, v.fields, prefix .. v.name .. ".", budget, extensible and opt_tail(v.fields))
            done(e)
          end
          e:indent(function()
            if budget then e:block("", body) else body() end
          end)
        end
        e:line("default:")
        e:indent(function() e:line("return PROTO_ERR_UNKNOWN_TAG;") end)
      end)
    end
    emit_codec_pair(e, u.name, function()
      e:line("PROTO_TRY(proto_put_u8(w, m->tag));")
      cases(put, put_declared_cap, "m->u.")
    end, function()
      e:line("PROTO_TRY(proto_get_u8(r, &m->tag));")
      cases(get, get_declared_cap, "m->u.")
    end, u.extensible)
  end
  return e:text()
end

function M.generate(file, model, out)
  local name = file.protocol.name
  out(name .. ".h", header(file, model, name))
  out(name .. ".c", source(file, model, name))
end

return M
