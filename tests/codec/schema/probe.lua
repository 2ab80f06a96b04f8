-- A test-only protocol that uses every wire type the real schemas do not:
-- bool, enum, bytes, signed integers, fixed arrays (also of str and bytes),
-- a nested wire struct, opt fields, f32/f64, union fields, budgets, an rpc
-- whose response is a list of variants, and extensible messages (a union
-- and a wire struct that may grow: timer and boot keep a fixed format).
-- tests/codec generates it into build/tests/probe-gen/ (with schema/kernel.lua
-- for MAX_MSG_SIZE) and checks its codecs, dispatch and client stubs; ktest
-- runs its conformance vectors in the guest; tests/gen/test_grow.lua grows a
-- copy of it.

protocol "probe" {
  doc = [[Test-only: covers bool, enum, bytes, signed integers, arrays and nested structs.]],
}

const "PROBE_BLOB_MAX" { type = "u16", value = 4, doc = "Longest blob, in bytes." }
const "PROBE_NOTE_BUDGET" { type = "u16", value = 6, doc = "Bytes Note's title and body share." }
const "PROBE_POINTS" { type = "u32", value = 2, doc = "Points in a Shape." }

enum "probe_color" {
  type = "u8",
  doc = "A one-byte enum with a gap (3 is not defined).",
  value "RED" { 0, doc = "Red." },
  value "GREEN" { 1, doc = "Green." },
  value "BLUE" { 2, doc = "Blue." },
  value "WHITE" { 4, doc = "White, after the gap." },
}

struct "ProbePoint" {
  doc = "A nested wire struct: two signed coordinates and a flag.",
  field "x" { "i16", doc = "Signed x." },
  field "y" { "i32", doc = "Signed y." },
  field "visible" { "bool", doc = "A bool inside a struct." },
}

struct "ProbeTags" {
  doc = "A wire struct with a budget shared by an array of str.",
  budget = 5,
  field "names" { "str", max = 3, count = 3, doc = "Three names of up to 3 bytes, 5 together." },
}

struct "ProbeSpan" {
  doc = "A wire struct that holds a union field (declared before the union: the C follows the uses).",
  field "from" { "ProbeOffset", doc = "Where the span starts." },
  field "length" { "u32", doc = "How long it is." },
}

union "ProbeRequest" {
  doc = "Every field type once.",
  variant "Flags" {
    tag = 0,
    doc = "A bool and an enum.",
    field "on" { "bool", doc = "A bool." },
    field "color" { "probe_color", doc = "An enum." },
  },
  variant "Numbers" {
    tag = 3,
    doc = "Signed integers of every width (tag 3: tags need not be dense).",
    field "s8" { "i8", doc = "i8." },
    field "s16" { "i16", doc = "i16." },
    field "s32" { "i32", doc = "i32." },
    field "s64" { "i64", doc = "i64." },
  },
  variant "Shape" {
    tag = 7,
    doc = "A fixed array of nested structs, bytes and an array of enums.",
    field "points" { "ProbePoint", count = "PROBE_POINTS", doc = "Exactly PROBE_POINTS points." },
    field "blob" { "bytes", max = "PROBE_BLOB_MAX", doc = "Up to PROBE_BLOB_MAX bytes." },
    field "colors" { "probe_color", count = 2, doc = "Two colors." },
  },
  variant "Labels" {
    tag = 9,
    doc = "Arrays of bounded strings and of bytes.",
    field "names" { "str", max = 4, count = 2, doc = "Two short names." },
    field "blobs" { "bytes", max = 3, count = 2, doc = "Two short blobs." },
  },
  variant "Maybe" {
    tag = 10,
    doc = "opt fields: a presence byte 0/1, then the value when 1.",
    field "count" { "u32", opt = true, doc = "An optional integer." },
    field "name" { "str", max = 4, opt = true, doc = "An optional string." },
    field "point" { "ProbePoint", opt = true, doc = "An optional struct." },
    field "flag" { "bool", opt = true, doc = "An optional bool." },
  },
  variant "Floats" {
    tag = 11,
    doc = "IEEE 754 f32 and f64, little-endian; every bit pattern is valid.",
    field "single" { "f32", doc = "A float." },
    field "wide" { "f64", doc = "A double." },
    field "maybe" { "f64", opt = true, doc = "An optional double." },
  },
  variant "Seek" {
    tag = 12,
    doc = "Union fields: one u8 tag, then that variant's fields, as a message.",
    field "offset" { "ProbeOffset", doc = "A union field." },
    field "span" { "ProbeSpan", doc = "A struct holding a union field." },
  },
  variant "Note" {
    tag = 13,
    budget = "PROBE_NOTE_BUDGET",
    doc = "A budget: title and body are at most 4 bytes each, 6 together.",
    field "title" { "str", max = 4, doc = "Up to 4 bytes." },
    field "body" { "bytes", max = 4, doc = "Up to 4 bytes." },
    field "kind" { "u8", doc = "A fixed field, outside the budget." },
  },
  variant "Chunk" {
    tag = 14,
    budget = 10,
    doc = "A budget over union and struct fields: what at and span take beyond their smallest encoding (8 each at most: Explicit, not Stream) and data's bytes, 10 together.",
    field "at" { "ProbeOffset", doc = "1 byte (Stream) or 9 (Explicit): 0 or 8 counted." },
    field "data" { "bytes", max = 8, doc = "Up to 8 bytes, all counted." },
    field "span" { "ProbeSpan", doc = "5 bytes or 13: 0 or 8 counted." },
  },
  variant "Ping" {
    tag = 255,
    doc = "No fields, the highest tag.",
  },
}

union "ProbeOffset" {
  doc = "A file offset: explicit, or the stream's own position. Used as a field.",
  variant "Explicit" { tag = 0, doc = "At this byte.", field "at" { "u64", doc = "The offset." } },
  variant "Stream" { tag = 1, doc = "Wherever the stream is." },
}

union "ProbeResponse" {
  doc = "Two replies, so that a client stub can get the wrong one.",
  variant "Pong" { tag = 0, doc = "The expected reply.", field "echo" { "i32", doc = "Echoed value." } },
  variant "Nope" { tag = 1, doc = "Another reply." },
}

rpc "numbers" {
  request = "ProbeRequest.Numbers",
  response = "ProbeResponse.Pong",
  doc = "Sends Numbers; the reply must be Pong.",
}

rpc "shape" {
  request = "ProbeRequest.Shape",
  response = "ProbeResponse",
  doc = "Sends an array of structs, bytes and an array of enums; any reply.",
}

rpc "flags" {
  request = "ProbeRequest.Flags",
  response = "ProbeResponse.Pong",
  doc = "Sends a bool and an enum.",
}

rpc "labels" {
  request = "ProbeRequest.Labels",
  response = "ProbeResponse.Pong",
  doc = "Sends arrays of str and bytes (the stub takes the variant struct).",
}

rpc "maybe" {
  request = "ProbeRequest.Maybe",
  response = "ProbeResponse.Pong",
  doc = "Sends opt fields: scalars after has_NAME, the others as pointers (NULL: absent).",
}

rpc "floats" {
  request = "ProbeRequest.Floats",
  response = "ProbeResponse.Pong",
  doc = "Sends f32 and f64 values, bit for bit.",
}

rpc "locate" {
  request = "ProbeRequest.Ping",
  response = "ProbePoint",
  doc = "A wire struct as the reply: the stub decodes a ProbePoint into its out parameter.",
}

rpc "seek" {
  request = "ProbeRequest.Seek",
  response = "ProbeResponse.Pong",
  doc = "Sends union fields (the stub takes them by pointer).",
}

rpc "note" {
  request = "ProbeRequest.Note",
  response = "ProbeResponse.Pong",
  doc = "Sends a str and bytes under a shared budget.",
}

rpc "ping" {
  request = "ProbeRequest.Ping",
  response = "ProbeResponse.Nope",
  doc = "No fields either way: no out parameter.",
}

union "ProbeHand" {
  doc = "Capabilities: one declared by position, and chan fields inside the data.",
  variant "Give" {
    tag = 0,
    doc = "Four capabilities: first (position 0), then second and spares, one u8 index each.",
    cap "first" { protocol = "probe", doc = "A channel that speaks this protocol, at position 0." },
    field "note" { "u8", doc = "A byte between the chan fields." },
    field "second" { "chan", protocol = "any", doc = "A channel inside the data." },
    field "spares" { "chan", protocol = "any", count = 2, doc = "Two more." },
  },
  variant "Nothing" { tag = 1, doc = "No capabilities." },
}

union "ProbeHandReply" {
  doc = "A reply that may carry a capability back.",
  variant "Took" {
    tag = 0,
    doc = "One channel back, and a count.",
    cap "back" { protocol = "any", doc = "A channel handed back." },
    field "count" { "u8", doc = "How many the service took." },
  },
  variant "None" { tag = 1, doc = "Nothing back." },
  variant "Kept" {
    tag = 2,
    doc = "The service kept them all: a count, no channel back.",
    field "count" { "u8", doc = "How many it kept." },
  },
}

rpc "hand" {
  request = "ProbeHand.Give",
  response = "ProbeHandReply",
  doc = "Sends four capabilities; the reply may carry one back.",
}

rpc "hand_over" {
  request = "ProbeHand.Give",
  response = { "ProbeHandReply.Kept", "ProbeHandReply.None" },
  doc = "A response list: the stub hands back the union; Took, not listed, is refused and its channel closed.",
}

union "ProbeEvent" {
  extensible = true,
  doc = [[An extensible message (a whole message, never a field): its decoders skip bytes after the fields they know (a newer peer's) and read one that ends before its trailing opt fields with those absent (an older peer's). tests/gen/test_grow.lua appends an opt field to a copy of it and reads it both ways.]],
  variant "Reading" {
    tag = 0,
    doc = "Fixed fields, an opt field between them, then trailing opt fields.",
    field "sensor" { "u16", doc = "Which sensor." },
    field "label" { "str", max = 4, opt = true, doc = "An opt field before a fixed one: its presence byte is always there." },
    field "value" { "i32", doc = "The reading." },
    field "unit" { "str", max = 4, opt = true, doc = "A trailing opt field: absent when the message ends before it." },
    field "scale" { "u8", opt = true, doc = "The last trailing opt field." },
  },
  variant "Mark" {
    tag = 1,
    doc = "No opt field: a message of this variant is never shorter, but may be longer.",
    field "note" { "str", max = 4, doc = "A short note." },
  },
  variant "Tick" {
    tag = 2,
    doc = "No fields yet: whatever follows the tag is a newer peer's.",
  },
}

struct "ProbeStatus" {
  extensible = true,
  doc = "An extensible wire struct, a whole message (the reply of report): a newer peer's may be longer than ProbeStatus_MAX_SIZE.",
  field "code" { "u8", doc = "A fixed field." },
  field "detail" { "str", max = 6, opt = true, doc = "A trailing opt field." },
}

rpc "report" {
  request = "ProbeEvent.Reading",
  response = "ProbeStatus",
  doc = "An extensible request and an extensible struct reply: the stub receives into PROTO_MAX_MSG_SIZE, so a newer peer's longer reply is read.",
}
