-- Field names that are valid identifiers to the loader but collide in the
-- generated C: words the client stubs use for their own parameters and
-- locals (t, m, len), and a C keyword. Either the loader refuses them with
-- file:line or the generated C compiles; today neither happens.

protocol "collide" {
  doc = [[Test-only: field names that collide with generated identifiers.]],
}

union "CollideRequest" {
  doc = "Requests.",
  variant "Put" {
    tag = 0,
    doc = "Field names the stubs use internally.",
    field "len" { "u32", doc = "A length." },
    field "m" { "u8", doc = "An m." },
    field "t" { "u8", doc = "A t." },
  },
  variant "Keyword" {
    tag = 1,
    doc = "A C keyword as a field name.",
    field "default" { "u8", doc = "Not an identifier in C." },
  },
}

union "CollideResponse" {
  doc = "Replies.",
  variant "Done" { tag = 0, doc = "Done." },
}

rpc "put" {
  request = "CollideRequest.Put",
  response = "CollideResponse.Done",
  doc = "Sends Put.",
}
