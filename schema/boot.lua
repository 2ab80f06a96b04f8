-- The boot channel: handle 0 of every app. An app names a service and is
-- given a new channel to it (the handle travels as the message's capability).

protocol "boot" {
  service = "boot", max_clients = "NTASK", attach = "BOOT_HANDLE",
  refusal = [[A connect it refuses gets `Error { message }` (kernel/services/boot.c):
"not found" (no service has that name), "busy" (the service serves its
max_clients already, or memory ran out), "quota" (the app is at one of its
quotas, e.g. the service's app_quota), else the kernel error's name. A
request that does not decode gets `Error "malformed request"`.]],
  doc = [[The boot channel is handle 0 of every app. `ConnectService { name }`
asks the kernel for a new channel to the named service; `Ok {}` carries the
channel handle as the message's one capability, `Error { message }` says why
there is none ("not found", "busy").]],
}

const "SERVICE_NAME_MAX" {
  type = "u16", value = 32, limit = "service_name",
  doc = "Longest service name, in bytes (every service an app connects to by name must fit).",
}

const "BOOT_ERROR_MAX" {
  type = "u16", value = 64, limit = true,
  doc = "Longest error message, in bytes (a longer reason is cut to its first BOOT_ERROR_MAX bytes).",
}

union "BootRequest" {
  doc = "What an app sends on its boot channel.",
  variant "ConnectService" {
    tag = 0,
    doc = "Ask for a new channel to the service called name.",
    field "name" { "str", max = "SERVICE_NAME_MAX", doc = "The service's registered name, e.g. \"timer\"." },
  },
}

union "BootResponse" {
  doc = "The kernel's answer on the boot channel.",
  variant "Ok" {
    tag = 0,
    doc = "Connected: the new channel travels as the message's one capability.",
    cap "channel" { protocol = "any", doc = "The new channel; it speaks the protocol of the service the request named." },
  },
  variant "Error" {
    tag = 1,
    doc = "Not connected.",
    field "message" { "str", max = "BOOT_ERROR_MAX", doc = "Why: \"not found\", \"busy\"." },
  },
}

rpc "connect_service" {
  request = "BootRequest.ConnectService",
  response = "BootResponse",
  doc = "Connects to a named service; the reply is Ok (with a capability) or Error.",
}
