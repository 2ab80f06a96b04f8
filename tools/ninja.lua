-- A small ninja file writer for configure.lua: variables, rules, builds and
-- comments, written in the order they are called, with long path lists
-- wrapped at `$` continuations.

local W = {}
W.__index = W

local function list(v)
  if v == nil then return {} end
  return type(v) == "table" and v or { v }
end

function W.new() return setmetatable({ lines = {} }, W) end

function W:line(text) self.lines[#self.lines + 1] = text end

function W:blank()
  if #self.lines > 0 and self.lines[#self.lines] ~= "" then self:line("") end
end

-- A comment, one `# ` line per line of text.
function W:comment(text)
  for l in (text .. "\n"):gmatch("(.-)\n") do self:line(l == "" and "#" or "# " .. l) end
end

function W:var(name, value) self:line(name .. " = " .. value) end

-- Items after head, wrapped with `$` continuations at about 108 columns.
function W:wrapped(head, items)
  local cur = head
  for _, item in ipairs(items) do
    if #cur + 1 + #item > 108 and cur ~= head then
      self:line(cur .. " $")
      cur = "    " .. item
    else
      cur = cur .. " " .. item
    end
  end
  self:line(cur)
end

-- rule NAME with its settings (command first, then the rest in a fixed order).
function W:rule(name, s)
  self:line("rule " .. name)
  for _, k in ipairs({ "command", "depfile", "deps", "description", "pool", "generator" }) do
    if s[k] ~= nil then self:line("  " .. k .. " = " .. tostring(s[k])) end
  end
end

-- build OUTS | IMPLICIT_OUTS: RULE INS | IMPLICIT || ORDER, then its variables
-- (o.vars: a list of { name, value }).
function W:build(outs, rule, ins, o)
  o = o or {}
  local items = {}
  for _, x in ipairs(list(outs)) do items[#items + 1] = x end
  if o.implicit_outs then
    items[#items + 1] = "|"
    for _, x in ipairs(list(o.implicit_outs)) do items[#items + 1] = x end
  end
  items[#items] = items[#items] .. ":"
  items[#items + 1] = rule
  for _, x in ipairs(list(ins)) do items[#items + 1] = x end
  for _, part in ipairs({ { "|", o.implicit }, { "||", o.order } }) do
    local l = list(part[2])
    if #l > 0 then
      items[#items + 1] = part[1]
      for _, x in ipairs(l) do items[#items + 1] = x end
    end
  end
  self:wrapped("build", items)
  for _, kv in ipairs(o.vars or {}) do self:line("  " .. kv[1] .. " = " .. kv[2]) end
end

function W:phony(name, deps) self:build(name, "phony", deps) end

function W:text()
  while self.lines[#self.lines] == "" do self.lines[#self.lines] = nil end
  return table.concat(self.lines, "\n") .. "\n"
end

return W
