// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The shared sync timer: one bpf_timer per CPU firing on the same absolute
 * boundary k * interval_ns of CLOCK_MONOTONIC on every CPU. Each tick sets
 * this CPU's entry of the per-CPU map sync_timer_bitmap (expected CPU + the
 * bits of the assigned subscribers) and counts ticks and missed ticks in its
 * own value of the state map, beside its bpf_timer.
 *
 * libsync_timer sets interval_ns before load, runs sync_timer_init on every
 * online CPU (BPF_PROG_TEST_RUN with the thread pinned there), runs
 * sync_timer_publish as it hands out subscriber ids and sync_timer_disarm for
 * a CPU that went offline.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h"
#include "bpf/include/sync_timer.bpf.h"
#include "bpf/sync_timer_value.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 interval_ns = 1000000;

/* The callback's self-timing (cost_ns): off unless the loader asks for it
   (sync_timer_opts.measure_cost); when off, a tick reads the clock once.
   Read by the init program only, which picks the callback. */
const volatile __u32 measure_cost = 0;

/* One CPU's value of the state map: its timer, then its counters, in the
   lines a tick writes anyway (libsync_timer reads them with a lookup). */
struct sync_timer_value {
	struct sync_timer_state st;
	__u64 assigned;  /* the subscriber ids in use: written by sync_timer_publish */
	struct sync_timer_cpu_counts counts;
	__u8 pad[SYNC_TIMER_VALUE_SIZE - SYNC_TIMER_VALUE_COUNTS_OFFSET -
		 sizeof(struct sync_timer_cpu_counts)];
};
_Static_assert(sizeof(struct sync_timer_value) == SYNC_TIMER_VALUE_SIZE, "value size");
_Static_assert(__builtin_offsetof(struct sync_timer_value, counts) == SYNC_TIMER_VALUE_COUNTS_OFFSET,
	       "counters' offset");
_Static_assert(__builtin_offsetof(struct sync_timer_value, assigned) == SYNC_TIMER_VALUE_ASSIGNED_OFFSET,
	       "assigned ids' offset");
_Static_assert(__builtin_offsetof(struct sync_timer_value, st.helper_error) ==
	       SYNC_TIMER_VALUE_HELPER_ERROR_OFFSET, "helper error's offset");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYNC_TIMER_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct sync_timer_value);
} sync_timer_state SEC(".maps");

SYNC_TIMER_BITMAP_MAP(sync_timer_bitmap);

/* On the timer's CPU (pinned modes) or wherever it migrated to (legacy). */
static __always_inline void on_tick(struct sync_timer_value *v, __u32 cpu, __u64 missed)
{
	__u64 assigned = *(volatile __u64 *)&v->assigned;
	struct sync_timer_cpu_counts *c = &v->counts;
	struct sync_timer_bitmap_entry *e;
	__u32 key = 0;

	c->ticks++;
	if (missed)
		c->missed += missed;
	e = bpf_map_lookup_elem(&sync_timer_bitmap, &key);
	if (!e)
		return;
	/* a subscriber has not consumed the previous tick of this entry */
	if (e->trigger_mask & assigned)
		c->overrun++;
	e->expected_cpu = cpu;
	/* one 64-bit store (single-copy atomic): drops bits of released ids */
	*(volatile __u64 *)&e->trigger_mask = assigned;
}

/* One tick: the counters and the bitmap, then re-arm. */
static __always_inline struct sync_timer_cpu_counts *tick(struct sync_timer_state *st, __u64 now)
{
	struct sync_timer_value *v = (struct sync_timer_value *)st;

	on_tick(v, st->cpu, sync_timer_advance(st, now));
	sync_timer_arm(st);
	return &v->counts;
}

/* SYNC_TIMER_CALLBACK's shape. */
static int sync_timer_cb(void *map, __u32 *key, struct sync_timer_state *st)
{
	(void)map;
	(void)key;
	tick(st, bpf_ktime_get_ns());
	return 0;
}

/* The same, timing itself (measure_cost): a second clock read per tick. The
   init program picks one of the two, so a tick never reads measure_cost. */
static int sync_timer_cost_cb(void *map, __u32 *key, struct sync_timer_state *st)
{
	__u64 now = bpf_ktime_get_ns();
	struct sync_timer_cpu_counts *c = tick(st, now);

	(void)map;
	(void)key;
	c->cost_ns += bpf_ktime_get_ns() - now;
	return 0;
}

SEC("syscall")
int sync_timer_init(struct sync_timer_init_args *args)
{
	__u32 cpu = bpf_get_smp_processor_id();

	/* the counters start at zero with the object and are never reset: a
	   re-init (sync_timer_rearm) keeps counting since start */
	args->cpu = cpu;
	if (measure_cost)
		args->result = sync_timer_state_init(&sync_timer_state, interval_ns, args->mode,
						     sync_timer_cost_cb);
	else
		args->result = sync_timer_state_init(&sync_timer_state, interval_ns, args->mode,
						     sync_timer_cb);
	return args->result;
}

/* Cancels the timer of args->cpu, which went offline (the kernel moved its
   pinned hrtimer to a CPU still online). The counters stay; a later init on
   that CPU arms the same bpf_timer again. */
SEC("syscall")
int sync_timer_disarm(struct sync_timer_disarm_args *args)
{
	__u32 cpu = args->cpu;
	struct sync_timer_value *v = bpf_map_lookup_elem(&sync_timer_state, &cpu);

	if (!v) {
		args->result = SYNC_TIMER_INIT_ERROR_NO_STATE;
		return args->result;
	}
	if (v->st.initialised)
		bpf_timer_cancel(&v->st.timer);
	args->result = SYNC_TIMER_INIT_ERROR_OK;
	return 0;
}

/* Writes the assigned ids into the state value of CPUs 0 .. nr_cpus - 1,
   where each tick reads them (a line it writes anyway). Run at every assign
   and release: from the next tick on, every CPU sets the new bits. */
SEC("syscall")
int sync_timer_publish(struct sync_timer_publish_args *args)
{
	__u64 assigned = args->assigned, i, n = args->nr_cpus;
	struct sync_timer_value *v;
	__u32 key;

	args->result = SYNC_TIMER_INIT_ERROR_OK;
	if (n > SYNC_TIMER_MAX_CPUS)
		n = SYNC_TIMER_MAX_CPUS;
	/* the counter stays in a register (the key is a copy), so the
	   verifier sees the bound */
	for (i = 0; i < n; i++) {
		key = (__u32)i;
		v = bpf_map_lookup_elem(&sync_timer_state, &key);
		if (!v) {
			args->result = SYNC_TIMER_INIT_ERROR_NO_STATE;
			break;
		}
		*(volatile __u64 *)&v->assigned = assigned;
	}
	return args->result;
}
