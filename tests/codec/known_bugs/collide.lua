-- A schema whose field names are ordinary words that the generated client
-- stubs also use for their own parameters and locals (t, m, len, err, buf).
-- A valid schema; its generated C must compile. See test_known_bugs.c.

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
