/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The private interface between bpf/sync_timer.bpf.c and libsynctimer: the
 * init program's argument block and the per-CPU counters. (The memory shared
 * with subscribers, sync_timer_bitmap, comes from the schema: see
 * generated/sync_timer.bpf.h.) Only __u32/__u64, so both sides include it.
 */
#ifndef BPF_SYNC_TIMER_ABI_H
#define BPF_SYNC_TIMER_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* ctx of the SEC("syscall") init program, passed by BPF_PROG_TEST_RUN and
   copied back to the caller. */
struct sync_timer_init_args {
	__u32 mode;    /* in: enum sync_timer_mode */
	__u32 cpu;     /* out: the CPU the program ran on */
	__u32 result;  /* out: enum sync_timer_init_error (also the retval) */
	__u32 pad;
};

/* One CPU's counters, written only by that CPU's timer callback. */
struct sync_timer_cpu_counts {
	__u64 ticks;   /* callbacks run */
	__u64 missed;  /* boundaries skipped because a tick came late */
	__u64 overrun; /* ticks that found assigned bits still set */
	__u64 cost_ns; /* time spent in the callback (bpf_ktime_get_ns) */
};

#endif /* BPF_SYNC_TIMER_ABI_H */
