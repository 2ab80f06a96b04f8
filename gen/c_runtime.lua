-- The codec runtime every protocol shares is hand-written C in gen/runtime/
-- (proto.h, proto.c, proto_format.*, proto_vectors.*: the same for every
-- schema; installed as libwirec, its headers in include/wirec/ and its
-- sources in share/wirec/runtime/). This module knows where it is and
-- reads from proto.h what the generator needs of it (its interface version,
-- the proto_err list), and generates the one part a schema set decides:
-- proto_limits.h, which proto.h includes.

local emit = require("emit")
local fileio = require("files")

local M = {}

-- The runtime's folder: runtime/ beside this file (gen/runtime in the
-- tree, share/wirec/runtime installed).
M.DIR = ((debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")) or ".") .. "/runtime"

-- What proto.h says: PROTO_GEN_VERSION and the PROTO_ERRORS list, read once.
local function read_header()
  local path = M.DIR .. "/proto.h"
  local text = fileio.read(path) or error(path .. ": the codec runtime's header is missing", 0)
  local version = text:match("\n#define PROTO_GEN_VERSION (%d+)\n")
  local list = text:match("\n#define PROTO_ERRORS%(X%) \\\n(.-[^\\])\n")
  if not version or not list then error(path .. ": no PROTO_GEN_VERSION or PROTO_ERRORS(X) list", 0) end
  local errors = {}
  for line in (list .. "\n"):gmatch("([^\n]*)\n") do
    local name, text_ = line:match('^%s*X%((PROTO_[%u%d_]+), "([^"\\]*)"%) ?\\?$')
    if not name then error(path .. ": a PROTO_ERRORS line the generator cannot read: " .. line, 0) end
    errors[#errors + 1] = { name, text_ }
  end
  return { VERSION = math.tointeger(tonumber(version)), ERRORS = errors }
end

-- M.VERSION: the runtime's interface version, which generated headers
-- check. M.ERRORS: every proto_err in value order, each { name, meaning }.
setmetatable(M, { __index = function(t, k)
  if k ~= "VERSION" and k ~= "ERRORS" then return nil end
  local h = read_header()
  t.VERSION, t.ERRORS = h.VERSION, h.ERRORS
  return t[k]
end })

-- The value of the const with limit = role, or dflt.
local function limit(model, role, dflt)
  local c = model.limits[role]
  return c and c.value or dflt
end

-- The schema set's part of the runtime: its limits.
local function limits(model)
  local e = emit.new()
  emit.c_header_open(e, "every schema (the limits of this schema set)", "gen/c_runtime.lua", "proto_limits.h")
  local bytes, caps = model.limits.message_bytes, model.limits.message_caps
  e:comment(string.format("The transport's limits (%s and %s, the consts with limit = \"message_bytes\" and \"message_caps\").",
    bytes and bytes.name or "none: 65535", caps and caps.name or "none: 0"))
  e:line("#define PROTO_MAX_MSG_SIZE %d", limit(model, "message_bytes", 65535))
  e:line("#define PROTO_MAX_CAPS %d", limit(model, "message_caps", 0))
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

-- proto_limits.h, of kind "limits".
function M.generate(out, model)
  out("proto_limits.h", limits(model), "limits")
end

return M
