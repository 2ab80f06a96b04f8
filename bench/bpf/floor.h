/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What floor.bpf.c reports to sync_timer_floor. */
#ifndef BENCH_BPF_FLOOR_H
#define BENCH_BPF_FLOOR_H

#ifndef __VMLINUX_H__
#include <linux/bpf.h> /* struct bpf_timer */
#endif

/* Every FLOOR_POSITION_SPAN boundaries the floor swaps places with the sync
   timer at the boundary: armed 1 ns before it (it expires first), then 1 ns
   after it (second). A power of two: the callback only shifts. */
#define FLOOR_POSITION_SHIFT 6
#define FLOOR_POSITION_SPAN (1u << FLOOR_POSITION_SHIFT)

/* One expiry of the floor in the window, seen in hrtimer_expire_exit. */
struct floor_event {
	__u32 cpu;
	__u32 pad;
	__u64 boundary_ns;  /* the boundary this expiry belongs to */
	__u64 delay_ns;     /* from that boundary to hrtimer_expire_exit */
};

/* Position of an expiry among the bpf_timer expiries of its boundary on its
   CPU, as hrtimer_expire_entry saw them. */
enum floor_position { FLOOR_FIRST = 0, FLOOR_SECOND = 1, FLOOR_POSITIONS = 2 };

/* Which timer an expiry was: the key of its histogram in floor_hists is
   timer * FLOOR_POSITIONS + position. */
enum floor_timer_kind { FLOOR_SYNC = 0, FLOOR_FLOOR = 1, FLOOR_KINDS = 2 };

/* Per CPU, in the window. */
struct floor_cpu_stats {
	__u64 bare_sub_seen;  /* floor expiries seen in tracepoint hrtimer_expire_exit */
	/* bpf_timer expiries third or later at one boundary: not timed */
	__u64 other_n;
};

/* A value of floor_timers, one per CPU: all its callback reads and writes,
   so that it touches no cache line but its own value's. */
struct floor_timer {
	struct bpf_timer timer;
	__u64 interval_ns;     /* set by floor_init */
	__u64 window_start_k;  /* the window (boundary numbers), set by floor_window */
	__u64 window_end_k;
	__u64 ticks;    /* callbacks for boundaries in the window */
	__u64 pad[10];  /* 128 bytes: what a tick touches (48) plus a line apart */
};

/* The context of floor_window: the window for CPUs 0 .. nr_cpus - 1. */
struct floor_window_args {
	__u64 start_k, end_k;
	__u32 nr_cpus, result;  /* result: 0, or 1 if a CPU had no value */
};

/* This CPU's expiry in progress, from hrtimer_expire_entry. */
struct expiry {
	__u64 hrtimer, function, entry_ns;
	__u64 position;  /* enum floor_position, or more: third or later */
	__u64 batch_k;   /* the boundary of the last bpf_timer expiry seen */
	__u64 batch_n;   /* bpf_timer expiries seen at batch_k */
	__u64 floor_hrtimer, timer_fn;  /* the floor's, read by floor_init */
	__u64 others;    /* expiries of other bpf_timers since start */
};

#endif /* BENCH_BPF_FLOOR_H */
