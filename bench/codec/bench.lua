-- The benchmark's own messages (bench/codec): what the two shipped
-- protocols do not exercise. ninja generates it with schema/kernel.lua
-- (MAX_MSG_SIZE) into build/bench/codec/gen/; nothing but the benchmark
-- uses it. bench/codec/codec.proto holds the same messages for the peers.

protocol "bench" {
  doc = [[Benchmark-only: an array, a union field, opt fields and floats; and a message near MAX_MSG_SIZE with strings and bytes.]],
}

const "BENCH_TAGS" { type = "u32", value = 4, doc = "Tags on a stored document." }

union "BenchClock" {
  doc = "When a reading was taken. Used as a field.",
  variant "Monotonic" { tag = 0, doc = "Nanoseconds since boot.", field "ns" { "u64", doc = "Nanoseconds." } },
  variant "Wall" {
    tag = 1,
    doc = "Wall-clock time.",
    field "sec" { "u64", doc = "Seconds since the epoch." },
    field "nsec" { "u32", doc = "Nanoseconds into the second." },
  },
}

union "BenchRequest" {
  doc = "What the benchmark encodes and decodes beside the shipped protocols.",
  variant "Reading" {
    tag = 0,
    doc = "A sensor reading: an array of floats, a union field and opt fields.",
    field "sensor" { "u16", doc = "Which sensor." },
    field "at" { "BenchClock", doc = "When (a union field)." },
    field "samples" { "f32", count = 8, doc = "Eight samples." },
    field "mean" { "f64", doc = "Their mean." },
    field "calibration" { "f64", opt = true, doc = "The calibration offset, when known." },
    field "alarm" { "u32", opt = true, doc = "An alarm code, when one is raised." },
  },
  variant "Put" {
    tag = 1,
    doc = "A document to store, near MAX_MSG_SIZE: strings (one an array) and bytes.",
    field "key" { "str", max = 64, doc = "Where to store it." },
    field "content_type" { "str", max = 32, doc = "Its media type." },
    field "tags" { "str", max = 16, count = "BENCH_TAGS", doc = "Its tags." },
    field "text" { "str", max = 448, doc = "Its text." },
    field "data" { "bytes", max = 384, doc = "Its binary part." },
  },
}
