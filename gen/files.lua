-- gen/files.lua: the file and shell helpers the generator, configure.lua and
-- the Lua tests share.
local M = {}

-- The whole file, or nil when it cannot be opened.
function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Writes text to path (raises on failure).
function M.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

-- s as one word for sh.
function M.sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

return M
