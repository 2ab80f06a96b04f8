-- The BPF sync timer's shared memory: one per-CPU bitmap entry that the
-- timer program sets on every aligned tick and subscribers check and clear.

protocol "sync_timer" {
  doc = [[A shared per-CPU BPF timer that fires on every CPU at the same
interval-aligned instant of CLOCK_MONOTONIC. Each tick sets that CPU's entry of
the per-CPU map `sync_timer_bitmap`: `expected_cpu` is the CPU the timer belongs
to and `trigger_mask` has one bit per assigned subscriber. A subscriber BPF
program reuses the map and, in `tracepoint/timer/hrtimer_expire_exit`, checks
and clears its bit, comparing `expected_cpu` with the current CPU to detect
timer migration.]],
}

const "SYNC_TIMER_MAX_SUBSCRIBERS" {
  type = "u32", value = 64,
  doc = "Subscriber ids are 0 .. SYNC_TIMER_MAX_SUBSCRIBERS - 1, one bit each of trigger_mask.",
}

const "SYNC_TIMER_MIN_INTERVAL_NS" {
  type = "u64", value = 1000,
  doc = "Shortest tick interval the timer accepts, in nanoseconds.",
}

const "SYNC_TIMER_MAX_CPUS" {
  type = "u32", value = 1024,
  doc = "CPUs the timer state map is sized for.",
}

struct "sync_timer_bitmap_entry" {
  layout = "c",
  doc = "One CPU's entry of the sync_timer_bitmap map (shared memory, C layout).",
  field "expected_cpu" { "u32", doc = "The CPU whose timer set this entry." },
  field "trigger_mask" { "u64", bitmask = "SYNC_TIMER_MAX_SUBSCRIBERS", doc = "Bit i set: subscriber i has a tick to consume." },
}

struct "sync_timer_init_args" {
  layout = "c",
  doc = "The context of the SEC(\"syscall\") init program: passed by BPF_PROG_TEST_RUN on each CPU and copied back to the loader.",
  field "mode" { "u32", doc = "In: a sync_timer_mode." },
  field "cpu" { "u32", doc = "Out: the CPU the program ran on." },
  field "result" { "u32", doc = "Out: a sync_timer_init_error (also the program's return value)." },
  field "pad" { "u32", doc = "Zero; keeps the size a multiple of 8." },
}

struct "sync_timer_disarm_args" {
  layout = "c",
  doc = "The context of the SEC(\"syscall\") disarm program, which cancels the timer of a CPU that went offline (the kernel moved it to a CPU still online); its counters stay as they are.",
  field "cpu" { "u32", doc = "In: the CPU whose timer to cancel." },
  field "result" { "u32", doc = "Out: a sync_timer_init_error, OK or NO_STATE (also the program's return value)." },
}

struct "sync_timer_publish_args" {
  layout = "c",
  doc = "The context of the SEC(\"syscall\") publish program, which writes the assigned subscriber ids into the state value of every CPU, where each tick reads them.",
  field "assigned" { "u64", doc = "In: the bits of the subscriber ids in use." },
  field "nr_cpus" { "u32", doc = "In: how many CPUs' values to write (the possible CPUs)." },
  field "result" { "u32", doc = "Out: a sync_timer_init_error, OK or NO_STATE (also the program's return value)." },
}

struct "sync_timer_cpu_counts" {
  layout = "c",
  doc = "One CPU's counters, in that CPU's value of the timer's state map right after its bpf_timer and boundary (the lines a tick writes anyway); written only by that CPU's timer callback, read by the loader. Values are spaced so that no two CPUs' ever share a cache line.",
  field "ticks" { "u64", doc = "Callbacks run." },
  field "missed" { "u64", doc = "Boundaries skipped because a tick came late (caught up, never fired in a burst)." },
  field "overrun" { "u64", doc = "Ticks that found assigned bits still set: a subscriber lost the previous tick." },
  field "cost_ns" { "u64", doc = "Time spent in the callback (bpf_ktime_get_ns at entry and after re-arming); counted only when the loader asked for it (measure_cost), else 0." },
  field "pad" { "u64", count = 4, doc = "Zero; pads the counters to 64 bytes." },
}

bpf_map "sync_timer_bitmap" {
  type = "percpu_array",
  key = "u32",
  value = "sync_timer_bitmap_entry",
  max_entries = 1,
  doc = "The per-CPU bitmap shared by the timer program and every subscriber (key 0).",
}

enum "sync_timer_mode" {
  type = "u32",
  doc = "How the per-CPU timers are armed, newest kernels first.",
  value "MODERN" { 0, doc = "BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN (Linux >= 6.7)." },
  value "INTERMEDIATE" { 1, doc = "BPF_F_TIMER_ABS only (Linux >= 6.4); timer_migration off during init." },
  value "LEGACY" { 2, doc = "Relative deadlines (Linux >= 5.15); timer_migration off during init." },
}

enum "sync_timer_init_error" {
  type = "u32",
  doc = "What the init program returns (its retval under BPF_PROG_TEST_RUN).",
  value "OK" { 0, doc = "The timer of this CPU is armed." },
  value "NO_STATE" { 1, doc = "The per-CPU state map has no entry for this CPU." },
  value "TIMER_INIT" { 2, doc = "bpf_timer_init failed." },
  value "SET_CALLBACK" { 3, doc = "bpf_timer_set_callback failed." },
  value "TIMER_START" { 4, doc = "bpf_timer_start failed (e.g. a flag this kernel lacks)." },
  value "BAD_MODE" { 5, doc = "The mode is not one of sync_timer_mode." },
  value "BAD_INTERVAL" { 6, doc = "The interval is below SYNC_TIMER_MIN_INTERVAL_NS." },
}

invariant "SYNC_TIMER_MAX_SUBSCRIBERS <= bits(sync_timer_bitmap_entry.trigger_mask)" {
  doc = "Every subscriber id has its own bit of trigger_mask.",
}

invariant "sizeof(sync_timer_bitmap_entry) == 16 && offsetof(sync_timer_bitmap_entry.trigger_mask) == 8" {
  doc = "The layout every BPF object and the loader agree on.",
}
