-- A kernel service's binding, for every protocol declared with
-- `service = "NAME"`: everything around its handlers.
--   P_service.h  the handlers the service defines (one per request variant),
--                its optional hooks, a typed reply function per response type
--   P_service.c  its struct svc (client table sized by max_clients), the
--                dispatch to its handlers, the replies, and a default for
--                each hook the service does not define (weak)
-- and, over every service of the schemas, the registry:
--   services.h   SERVICE_COUNT and SERVICE_ID_name (kstat's order)
--   services.c   service_registry[], the kernel's list of services
-- The runtime they use is hand-written: kernel/services/svc.h.
-- `skeleton` is what `gen/cli.lua --skeleton` prints: a service file with
-- every handler and hook, each handler answering "not implemented".

local emit = require("emit")
local dispatch = require("c_dispatch")

local M = {}

-- The hooks every service may define, in the order the header lists them.
local HOOKS = {
  { name = "init", ret = "void", params = "void", default = "",
    doc = "Once at start, before any client connects." },
  { name = "connect", ret = "int", params = "struct svc_client *c", default = "(void)c;\nreturn 0;",
    doc = "Client c connected (its slot is svc_client_slot(c)): 0, or a negated kernel_error to refuse it (the app's connect fails with it)." },
  { name = "disconnect", ret = "void", params = "struct svc_client *c", default = "(void)c;",
    doc = "Client c's channel closed; its slot is free once this returns." },
  { name = "tick", ret = "uint64_t", params = "uint64_t now", default = "(void)now;\nreturn 0;",
    doc = "Called after every pass over the ready clients: does what is due at now (svc_now() ticks) and returns the next deadline, 0 for none. The service sleeps until a client is ready or that deadline." },
  { name = "pending", ret = "uint64_t", params = "void", default = "return 0;",
    doc = "Work the service holds for its clients, for kstat (service_stats.pending)." },
  { name = "malformed", ret = "void", params = "struct svc_client *c, proto_err err", default = "(void)c;\n(void)err;",
    doc = "A request from c did not decode (err); default: it is dropped (counted in malformed)." },
}
M.HOOKS = HOOKS

local function hook_name(svc, h) return svc.name .. "_service_" .. h.name end
local function hook_proto(svc, h) return string.format("%s %s(%s)", h.ret, hook_name(svc, h), h.params) end

local function handler_name(u, v) return u.name .. "_handle_" .. v.name end
local function handler_proto(u, v)
  return string.format("int %s(struct svc_client *c%s)", handler_name(u, v), dispatch.handler_params(u, v))
end

local function reply_proto(t)
  return string.format("int %s_reply(struct svc_client *c, const %s *r%s)", t.name, t.name,
    (t.max_caps or t.ncaps or 0) > 0 and ", void *const *ends, uint32_t nends" or "")
end
local function carries_caps(t) return (t.max_caps or t.ncaps or 0) > 0 end

local function limit_text(n, name) return name and string.format("%s (%d)", name, n) or tostring(n) end

-- Handlers, as the manifest lists them (the build checks each is defined).
function M.handlers(svc)
  local out = {}
  for _, v in ipairs(svc.request.variants) do
    out[#out + 1] = { symbol = handler_name(svc.request, v), variant = svc.request.name .. "." .. v.name,
      where = string.format("%s:%d", v.file, v.line) }
  end
  return out
end

local function header(file, svc, name)
  local e = emit.new()
  emit.c_header_open(e, file.path, "gen/c_service.lua", name .. ".h")
  e:line("#include \"%s.h\"", file.protocol.name)
  e:line("#include \"svc.h\"")
  e:blank()
  e:comment(string.format("The service \"%s\" (%s:%d): up to %s clients%s%s. Its file kernel/services/%s.c defines every handler below; the hooks are optional. A handler returns 0, or a negated kernel_error to drop the client (its channel is closed).",
    svc.name, svc.file, svc.line, limit_text(svc.max_clients, svc.max_clients_name),
    svc.app_quota and ", " .. limit_text(svc.app_quota, svc.app_quota_name) .. " per app" or "",
    svc.attach and ", one per app, at handle " .. svc.attach .. " from its start" or "", svc.name))
  e:blank()
  e:comment("Handlers of " .. svc.request.name .. ".")
  for _, v in ipairs(svc.request.variants) do
    e:comment(v.doc)
    e:line("%s;", handler_proto(svc.request, v))
  end
  e:blank()
  e:comment(string.format("Encodes r and queues it to c, never waiting: 0, or a negated kernel_error (counted in send_failed)%s.",
    carries_caps(svc.response) and "; r's capabilities are indices into ends (nends of them, each used once), which move to the client or are closed when the reply cannot go" or ""))
  e:line("%s;", reply_proto(svc.response))
  e:blank()
  e:comment("Hooks (optional: a service that does not define one gets the default shown in " .. name .. ".c).")
  for _, h in ipairs(HOOKS) do
    e:comment(h.doc)
    e:line("%s;", hook_proto(svc, h))
  end
  e:blank()
  e:comment("Answers a handler that is not written yet: says so on the platform's console and drops the client. Returns -KERNEL_ERROR_NO_SYSCALL.")
  e:line("int %s_service_not_implemented(struct svc_client *c, const char *what);", svc.name)
  e:blank()
  e:comment("The service's state and client table.")
  e:line("extern struct svc %s_service;", svc.name)
  e:blank()
  emit.c_header_close(e)
  return e:text()
end

local function source(file, svc, id, name)
  local e = emit.new()
  local u, t = svc.request, svc.response
  emit.c_source_open(e, file.path, "gen/c_service.lua", name .. ".h")
  e:line("#include \"%s_dispatch.h\"", file.protocol.name)
  e:line("#include \"%s_format.h\"", file.protocol.name)
  e:blank()
  for _, v in ipairs(u.variants) do
    e:func(string.format("static int on_%s(void *ctx%s)", v.name, dispatch.handler_params(u, v)), function()
      e:line("return %s(ctx%s);", handler_name(u, v), dispatch.has_struct(v) and ", m" or "")
    end)
    e:blank()
  end
  e:block(string.format("static const %s_handlers handlers =", u.name), function()
    for _, v in ipairs(u.variants) do e:line(".%s = on_%s,", v.name, v.name) end
  end, ";")
  e:blank()
  e:func("static proto_err dispatch(struct svc_client *c, const uint8_t *msg, size_t len, int *result)", function()
    e:line("return %s_dispatch(&handlers, c, msg, len, result);", u.name)
  end)
  e:blank()
  e:func(reply_proto(t), function()
    e:line("uint8_t buf[%s_MAX_SIZE];", t.name)
    e:line("size_t len = 0;")
    if carries_caps(t) then
      e:line("proto_caps caps = { 0 };")
      e:line("proto_err err = %s_encode_caps(r, buf, sizeof buf, &len, &caps);", t.name)
      e:line("return svc_reply_msg(c, err, buf, len, &caps, ends, nends);")
    else
      e:line("proto_err err = %s_encode(r, buf, sizeof buf, &len);", t.name)
      e:line("return svc_reply_msg(c, err, buf, len, NULL, NULL, 0);")
    end
  end)
  e:blank()
  e:func(string.format("int %s_service_not_implemented(struct svc_client *c, const char *what)", svc.name), function()
    e:line("return svc_not_implemented(c, what);")
  end)
  e:blank()
  e:comment("Defaults of the hooks the service does not define.")
  for _, h in ipairs(HOOKS) do
    e:func("__attribute__((weak)) " .. hook_proto(svc, h), function()
      if h.default ~= "" then for l in h.default:gmatch("[^\n]+") do e:line(l) end end
    end)
  end
  e:blank()
  e:line("static struct svc_client clients[%s];", svc.max_clients_name or tostring(svc.max_clients))
  e:line("static uint32_t free_slots[%s];", svc.max_clients_name or tostring(svc.max_clients))
  e:block("static const struct svc_desc desc =", function()
    e:line(".name = \"%s\",", svc.name)
    e:line(".schema = \"%s:%d\",", svc.file, svc.line)
    e:line(".protocol = \"%s\",", svc.protocol)
    e:line(".request = \"%s\",", u.name)
    e:line(".id = %d,", id)
    e:line(".max_clients = %s,", svc.max_clients_name or tostring(svc.max_clients))
    e:line(".app_quota = %s,", svc.app_quota_name or tostring(svc.app_quota or 0))
    e:line(".attach = %s,", svc.attach and "(int32_t)" .. svc.attach or "-1")
    e:line(".dispatch = dispatch,")
    for _, h in ipairs(HOOKS) do e:line(".%s = %s,", h.name, hook_name(svc, h)) end
    e:line(".format_request = %s_format_bytes,", u.name)
    e:line(".format_response = %s_format_bytes,", t.name)
  end, ";")
  e:line("struct svc %s_service = { .desc = &desc, .clients = clients, .free_slots = free_slots };", svc.name)
  return e:text()
end

-- The service file a new service starts from (gen/cli.lua --skeleton).
function M.skeleton(file)
  local svc = file.service
  if not svc then error(file.path .. ": protocol " .. file.protocol.name .. " is no service (service = \"NAME\")", 0) end
  local e = emit.new()
  local u = svc.request
  e:comment(string.format("The %s service's handlers (%s). Written from `lua5.4 gen/cli.lua --skeleton %s`: every handler answers \"not implemented\" until it is written; delete the hooks you do not need (each has a default).",
    svc.name, file.path, file.path))
  e:line("#include \"%s_service.h\"   /* generated */", file.protocol.name)
  e:blank()
  for _, v in ipairs(u.variants) do
    e:comment(v.doc)
    e:func(handler_proto(u, v), function()
      if dispatch.has_struct(v) then e:line("(void)m;") end
      e:line("return %s_service_not_implemented(c, \"%s.%s\");", svc.name, u.name, v.name)
    end)
    e:blank()
  end
  for _, h in ipairs(HOOKS) do
    e:comment(h.doc)
    e:func(hook_proto(svc, h), function()
      for l in h.default:gmatch("[^\n]+") do e:line(l) end
    end)
    e:blank()
  end
  return e:text()
end

local function registry(model)
  local h, c = emit.new(), emit.new()
  emit.c_header_open(h, "every schema with a service", "gen/c_service.lua", "services.h")
  h:line("#include <stdint.h>")
  h:blank()
  h:comment("The kernel's services, in schema order: kstat's kernel_stats.services[SERVICE_ID_name].")
  h:line("#define SERVICE_COUNT %du", #model.services)
  h:block("enum service_id", function()
    for i, svc in ipairs(model.services) do h:line("SERVICE_ID_%s = %d, /* %s:%d */", svc.name, i - 1, svc.file, svc.line) end
  end, ";")
  h:blank()
  h:comment("What an app may know of a service by its id: its name, protocol, request union and the handle it attaches at (-1: connected by name).")
  h:line("struct service_info { const char *name, *protocol, *request; int32_t attach; };")
  h:func("static inline const struct service_info *service_info(uint32_t id)", function()
    h:block("static const struct service_info info[SERVICE_COUNT] =", function()
      for _, svc in ipairs(model.services) do
        h:line("{ \"%s\", \"%s\", \"%s\", %d },", svc.name, svc.protocol, svc.request.name, svc.attach_value or -1)
      end
    end, ";")
    h:line("return id < SERVICE_COUNT ? &info[id] : (const struct service_info *)0;")
  end)
  h:blank()
  h:line("struct svc;")
  h:comment("Each service's state, by SERVICE_ID_name (the kernel's and the host harness's).")
  h:line("extern struct svc *const service_registry[SERVICE_COUNT];")
  h:blank()
  emit.c_header_close(h)
  emit.c_source_open(c, "every schema with a service", "gen/c_service.lua", "services.h")
  for _, svc in ipairs(model.services) do c:line("#include \"%s_service.h\"", svc.protocol) end
  c:blank()
  c:block("struct svc *const service_registry[SERVICE_COUNT] =", function()
    for _, svc in ipairs(model.services) do c:line("&%s_service,", svc.name) end
  end, ";")
  return h:text(), c:text()
end

function M.generate(file, model, out)
  local svc = file.service
  if not svc then return end
  local id
  for i, s in ipairs(model.services) do if s == svc then id = i - 1 end end
  local name = file.protocol.name .. "_service"
  out(name .. ".h", header(file, svc, name), "service")
  out(name .. ".c", source(file, svc, id, name), "service")
end

function M.generate_registry(model, out)
  if #model.services == 0 then return end
  local h, c = registry(model)
  out("services.h", h, "registry")
  out("services.c", c, "registry")
end

return M
