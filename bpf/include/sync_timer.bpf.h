/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The legacy sync-timer callback header: one bpf_timer per CPU that fires on
 * the absolute boundaries k * interval_ns of CLOCK_MONOTONIC and calls a
 * function of yours on every tick. You keep your own maps and do your own
 * updates; bpf/sync_timer.bpf.c is built on this header.
 *
 * Use:
 *
 *   #include "vmlinux.h"            (or <linux/bpf.h>)
 *   #include "bpf/include/sync_timer.bpf.h"
 *
 *   struct {
 *       __uint(type, BPF_MAP_TYPE_ARRAY);
 *       __uint(max_entries, SYNC_TIMER_MAX_CPUS);
 *       __type(key, __u32);
 *       __type(value, struct sync_timer_state);
 *   } my_timers SEC(".maps");
 *
 *   static void my_tick(struct sync_timer_state *st, __u64 now, __u64 missed)
 *   { ... }
 *   SYNC_TIMER_CALLBACK(my_timer_cb, my_tick)
 *
 *   SEC("syscall") int my_init(struct my_args *a)
 *   {
 *       a->result = sync_timer_state_init(&my_timers, interval, a->mode, my_timer_cb);
 *       return 0;
 *   }
 *
 * Run my_init once on every CPU (pin the thread, BPF_PROG_TEST_RUN) as
 * libsync_timer does. Calling it again on a CPU cancels that CPU's timer and
 * arms it again in the new mode.
 *
 * Modes (enum sync_timer_mode, from the schema):
 *   MODERN        absolute deadline, pinned to the arming CPU (Linux >= 6.7)
 *   INTERMEDIATE  absolute deadline (Linux >= 6.4)
 *   LEGACY        relative deadline recomputed at arming time (Linux >= 5.15)
 * A tick that comes late skips the boundaries it missed (counted, never fired
 * in a burst) and arms the next boundary after now; a deadline already in
 * the past is armed at once.
 */
#ifndef BPF_INCLUDE_SYNC_TIMER_BPF_H
#define BPF_INCLUDE_SYNC_TIMER_BPF_H

#ifndef __VMLINUX_H__
#include <linux/bpf.h>
#endif
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h"

/* Newer than the UAPI headers of libbpf 1.1 era systems (vmlinux.h has
   them as enum constants, which #ifndef cannot see: same values). */
#ifndef BPF_F_TIMER_ABS
#define BPF_F_TIMER_ABS (1ULL << 0)
#endif
#ifndef BPF_F_TIMER_CPU_PIN
#define BPF_F_TIMER_CPU_PIN (1ULL << 1)
#endif

#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#endif

/*
 * One CPU's timer. Only that CPU's callback and init program write it. All
 * CPUs tick at the same instant and every bpf_timer_start takes a lock inside
 * the map value, so keep CPUs off each other's cache lines: make it the first
 * member of a value that also holds your per-CPU data and is padded so that
 * values lie more than 64 bytes apart beyond what a tick writes (as
 * bpf/sync_timer.bpf.c does); a map of bare 48-byte states puts neighbours
 * in one line.
 */
struct sync_timer_state {
	struct bpf_timer timer;
	__u64 interval_ns;  /* tick period; boundaries are k * interval_ns */
	__u64 next_ns;      /* the boundary the timer is armed for */
	__u32 mode;         /* enum sync_timer_mode */
	__u32 cpu;          /* the CPU this timer belongs to (its map key) */
	__u32 initialised;  /* bpf_timer_init done: re-init cancels instead */
	__s32 helper_error; /* what the helper that failed the last init returned, else 0 */
};

/* The first boundary strictly after now. */
static __always_inline __u64 sync_timer_next_boundary(__u64 now, __u64 interval_ns)
{
	return (now / interval_ns + 1) * interval_ns;
}

/* Arms st->timer for st->next_ns in st->mode. Returns bpf_timer_start's result. */
static __always_inline long sync_timer_arm(struct sync_timer_state *st)
{
	__u64 now, rel;

	switch (st->mode) {
	case SYNC_TIMER_MODE_MODERN:
		return bpf_timer_start(&st->timer, st->next_ns,
				       BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN);
	case SYNC_TIMER_MODE_INTERMEDIATE:
		return bpf_timer_start(&st->timer, st->next_ns, BPF_F_TIMER_ABS);
	default:
		now = bpf_ktime_get_ns();
		rel = st->next_ns > now ? st->next_ns - now : 0;
		return bpf_timer_start(&st->timer, rel, 0);
	}
}

/*
 * Moves st->next_ns past now and returns how many boundaries were skipped:
 * 0 when this tick came before the next boundary was due.
 */
static __always_inline __u64 sync_timer_advance(struct sync_timer_state *st, __u64 now)
{
	__u64 following = st->next_ns + st->interval_ns;

	/* on time: at or after the boundary, before the following one (no division) */
	if (now >= st->next_ns && now < following) {
		st->next_ns = following;
		return 0;
	}
	__u64 base = now > st->next_ns ? now : st->next_ns;
	__u64 next = sync_timer_next_boundary(base, st->interval_ns);
	__u64 missed = 0;

	if (next > st->next_ns)
		missed = (next - st->next_ns) / st->interval_ns - 1;
	st->next_ns = next;
	return missed;
}

/*
 * Defines `static int name(void *map, __u32 *key, struct sync_timer_state *st)`,
 * the bpf_timer callback: it calls tick_fn(st, now, missed), where missed is
 * the number of boundaries skipped since the previous tick, then re-arms.
 */
#define SYNC_TIMER_CALLBACK(name, tick_fn)                                      \
	static int name(void *map, __u32 *key, struct sync_timer_state *st)     \
	{                                                                       \
		__u64 now = bpf_ktime_get_ns();                                 \
		__u64 missed = sync_timer_advance(st, now);                     \
		tick_fn(st, now, missed);                                       \
		sync_timer_arm(st);                                             \
		return 0;                                                       \
	}

/*
 * Arms this CPU's timer (map is an array keyed by CPU of struct
 * sync_timer_state; cb is a SYNC_TIMER_CALLBACK). Re-initialising cancels
 * and replaces. Returns an enum sync_timer_init_error; when a helper failed,
 * st->helper_error keeps what it returned (a negative errno), else it is 0.
 */
static __always_inline __u32 sync_timer_state_init(void *map, __u64 interval_ns,
						   __u32 mode, void *cb)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct sync_timer_state *st;
	long err;

	if (interval_ns < SYNC_TIMER_MIN_INTERVAL_NS)
		return SYNC_TIMER_INIT_ERROR_BAD_INTERVAL;
	if (mode > SYNC_TIMER_MODE_LEGACY)
		return SYNC_TIMER_INIT_ERROR_BAD_MODE;
	st = bpf_map_lookup_elem(map, &cpu);
	if (!st)
		return SYNC_TIMER_INIT_ERROR_NO_STATE;
	st->helper_error = 0;
	if (st->initialised) {
		bpf_timer_cancel(&st->timer);
	} else {
		err = bpf_timer_init(&st->timer, map, CLOCK_MONOTONIC);
		if (err) {
			st->helper_error = (__s32)err;
			return SYNC_TIMER_INIT_ERROR_TIMER_INIT;
		}
		st->initialised = 1;
	}
	err = bpf_timer_set_callback(&st->timer, cb);
	if (err) {
		st->helper_error = (__s32)err;
		return SYNC_TIMER_INIT_ERROR_SET_CALLBACK;
	}
	st->interval_ns = interval_ns;
	st->mode = mode;
	st->cpu = cpu;
	st->next_ns = sync_timer_next_boundary(bpf_ktime_get_ns(), interval_ns);
	err = sync_timer_arm(st);
	if (err) {
		st->helper_error = (__s32)err;
		return SYNC_TIMER_INIT_ERROR_TIMER_START;
	}
	return SYNC_TIMER_INIT_ERROR_OK;
}

#endif /* BPF_INCLUDE_SYNC_TIMER_BPF_H */
