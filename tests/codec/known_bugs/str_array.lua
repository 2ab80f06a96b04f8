-- An rpc whose request has arrays of str and of bytes. The client stubs
-- declare those parameters with anonymous struct types, which no caller can
-- match and which cannot be assigned to the message's own anonymous structs:
-- the generated C does not compile.

protocol "str_array" {
  doc = [[Test-only: arrays of bounded strings and bytes in an rpc request.]],
}

union "NamesRequest" {
  doc = "Requests.",
  variant "Names" {
    tag = 0,
    doc = "Two names and two blobs.",
    field "names" { "str", max = 4, count = 2, doc = "Two short names." },
    field "blobs" { "bytes", max = 3, count = 2, doc = "Two short blobs." },
  },
}

union "NamesResponse" {
  doc = "Replies.",
  variant "Done" { tag = 0, doc = "Done." },
}

rpc "names" {
  request = "NamesRequest.Names",
  response = "NamesResponse.Done",
  doc = "Sends Names.",
}
