-- The wire lock: generated/wire.lock, the wire shape old peers rely on.
--
-- For every union its variants (tag, name, fields in order with their types
-- and bounds), every wire struct's fields and every enum's type and values,
-- with the tags of removed variants kept as retired and the reason of each
-- declared break. Each run compares the schemas with the previous lock and
-- refuses a change that breaks old peers, naming the declaration:
--
--   schema/timer.lua:33: TimerRequest.After: field duration_us was u64, now u32 (breaks old peers; ...)
--
-- Additions pass and extend the lock: a new variant on a new tag, a new enum
-- value, a larger str/bytes bound, a new union, struct, enum or protocol, a
-- message made extensible, and an opt field appended to an extensible
-- message's fields (a variant of an extensible union, or an extensible
-- struct): its old decoders skip the bytes, its new ones read an old
-- message, which ends before it, with it absent. Appending any other field
-- to it, or taking extensible away, is a break.
-- A break passes only under `wire_break "Name" { reason = "..." }` whose
-- reason the lock does not hold yet; the reason is then recorded, so each
-- later break needs a new declaration. Entries of protocols not in this run
-- are carried over as they are.
--
-- The lock is text, one fact per line, sorted by protocol, kind and name:
--
--   protocol timer
--   union TimerRequest          ("union ProbeEvent extensible": a message
--                                that may grow by appended opt fields)
--     tag 0 After
--       field duration_us u64
--     retired 5 Cancel
--     budget 64                 (a variant's or struct's budget, when it has one)
--     break Cancel is gone: clients re-arm with After.
--   enum kernel_error u32
--     value OK 0
--   rpc after
--     request TimerRequest.After
--     reply TimerResponse.Expired   (one line per variant of a response list;
--                                    a whole union or a struct by its name)
--
-- An rpc's lines are a record for the reader and bind nothing: which request
-- variant a stub sends and which replies it takes change no message's bytes,
-- and the unions they name are held by the rules above (a stub that takes
-- fewer replies than the service sends fails with UNEXPECTED_REPLY, as an old
-- one does on a new variant).

local loader = require("loader")
local files = require("files")

local M = {}

local KIND_ORDER = { union = 1, struct = 2, enum = 3, rpc = 4 }

local function fail_at(file, line, fmt, ...)
  error(string.format("%s:%d: ", file, line) .. string.format(fmt, ...), 0)
end

-- A field type as lock text: "u64", "str max=32", "struct ProbePoint count=2",
-- "chan any" (a channel index, with its protocol), "opt u32" (an opt field:
-- a presence byte, then the value).
local function type_text(t)
  if t.kind == "opt" then return "opt " .. type_text(t.elem) end
  local count
  if t.kind == "array" then count, t = t.count, t.elem end
  local s
  if t.kind == "int" or t.kind == "float" then s = t.name
  elseif t.kind == "bool" then s = "bool"
  elseif t.kind == "str" or t.kind == "bytes" then s = string.format("%s max=%d", t.kind, t.max)
  elseif t.kind == "chan" then s = "chan " .. t.protocol
  else s = t.kind .. " " .. t.decl.name end
  return count and string.format("%s count=%d", s, count) or s
end

-- Lock text of a type -> { base = "str", max = 32, count = 2 }.
local function parse_type(text)
  local words = {}
  for w in text:gmatch("%S+") do words[#words + 1] = w end
  local opt = words[1] == "opt" and table.remove(words, 1)
  local t, first = { base = words[1] }, 2
  if t.base == "enum" or t.base == "struct" or t.base == "union" or t.base == "chan" or t.base == "cap" then
    t.base, first = t.base .. " " .. words[2], 3
  end
  for i = first, #words do
    local k, v = words[i]:match("^(%a+)=(%d+)$")
    if k then t[k] = math.tointeger(tonumber(v)) end
  end
  if opt then t.base = "opt " .. t.base end
  return t
end

local function reason_text(s) return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end

-- The model's wire shape: entries by name, each with the node it came from.
local function fields_shape(fields)
  local out = {}
  for _, f in ipairs(fields) do
    out[#out + 1] = { name = f.name, type = type_text(f.type), file = f.file, line = f.line }
  end
  return out
end

local function current_shape(model)
  local entries, order = {}, {}
  local function add(e, d)
    e.name, e.protocol, e.file, e.line, e.breaks, e.retired = d.name, d.protocol, d.file, d.line, {}, {}
    entries[d.name] = e
    order[#order + 1] = e
  end
  for _, file in ipairs(model.files) do
    for _, d in ipairs(file.decls) do
      if d.kind == "union" then
        local variants = {}
        for _, v in ipairs(d.variants) do
          -- A declared capability is part of the shape too: "cap <protocol>"
          -- after the fields, in position order.
          local shape = fields_shape(v.fields)
          for _, c in ipairs(v.caps) do
            shape[#shape + 1] = { name = c.name, type = "cap " .. c.protocol, file = v.file, line = c.line }
          end
          variants[#variants + 1] = { tag = v.tag, name = v.name, fields = shape, budget = v.budget, file = v.file, line = v.line }
        end
        table.sort(variants, function(a, b) return a.tag < b.tag end)
        add({ kind = "union", variants = variants, extensible = d.extensible }, d)
      elseif d.kind == "struct" and d.layout == "wire" then
        add({ kind = "struct", fields = fields_shape(d.fields), budget = d.budget, extensible = d.extensible }, d)
      elseif d.kind == "enum" then
        local values = {}
        for _, v in ipairs(d.values) do values[#values + 1] = { name = v.name, value = v.value, file = d.file, line = v.line } end
        add({ kind = "enum", type = d.type.name, values = values }, d)
      elseif d.kind == "rpc" then
        -- Not in entries: an rpc may share a union's name; nothing compares it.
        order[#order + 1] = { kind = "rpc", name = d.name, protocol = d.protocol, breaks = {}, retired = {},
          request = d.request_union.name .. "." .. d.request.name, replies = loader.reply_names(d, ".") }
      end
    end
  end
  return entries, order
end

-- Reading and writing the lock ----------------------------------------------

function M.parse(text, path)
  local entries, order = {}, {}
  local protocol, entry, fields, container
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local function bad() fail_at(path, n, "cannot read this wire lock line: %s", line) end
    local indent, body = line:match("^( *)(.*)$")
    if body == "" or body:match("^#") then
      -- a comment
    elseif indent == "" and body:match("^protocol ") then
      protocol = body:match("^protocol ([%w_]+)$") or bad()
    elseif indent == "" then
      local kind, name, rest = body:match("^(%a+) ([%w_]+)(.*)$")
      if not KIND_ORDER[kind] or not protocol then bad() end
      entry = { kind = kind, name = name, protocol = protocol, variants = {}, fields = {}, values = {},
        retired = {}, breaks = {}, replies = {} }
      if rest:match(" removed$") then entry.removed, rest = true, rest:gsub(" removed$", "") end
      if rest:match(" extensible$") and (kind == "union" or kind == "struct") then
        entry.extensible, rest = true, rest:gsub(" extensible$", "")
      end
      if kind == "enum" then entry.type = rest:match("^ ([%w_]+)$") or bad() elseif rest ~= "" then bad() end
      if kind ~= "rpc" then entries[name] = entry end
      order[#order + 1] = entry
      fields, container = entry.fields, entry
    elseif not entry then bad()
    elseif entry.kind == "rpc" then
      local word, ref = body:match("^(%a+) ([%w_.]+)$")
      if word == "request" then entry.request = ref
      elseif word == "reply" then entry.replies[#entry.replies + 1] = ref
      else bad() end
    elseif body:match("^break ") then entry.breaks[#entry.breaks + 1] = body:sub(7)
    elseif body:match("^budget ") then container.budget = math.tointeger(tonumber(body:match("^budget (%d+)$"))) or bad()
    else
      local word, a, b = body:match("^(%a+) ([%w_]+) (.+)$")
      if word == "tag" or word == "retired" then
        local v = { tag = math.tointeger(tonumber(a)) or bad(), name = b, fields = {} }
        table.insert(word == "tag" and entry.variants or entry.retired, v)
        fields, container = v.fields, v
      elseif word == "field" then fields[#fields + 1] = { name = a, type = b }
      elseif word == "value" and entry.kind == "enum" then
        entry.values[#entry.values + 1] = { name = a, value = math.tointeger(tonumber(b)) or bad() }
      else bad() end
    end
  end
  return entries, order
end

local function render(order)
  table.sort(order, function(a, b)
    if a.protocol ~= b.protocol then return a.protocol < b.protocol end
    if a.kind ~= b.kind then return KIND_ORDER[a.kind] < KIND_ORDER[b.kind] end
    return a.name < b.name
  end)
  local lines = {
    "# Generated by gen/wire_lock.lua from schema/*.lua and the lock before it. Do not edit: change the schema and run `ninja gen`.",
    "# The wire shape old peers rely on. gen/cli.lua refuses a change that breaks it unless the schema",
    "# declares wire_break \"Name\" { reason = \"...\" }; retired tags may never be used again.",
    "# An rpc's request and reply lines are a record for the reader; they bind nothing.",
  }
  local function add(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  local function fields(list, indent)
    for _, f in ipairs(list) do add("%sfield %s %s", indent, f.name, f.type) end
  end
  local protocol
  for _, e in ipairs(order) do
    if e.protocol ~= protocol then
      protocol = e.protocol
      add("")
      add("protocol %s", protocol)
    end
    add("%s %s%s%s%s", e.kind, e.name, e.kind == "enum" and " " .. e.type or "", e.extensible and " extensible" or "",
      e.removed and " removed" or "")
    local tags = {}
    for _, v in ipairs(e.variants or {}) do tags[#tags + 1] = { word = "tag", v = v } end
    for _, v in ipairs(e.retired) do tags[#tags + 1] = { word = "retired", v = v } end
    table.sort(tags, function(a, b) return a.v.tag < b.v.tag end)
    for _, t in ipairs(tags) do
      add("  %s %d %s", t.word, t.v.tag, t.v.name)
      fields(t.v.fields, "    ")
      if t.v.budget then add("    budget %d", t.v.budget) end
    end
    if e.kind == "struct" then fields(e.fields, "  ") end
    if e.kind == "struct" and e.budget then add("  budget %d", e.budget) end
    for _, v in ipairs(e.values or {}) do add("  value %s %d", v.name, v.value) end
    if e.kind == "rpc" then
      add("  request %s", e.request)
      for _, r in ipairs(e.replies) do add("  reply %s", r) end
    end
    for _, r in ipairs(e.breaks) do add("  break %s", r) end
  end
  return table.concat(lines, "\n") .. "\n"
end

-- Comparing ------------------------------------------------------------------

-- Each compare function appends { file, line, text } for every break it finds.
-- extensible: old and new are the fields of a message extensible in both,
-- to which opt fields may be appended.
local function compare_list(problems, owner, old, new, parent, extensible)
  local position = {}
  for i, f in ipairs(new) do position[f.name] = i end
  for i, of in ipairs(old) do
    local nf = new[i]
    if nf and nf.name == of.name then
      local o, n = parse_type(of.type), parse_type(nf.type)
      local shrunk = o.max and n.max and n.max < o.max
      if o.base ~= n.base or o.count ~= n.count or (o.max == nil) ~= (n.max == nil) or shrunk then
        problems[#problems + 1] = { nf, string.format("%s: field %s was %s, now %s", owner, of.name, of.type, nf.type) }
      end
    elseif position[of.name] then
      problems[#problems + 1] = { new[position[of.name]],
        string.format("%s: field %s was field %d, now field %d", owner, of.name, i, position[of.name]) }
    else
      problems[#problems + 1] = { nf or parent, string.format("%s: field %s (%s) was removed", owner, of.name, of.type) }
    end
  end
  for i = #old + 1, #new do
    local nf = new[i]
    if extensible and nf.type:match("^opt ") then
      -- Appended to an extensible message: an addition.
    elseif extensible then
      problems[#problems + 1] = { nf, string.format("%s: field %s (%s) was appended to an extensible message; only an opt " ..
        "field may be (an older peer's message ends before it)", owner, nf.name, nf.type) }
    elseif not position[nf.name] or position[nf.name] > #old then
      problems[#problems + 1] = { nf, string.format("%s: field %s (%s) was added; old peers reject the longer message",
        owner, nf.name, nf.type) }
    end
  end
end

-- A variant's or struct's fields, then its declared caps (lock lines of
-- type "cap P", after the fields): each list compared apart, so that a
-- field appended to an extensible message does not move the caps.
local function compare_fields(problems, owner, old, new, parent, extensible)
  local function split(list)
    local fields, caps = {}, {}
    for _, f in ipairs(list) do table.insert(f.type:match("^cap ") and caps or fields, f) end
    return fields, caps
  end
  local old_fields, old_caps = split(old)
  local new_fields, new_caps = split(new)
  compare_list(problems, owner, old_fields, new_fields, parent, extensible)
  compare_list(problems, owner, old_caps, new_caps, parent)
end

-- extensible taken away: new decoders would refuse what grown peers send.
local function compare_extensible(problems, old, new)
  if old.extensible and not new.extensible then
    problems[#problems + 1] = { new, string.format("%s %s was extensible, now is not (its decoders would refuse a message " ..
      "with fields appended)", new.kind, new.name) }
  end
end

-- A budget added or made smaller breaks old peers like a shrunk max: what
-- they may send, new peers refuse. A larger or removed budget extends.
local function compare_budget(problems, owner, old, new, node)
  if new.budget and (not old.budget or new.budget < old.budget) then
    problems[#problems + 1] = { node, string.format("%s: budget was %s, now %d", owner,
      old.budget and tostring(old.budget) or "none", new.budget) }
  end
end

local function by(list, key)
  local map = {}
  for _, x in ipairs(list) do map[x[key]] = x end
  return map
end

local function compare_union(problems, old, new)
  local new_by_name, new_by_tag = by(new.variants, "name"), by(new.variants, "tag")
  local old_by_name, retired = by(old.variants, "name"), by(old.retired, "tag")
  for _, ov in ipairs(old.variants) do
    local nv = new_by_name[ov.name]
    if not nv then
      local other = new_by_tag[ov.tag]
      if other then
        problems[#problems + 1] = { other, string.format("%s: tag %d was %s, now %s", new.name, ov.tag, ov.name, other.name) }
      else
        problems[#problems + 1] = { new, string.format("%s: variant %s (tag %d) was removed", new.name, ov.name, ov.tag) }
      end
    elseif nv.tag ~= ov.tag then
      problems[#problems + 1] = { nv, string.format("%s.%s: tag was %d, now %d", new.name, nv.name, ov.tag, nv.tag) }
    else
      compare_fields(problems, new.name .. "." .. nv.name, ov.fields, nv.fields, nv, old.extensible and new.extensible)
      compare_budget(problems, new.name .. "." .. nv.name, ov, nv, nv)
    end
  end
  for _, nv in ipairs(new.variants) do
    local r = retired[nv.tag]
    if not old_by_name[nv.name] and r then
      problems[#problems + 1] = { nv, string.format("%s: tag %d was retired from %s, now %s", new.name, nv.tag, r.name, nv.name) }
    end
  end
end

local function compare_enum(problems, old, new)
  if old.type ~= new.type then
    problems[#problems + 1] = { new, string.format("enum %s: type was %s, now %s", new.name, old.type, new.type) }
  end
  local new_by_name = by(new.values, "name")
  for _, ov in ipairs(old.values) do
    local nv = new_by_name[ov.name]
    if not nv then
      problems[#problems + 1] = { new, string.format("enum %s: value %s (%d) was removed", new.name, ov.name, ov.value) }
    elseif nv.value ~= ov.value then
      problems[#problems + 1] = { nv, string.format("enum %s: value %s was %d, now %d", new.name, ov.name, ov.value, nv.value) }
    end
  end
end

local function compare(old, new)
  local problems = {}
  if old.removed then
    -- Re-declared after a break: only its retired tags still bind it.
    if new.kind == "union" then compare_union(problems, { variants = {}, retired = old.retired }, new) end
  elseif old.kind ~= new.kind then
    problems[1] = { new, string.format("%s was a %s, now a %s", new.name, old.kind, new.kind) }
  elseif new.kind == "union" then
    compare_extensible(problems, old, new)
    compare_union(problems, old, new)
  elseif new.kind == "struct" then
    compare_extensible(problems, old, new)
    compare_fields(problems, "struct " .. new.name, old.fields, new.fields, new, old.extensible and new.extensible)
    compare_budget(problems, "struct " .. new.name, old, new, new)
  else compare_enum(problems, old, new) end
  return problems
end

-- Tags old peers know that this entry no longer uses: retired for good.
local function merge_retired(old, new)
  local used, out = by(new.variants or {}, "tag"), {}
  local function keep(v)
    if not used[v.tag] then used[v.tag] = v; out[#out + 1] = { tag = v.tag, name = v.name, fields = v.fields } end
  end
  for _, v in ipairs(old.retired) do keep(v) end
  for _, v in ipairs(old.variants or {}) do keep(v) end
  return out
end

-- The reasons of the schemas' wire_break declarations, by name. With a
-- previous lock, each must name something in it or in the schemas.
local function declared_breaks(model, new, old, have_lock)
  local declared = {}
  for _, file in ipairs(model.files) do
    for _, d in ipairs(file.decls) do
      if d.kind == "wire_break" then
        if have_lock and not new[d.name] and not old[d.name] then
          fail_at(d.file, d.line, "wire_break \"%s\": no union, wire struct or enum of that name", d.name)
        end
        declared[d.name] = declared[d.name] or {}
        table.insert(declared[d.name], reason_text(d.body.reason))
      end
    end
  end
  return declared
end

-- Checks the model against the previous lock's text (nil: none) and
-- returns the new lock's text; raises `file:line: ...` on a refused break.
function M.update(model, old_text, old_path)
  local old, old_order = {}, {}
  if old_text then old, old_order = M.parse(old_text, old_path) end
  local new, order = current_shape(model)
  local declared = declared_breaks(model, new, old, old_text ~= nil)
  -- Appends o's recorded reasons and the declared ones to e.breaks; true
  -- when a declared reason is new, which lets this run break e.
  local function record(e, o)
    local seen, fresh = {}, false
    for _, r in ipairs(o and o.breaks or {}) do e.breaks[#e.breaks + 1] = r; seen[r] = true end
    for _, r in ipairs(declared[e.name] or {}) do
      if not seen[r] then e.breaks[#e.breaks + 1] = r; seen[r] = true; fresh = true end
    end
    return fresh
  end
  local function refuse(e, p)
    fail_at(p[1].file or e.file, p[1].line or e.line,
      "%s (breaks old peers; declare wire_break \"%s\" { reason = ... } to allow it)", p[2], e.name)
  end

  for _, e in ipairs(order) do
    local o = e.kind ~= "rpc" and old[e.name]
    local fresh = e.kind ~= "rpc" and record(e, o)
    if o then
      local problems = compare(o, e)
      if #problems > 0 and not fresh then refuse(e, problems[1]) end
      e.retired = merge_retired(o, e)
    end
  end
  local in_run = {}
  for _, file in ipairs(model.files) do in_run[file.protocol.name] = file.protocol end
  -- A removed declaration stays as "removed", with its tags retired.
  for _, o in ipairs(old_order) do
    if o.kind == "rpc" then
      -- This run's rpcs replace those of its protocols.
      if not in_run[o.protocol] then order[#order + 1] = o end
    elseif not new[o.name] and not in_run[o.protocol] then
      order[#order + 1] = o
    elseif not new[o.name] then
      local t = { kind = o.kind, name = o.name, protocol = o.protocol, type = o.type, removed = true,
        breaks = {}, fields = {}, values = {} }
      if not record(t, o) and not o.removed then
        refuse(t, { in_run[o.protocol], string.format("%s %s was removed", o.kind, o.name) })
      end
      t.retired = merge_retired(o, t)
      order[#order + 1] = t
    end
  end
  return render(order)
end

-- The lock at path as git's HEAD has it, or nil: no git, no repository, or
-- no such file in HEAD.
local function committed(path)
  local dir, base = path:match("^(.*)/([^/]+)$")
  local p = io.popen(string.format("git -C %s show HEAD:./%s 2>/dev/null", files.sh_quote(dir or "."),
    files.sh_quote(base or path)))
  if not p then return nil end
  local text = p:read("a")
  if not p:close() then return nil end
  return text
end

-- Writes wire.lock from the model, checked against the lock at lock_path.
-- When that lock refuses the schemas but the committed one does not, the
-- lock holds an uncommitted change (a variant added, say) that the schemas
-- have since reverted: the refusal says so, and how to undo it.
function M.generate(model, lock_path, out)
  local old_text = files.read(lock_path)
  local ok, lock = pcall(M.update, model, old_text, lock_path)
  if not ok then
    local head = old_text and committed(lock_path)
    if head and head ~= old_text and pcall(M.update, model, head, lock_path .. " (HEAD)") then
      local hint = string.format(" (only in an uncommitted change to %s, which the schemas have since reverted: undo it with `git checkout %s`)",
        lock_path, lock_path)
      lock = tostring(lock):gsub(" %(breaks old peers; declare wire_break .* to allow it%)$", function() return hint end)
    end
    error(lock, 0)
  end
  out("wire.lock", lock)
end

return M
