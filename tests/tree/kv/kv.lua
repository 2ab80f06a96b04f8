-- A small key-value store: the service tests/tree/new-service adds to a
-- copy of the tree, following the README's "Add a service".

protocol "kv" {
  service = "kv", max_clients = "MAX_KV_CLIENTS", app_quota = 2,
  doc = [[A key-value store in the kernel. A client connects to the service
"kv" and puts, gets and deletes values by key.]],
}

const "MAX_KV_CLIENTS" { type = "u32", value = 4, doc = "Clients the store serves at once." }
const "MAX_KV_ENTRIES" { type = "u32", value = 8, doc = "Entries the store holds." }
const "KV_KEY_MAX" { type = "u16", value = 16, doc = "Longest key, in bytes." }
const "KV_VALUE_MAX" { type = "u16", value = 32, doc = "Longest value, in bytes." }

union "KvRequest" {
  doc = "What a client asks.",
  variant "Put" {
    tag = 0, doc = "Store value under key (replacing what was there).",
    field "key" { "str", max = "KV_KEY_MAX", doc = "The key." },
    field "value" { "bytes", max = "KV_VALUE_MAX", doc = "The value." },
  },
  variant "Get" { tag = 1, doc = "The value under key.", field "key" { "str", max = "KV_KEY_MAX", doc = "The key." } },
  variant "Delete" { tag = 2, doc = "Forget key.", field "key" { "str", max = "KV_KEY_MAX", doc = "The key." } },
}

union "KvResponse" {
  doc = "The store's answer.",
  variant "Ok" { tag = 0, doc = "Done." },
  variant "Value" { tag = 1, doc = "The value asked for.", field "value" { "bytes", max = "KV_VALUE_MAX", doc = "It." } },
  variant "NotFound" { tag = 2, doc = "No entry has that key." },
  variant "Full" { tag = 3, doc = "MAX_KV_ENTRIES are stored: nothing was put." },
}

rpc "put" { request = "KvRequest.Put", response = "KvResponse", doc = "Stores a value." }
rpc "get" { request = "KvRequest.Get", response = "KvResponse", doc = "Reads a value." }
rpc "delete" { request = "KvRequest.Delete", response = "KvResponse", doc = "Deletes a value." }
