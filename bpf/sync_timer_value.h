/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The layout of one value of sync_timer.bpf.c's map sync_timer_state (one
 * per CPU), shared by the BPF object (which asserts it against its struct)
 * and libsync_timer (which reads the counters with a map lookup):
 *   0   struct sync_timer_state  the bpf_timer, interval, next boundary, mode...
 *   48  __u64 assigned  the subscriber ids in use (sync_timer_publish writes it)
 *   56  struct sync_timer_cpu_counts  that CPU's counters (generated)
 * A tick reads and writes the first 96 bytes at most (the bpf_timer's lock,
 * next_ns, assigned, ticks, missed, overrun, cost_ns). Values are 192 bytes
 * apart, so wherever the kernel starts the array, the bytes two CPUs' ticks
 * touch are more than a cache line apart and never share one.
 */
#ifndef BPF_SYNC_TIMER_VALUE_H
#define BPF_SYNC_TIMER_VALUE_H

#define SYNC_TIMER_VALUE_SIZE 192
#define SYNC_TIMER_VALUE_HELPER_ERROR_OFFSET 44 /* sync_timer_state.helper_error, an __s32 */
#define SYNC_TIMER_VALUE_ASSIGNED_OFFSET 48
#define SYNC_TIMER_VALUE_COUNTS_OFFSET 56

#endif /* BPF_SYNC_TIMER_VALUE_H */
