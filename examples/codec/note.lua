-- The example's own protocol: notes, each a text or a count. Its limits are
-- its own (NOTE_MAX_MSG, not the kernel's MAX_MSG_SIZE); it needs no other
-- schema.

protocol "note" {
  doc = [[Notes passed between two programs: a line of text with its author's
id, or a count that may go below zero.]],
}

const "NOTE_MAX_MSG" {
  type = "u32", value = 128, limit = "message_bytes",
  doc = "The largest note on the wire, in bytes.",
}

const "NOTE_TEXT_MAX" {
  type = "u32", value = 100,
  doc = "Bytes of UTF-8 a text note holds.",
}

union "Note" {
  doc = "One note.",
  variant "Text" {
    tag = 0,
    doc = "A line of text and who wrote it.",
    field "author" { "u32", doc = "The writer's id." },
    field "body" { "str", max = "NOTE_TEXT_MAX", doc = "The text, UTF-8." },
  },
  variant "Count" {
    tag = 1,
    doc = "A signed count.",
    field "n" { "i64", doc = "The count." },
  },
}
