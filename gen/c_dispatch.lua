-- Dispatch tables: for every union that is an rpc's request, a table type
-- with one handler per variant and a function that decodes a message and
-- calls its variant's handler. The caller passes the table, so each user
-- (a kernel service's binding, a test) brings its own handlers and nobody
-- links another's.

local emit = require("emit")
local loader = require("loader")

local M = {}

local function requests(file)
  local out = {}
  for _, u in ipairs(loader.of_kind(file, "union")) do if u.is_request then out[#out + 1] = u end end
  return out
end
M.requests = requests

local function has_struct(v) return #v.fields > 0 or #v.caps > 0 end
M.has_struct = has_struct

-- A union that can carry capabilities is dispatched with them.
local function dispatch_proto(u)
  return string.format("proto_err %s_dispatch(const %s_handlers *h, void *ctx, const uint8_t *msg, size_t len%s, int *result)",
    u.name, u.name, u.max_caps > 0 and ", const proto_caps *caps" or "")
end

-- The parameters after ctx that variant v's handler takes ("" or ", const U_V *m").
function M.handler_params(u, v)
  return has_struct(v) and string.format(", const %s_%s *m", u.name, v.name) or ""
end

local function header(file, name, schema)
  local e = emit.new()
  emit.c_header_open(e, schema, "gen/c_dispatch.lua", name .. ".h")
  e:line("#include \"%s.h\"", file.protocol.name)
  e:blank()
  for _, u in ipairs(requests(file)) do
    e:comment("The handlers of " .. u.name .. ", one per variant; every one must be set. Each returns what dispatch stores in *result.")
    e:block("typedef struct " .. u.name .. "_handlers", function()
      for _, v in ipairs(u.variants) do
        e:comment(v.doc)
        e:line("int (*%s)(void *ctx%s);", v.name, M.handler_params(u, v))
      end
    end, " " .. u.name .. "_handlers;")
    e:blank()
    e:comment("Decodes msg as a " .. u.name .. " and calls its variant's handler in h with ctx, storing the handler's return value in *result (when result is not NULL). A message that does not decode calls nothing and its error is returned." .. (u.max_caps > 0 and " The handler owns the caps the message claimed; on an error the caller still owns caps." or ""))
    e:line("PROTO_MUST_CHECK %s;", dispatch_proto(u))
    e:blank()
  end
  emit.c_header_close(e)
  return e:text()
end

local function source(file, name, schema)
  local e = emit.new()
  emit.c_source_open(e, schema, "gen/c_dispatch.lua", name .. ".h")
  for _, u in ipairs(requests(file)) do
    e:func(dispatch_proto(u), function()
      e:line("%s m;", u.name)
      e:line("int r;")
      if u.max_caps > 0 then e:line("PROTO_TRY(%s_decode_caps(&m, msg, len, caps));", u.name)
      else e:line("PROTO_TRY(%s_decode(&m, msg, len));", u.name) end
      e:block("switch (m.tag)", function()
        for _, v in ipairs(u.variants) do
          e:line("case %s_%s_tag:", u.name, v.name)
          e:indent(function()
            if not has_struct(v) then e:line("r = h->%s(ctx);", v.name)
            else e:line("r = h->%s(ctx, &m.u.%s);", v.name, v.name) end
            e:line("break;")
          end)
        end
        e:line("default:")
        e:indent(function() e:line("return PROTO_ERR_UNKNOWN_TAG;") end)
      end)
      e:line("if (result != NULL) *result = r;")
      e:line("return PROTO_OK;")
    end)
    e:blank()
  end
  return e:text()
end

function M.generate(file, model, out)
  if #requests(file) == 0 then return end
  local name = file.protocol.name .. "_dispatch"
  local schema = file.path
  out(name .. ".h", header(file, name, schema), "dispatch")
  out(name .. ".c", source(file, name, schema), "dispatch")
end

return M
