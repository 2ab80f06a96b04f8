// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor for bench-bpf: one bare bpf_timer per CPU, absolute and pinned
 * (BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), firing on k * interval_ns and
 * recording its own delay after the boundary. Nothing else: no bitmap, no
 * subscribers, no catch-up accounting. What the sync timer delivers is
 * judged against what this gets from the same (virtual) machine.
 *
 * Beside it, in the same window [window_start_ns, window_end_ns) (set by
 * sync_timer_floor once the timers run; boundaries in (start, end]):
 * - bare_sub, a bare subscriber: tracepoint/timer/hrtimer_expire_exit that
 *   only counts the floor's expiries (what any tracing program can see of a
 *   timer that ticks, against what the floor's own callback recorded);
 * - expire_entry / expire_exit: the time from hrtimer_expire_entry to
 *   hrtimer_expire_exit of each expiry of a bpf_timer (function
 *   bpf_timer_cb, learned from the floor's own expiries), credited to the
 *   floor when the hrtimer is the floor's on that CPU, else to the sync
 *   timer (the only other bpf_timer while bench-bpf runs).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h" /* SYNC_TIMER_MAX_CPUS only */
#include "bench/bpf/floor.h"

#ifndef BPF_F_TIMER_ABS
#define BPF_F_TIMER_ABS (1ULL << 0)
#endif
#ifndef BPF_F_TIMER_CPU_PIN
#define BPF_F_TIMER_CPU_PIN (1ULL << 1)
#endif
#define CLOCK_MONOTONIC 1

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 interval_ns = 1000000;

struct floor_timer {
	struct bpf_timer timer;
	__u64 boundary_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYNC_TIMER_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct floor_timer);
} floor_timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} floor_events SEC(".maps");

/* The window the counters below cover (CLOCK_MONOTONIC ns; 0: not yet). */
__u64 window_start_ns, window_end_ns;

/* This CPU's expiry in progress, from hrtimer_expire_entry. */
struct expiry {
	__u64 hrtimer, function, entry_ns;
	__u64 floor_hrtimer, timer_fn;  /* the floor's, learned by floor_cb */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct expiry);
} floor_expiry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_cpu_stats);
} floor_stats SEC(".maps");

/* Whether the boundary just before now lies in (start, end]. */
static __always_inline bool in_window(__u64 now)
{
	__u64 b = now / interval_ns * interval_ns;

	return b > window_start_ns && b <= window_end_ns && window_start_ns;
}

static int floor_cb(void *map, __u32 *key, struct floor_timer *t)
{
	__u64 now = bpf_ktime_get_ns();
	struct floor_event *ev = bpf_ringbuf_reserve(&floor_events, sizeof(*ev), 0);
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);

	(void)map;
	/* the expiry in progress on this CPU is ours: remember its hrtimer */
	if (x) {
		x->floor_hrtimer = x->hrtimer;
		x->timer_fn = x->function;
	}
	if (ev) {
		ev->cpu = *key;
		ev->pad = 0;
		ev->boundary_ns = t->boundary_ns;
		ev->delay_ns = now - t->boundary_ns;
		bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
	}
	t->boundary_ns = (now / interval_ns + 1) * interval_ns;
	bpf_timer_start(&t->timer, t->boundary_ns, BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN);
	return 0;
}

/* Run once on each CPU (thread pinned there); returns 0 or the failing step. */
SEC("syscall")
int floor_init(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct floor_timer *t = bpf_map_lookup_elem(&floor_timers, &cpu);

	(void)ctx;
	if (!t)
		return 1;
	if (bpf_timer_init(&t->timer, &floor_timers, CLOCK_MONOTONIC))
		return 2;
	if (bpf_timer_set_callback(&t->timer, floor_cb))
		return 3;
	t->boundary_ns = (bpf_ktime_get_ns() / interval_ns + 1) * interval_ns;
	if (bpf_timer_start(&t->timer, t->boundary_ns, BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN))
		return 4;
	return 0;
}

SEC("tracepoint/timer/hrtimer_expire_entry")
int expire_entry(struct trace_event_raw_hrtimer_expire_entry *ctx)
{
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);

	if (!x)
		return 0;
	x->hrtimer = (__u64)ctx->hrtimer;
	x->function = (__u64)ctx->function;
	x->entry_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/timer/hrtimer_expire_exit")
int expire_exit(struct trace_event_raw_hrtimer_class *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);
	struct floor_cpu_stats *s = bpf_map_lookup_elem(&floor_stats, &zero);

	if (!x || !s || !x->timer_fn || x->hrtimer != (__u64)ctx->hrtimer || !x->entry_ns)
		return 0;
	if (x->function == x->timer_fn && in_window(now)) {
		if (x->hrtimer == x->floor_hrtimer) {
			s->floor_ns += now - x->entry_ns;
			s->floor_n++;
		} else {
			s->sync_ns += now - x->entry_ns;
			s->sync_n++;
		}
	}
	x->entry_ns = 0;
	return 0;
}

/* The bare subscriber: counts the floor's expiries, nothing else. */
SEC("tracepoint/timer/hrtimer_expire_exit")
int bare_sub(struct trace_event_raw_hrtimer_class *ctx)
{
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);
	struct floor_cpu_stats *s;

	if (!x || (__u64)ctx->hrtimer != x->floor_hrtimer || !in_window(bpf_ktime_get_ns()))
		return 0;
	s = bpf_map_lookup_elem(&floor_stats, &zero);
	if (s)
		s->bare_sub_seen++;
	return 0;
}
