-- Invariant expressions over constants and layouts, e.g.
--   SYNC_TIMER_MAX_SUBSCRIBERS <= bits(sync_timer_bitmap_entry.trigger_mask)
-- Grammar (C precedence): || && ; == != ; < <= > >= ; + - ; * / % ; ! - ;
-- integers, constant names, (e), sizeof(T), offsetof(T.f), bits(T.f), max_size(M).
-- parse() gives a tree; evaluate() gives an integer or boolean; to_c() gives C.

local M = {}

local function tokenize(src)
  local toks, i = {}, 1
  while i <= #src do
    local c = src:sub(i, i)
    if c:match("%s") then
      i = i + 1
    else
      local num = src:match("^0[xX]%x+", i) or src:match("^%d+", i)
      local id = src:match("^[%a_][%w_]*", i)
      local op = src:match("^[<>=!]=", i) or src:match("^&&", i) or src:match("^||", i)
        or src:match("^[-+*/%%<>!().]", i)
      if num then toks[#toks + 1] = { k = "num", v = math.tointeger(tonumber(num)) }; i = i + #num
      elseif id then toks[#toks + 1] = { k = "id", v = id }; i = i + #id
      elseif op then toks[#toks + 1] = { k = "op", v = op }; i = i + #op
      else error(string.format("unexpected character '%s' in expression", c), 0) end
    end
  end
  toks[#toks + 1] = { k = "eof", v = "end of expression" }
  return toks
end

local levels = {
  { "||" }, { "&&" }, { "==", "!=" }, { "<", "<=", ">", ">=" }, { "+", "-" }, { "*", "/", "%" },
}
local layout_funcs = { sizeof = "type", offsetof = "field", bits = "field", max_size = "type" }

function M.parse(src)
  local toks, pos = tokenize(src), 1
  local function peek() return toks[pos] end
  local function take() pos = pos + 1; return toks[pos - 1] end
  local function expect(v)
    local t = take()
    if t.v ~= v then error(string.format("expected '%s' but found '%s'", v, tostring(t.v)), 0) end
  end
  local binary
  local function primary()
    local t = take()
    if t.k == "num" then return { k = "num", v = t.v } end
    if t.v == "(" then local e = binary(1); expect(")"); return e end
    if t.v == "!" or t.v == "-" then return { k = "unary", op = t.v, e = primary() } end
    if t.k == "id" and layout_funcs[t.v] then
      expect("(")
      local name = take()
      if name.k ~= "id" then error(t.v .. "() takes a name", 0) end
      local node = { k = "call", fn = t.v, type = name.v }
      if layout_funcs[t.v] == "field" then
        expect(".")
        local f = take()
        if f.k ~= "id" then error(t.v .. "() takes Type.field", 0) end
        node.field = f.v
      end
      expect(")")
      return node
    end
    if t.k == "id" then return { k = "const", name = t.v } end
    error(string.format("unexpected '%s'", tostring(t.v)), 0)
  end
  function binary(level)
    if level > #levels then return primary() end
    local lhs = binary(level + 1)
    while true do
      local t, matched = peek(), false
      for _, op in ipairs(levels[level]) do if t.v == op then matched = true end end
      if not matched then return lhs end
      take()
      lhs = { k = "bin", op = t.v, l = lhs, r = binary(level + 1) }
    end
  end
  local tree = binary(1)
  if peek().k ~= "eof" then error(string.format("unexpected '%s'", tostring(peek().v)), 0) end
  return tree
end

-- Walks the tree once; env resolves names: env.const(name) -> integer,
-- env.layout(fn, type, field) -> integer. Errors name what is missing.
function M.evaluate(tree, env)
  local function num(v)
    if type(v) == "boolean" then return v and 1 or 0 end
    return v
  end
  local function ev(n)
    if n.k == "num" then return n.v end
    if n.k == "const" then return env.const(n.name) end
    if n.k == "call" then return env.layout(n.fn, n.type, n.field) end
    if n.k == "unary" then
      local v = ev(n.e)
      if n.op == "!" then return num(v) == 0 end
      return -num(v)
    end
    local l, r = num(ev(n.l)), num(ev(n.r))
    local op = n.op
    if op == "||" then return l ~= 0 or r ~= 0 elseif op == "&&" then return l ~= 0 and r ~= 0
    elseif op == "==" then return l == r elseif op == "!=" then return l ~= r
    elseif op == "<" then return l < r elseif op == "<=" then return l <= r
    elseif op == ">" then return l > r elseif op == ">=" then return l >= r
    elseif op == "+" then return l + r elseif op == "-" then return l - r
    elseif op == "*" then return l * r end
    if r == 0 then error("division by zero", 0) end
    if op == "/" then return l // r end
    return l % r
  end
  return ev(tree)
end

-- C text for the tree; names(fn, type, field) gives the C for a layout call.
function M.to_c(tree, names)
  local function c(n)
    if n.k == "num" then return tostring(n.v) end
    if n.k == "const" then return n.name end
    if n.k == "call" then return names(n.fn, n.type, n.field) end
    if n.k == "unary" then return n.op .. c(n.e) end
    return "(" .. c(n.l) .. " " .. n.op .. " " .. c(n.r) .. ")"
  end
  return c(tree)
end

return M
