// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor for bench-bpf: one bare bpf_timer per CPU, absolute and pinned
 * (BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), firing on k * interval_ns. Its
 * callback does no work but its own re-arm (and, inside the window, one
 * tick count): no bitmap, no subscribers, no catch-up accounting, no clock
 * read of its own beyond the one that finds the next boundary. What the
 * sync timer delivers and costs is judged against it.
 *
 * The two timers expire at the same boundary on each CPU, and the first of
 * the two to run pays more (cold caches, the softirq's first expiry). So the
 * floor swaps places with the sync timer every FLOOR_POSITION_SPAN
 * boundaries: it arms 1 ns before the boundary (it runs first, the sync
 * timer right after it in the same softirq), then 1 ns after it (second).
 * Nothing assumes the order worked: hrtimer_expire_entry records each
 * bpf_timer expiry's actual position at its boundary on its CPU.
 *
 * Beside it, in the window (boundaries k with window_start_k < k <=
 * window_end_k, set by sync_timer_floor):
 * - expire_entry / expire_exit: the time from hrtimer_expire_entry to
 *   hrtimer_expire_exit of each bpf_timer expiry (function bpf_timer_cb,
 *   read at init with the floor's own hrtimer), into the histogram of its
 *   position and timer: the floor's when the hrtimer is the floor's on that
 *   CPU, else the sync timer's (the only other bpf_timer while bench-bpf
 *   runs); and the floor's delay
 *   as hrtimer_expire_exit sees it, which is where a subscriber sees the
 *   sync timer's. expire_exit takes its clock reading before anything else,
 *   and sync_timer_floor attaches before the collector, so the collector's
 *   subscriber runs after the reading (a tracepoint runs its programs in
 *   attach order).
 * - bare_sub, a bare subscriber: counts the floor's expiries in
 *   tracepoint/timer/hrtimer_expire_exit (what any tracing program can see
 *   of a timer that ticks, against the ticks the floor's callback counted).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "generated/sync_timer_bitmap.bpf.h" /* SYNC_TIMER_MAX_CPUS only */
#include "bench/bpf/floor.h"
#include "bench/bpf/hist.h"

#ifndef BPF_F_TIMER_ABS
#define BPF_F_TIMER_ABS (1ULL << 0)
#endif
#ifndef BPF_F_TIMER_CPU_PIN
#define BPF_F_TIMER_CPU_PIN (1ULL << 1)
#endif
#define CLOCK_MONOTONIC 1

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 interval_ns = 1000000;

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

/* The window, as boundary numbers k (boundary k is k * interval_ns):
   boundaries in (start, end] count; start 0: not yet. */
__u64 window_start_k, window_end_k;

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

/* hrtimer_expire_entry to hrtimer_expire_exit, per timer and position. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOOR_KINDS * FLOOR_POSITIONS);
	__type(key, __u32);
	__type(value, struct hist);
} floor_hists SEC(".maps");

static __always_inline bool in_window(__u64 k)
{
	return window_start_k && k > window_start_k && k <= window_end_k;
}

/* The boundary at or before now, counting an expiry armed 1 ns early (now =
   k * interval_ns - 1) as boundary k's. */
static __always_inline __u64 boundary_k(__u64 now)
{
	return (now + 1) / interval_ns;
}

static int floor_cb(void *map, __u32 *key, struct floor_timer *t)
{
	__u64 interval = t->interval_ns;
	__u64 k = (bpf_ktime_get_ns() + 1) / interval + 1;  /* the next boundary */

	(void)map;
	(void)key;
	if (t->window_start_k && k - 1 > t->window_start_k && k - 1 <= t->window_end_k)
		t->ticks++;
	/* 1 ns before boundary k or 1 ns after it, FLOOR_POSITION_SPAN
	   boundaries each */
	bpf_timer_start(&t->timer, k * interval - 1 + 2 * ((k >> FLOOR_POSITION_SHIFT) & 1),
			BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN);
	return 0;
}

/* Run once on each CPU (thread pinned there); returns 0 or the failing step. */
SEC("syscall")
int floor_init(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id(), zero = 0;
	struct floor_timer *t = bpf_map_lookup_elem(&floor_timers, &cpu);
	struct bpf_hrtimer *bt = 0;
	struct expiry *x;
	__u64 hrtimer, fn = 0;

	(void)ctx;
	if (!t)
		return 1;
	if (bpf_timer_init(&t->timer, &floor_timers, CLOCK_MONOTONIC))
		return 2;
	if (bpf_timer_set_callback(&t->timer, floor_cb))
		return 3;
	t->interval_ns = interval_ns;
	/* this CPU's floor hrtimer and its function (bpf_timer_cb), read from
	   the kernel's bpf_hrtimer behind the map value's bpf_timer, so that
	   the tracing programs know the floor's expiries from the first on */
	x = bpf_map_lookup_elem(&floor_expiry, &zero);
	if (!x || bpf_probe_read_kernel(&bt, sizeof(bt), (void *)&t->timer +
					bpf_core_field_offset(struct bpf_async_kern, timer)) || !bt)
		return 5;
	hrtimer = (__u64)bt + bpf_core_field_offset(struct bpf_hrtimer, timer);
	if (bpf_probe_read_kernel(&fn, sizeof(fn), (void *)hrtimer +
				  bpf_core_field_offset(struct hrtimer, function)) || !fn)
		return 6;
	x->floor_hrtimer = hrtimer;
	x->timer_fn = fn;
	if (bpf_timer_start(&t->timer, (bpf_ktime_get_ns() / interval_ns + 1) * interval_ns,
			    BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN))
		return 4;
	return 0;
}

/* Writes the window into the values of CPUs 0 .. nr_cpus - 1 (a map update
   from user space would free their timers). */
SEC("syscall")
int floor_window(struct floor_window_args *args)
{
	__u64 i, n = args->nr_cpus < SYNC_TIMER_MAX_CPUS ? args->nr_cpus : SYNC_TIMER_MAX_CPUS;
	struct floor_timer *t;
	__u32 key;

	args->result = 0;
	for (i = 0; i < n; i++) {
		key = (__u32)i;
		t = bpf_map_lookup_elem(&floor_timers, &key);
		if (!t) {
			args->result = 1;
			break;
		}
		/* the end first: a callback that sees the start sees the end */
		*(volatile __u64 *)&t->window_end_k = args->end_k;
		*(volatile __u64 *)&t->window_start_k = args->start_k;
	}
	return args->result;
}

SEC("tracepoint/timer/hrtimer_expire_entry")
int expire_entry(struct trace_event_raw_hrtimer_expire_entry *ctx)
{
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);
	__u64 k;

	if (!x)
		return 0;
	x->hrtimer = (__u64)ctx->hrtimer;
	x->function = (__u64)ctx->function;
	if (x->timer_fn && x->function == x->timer_fn) {
		k = boundary_k(bpf_ktime_get_ns());
		if (k != x->batch_k) {
			x->batch_k = k;
			x->batch_n = 0;
		}
		x->position = x->batch_n++;
	}
	/* last: the time from here to expire_exit is the expiry's alone */
	x->entry_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/timer/hrtimer_expire_exit")
int expire_exit(struct trace_event_raw_hrtimer_class *ctx)
{
	__u64 now = bpf_ktime_get_ns(), ns, k;
	__u32 zero = 0, pos, kind, key;
	struct hist *h;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);
	struct floor_cpu_stats *s = bpf_map_lookup_elem(&floor_stats, &zero);
	struct floor_event *ev;

	if (!x || !s || !x->timer_fn || x->function != x->timer_fn ||
	    x->hrtimer != (__u64)ctx->hrtimer || !x->entry_ns)
		return 0;
	ns = now - x->entry_ns;
	x->entry_ns = 0;
	if (x->hrtimer != x->floor_hrtimer)
		x->others++;
	k = boundary_k(now);
	if (!in_window(k))
		return 0;
	pos = x->position;
	kind = x->hrtimer == x->floor_hrtimer ? FLOOR_FLOOR : FLOOR_SYNC;
	if (pos < FLOOR_POSITIONS) {
		key = kind * FLOOR_POSITIONS + pos;
		h = bpf_map_lookup_elem(&floor_hists, &key);
		if (h)
			hist_add(h, ns);
	} else {
		s->other_n++;
	}
	if (kind == FLOOR_SYNC)
		return 0;
	ev = bpf_ringbuf_reserve(&floor_events, sizeof(*ev), 0);
	if (ev) {
		ev->cpu = bpf_get_smp_processor_id();
		ev->pad = 0;
		ev->boundary_ns = k * interval_ns;
		ev->delay_ns = now > ev->boundary_ns ? now - ev->boundary_ns : 0;
		bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
	}
	return 0;
}

/* The bare subscriber: counts the floor's expiries, nothing else. */
SEC("tracepoint/timer/hrtimer_expire_exit")
int bare_sub(struct trace_event_raw_hrtimer_class *ctx)
{
	__u32 zero = 0;
	struct expiry *x = bpf_map_lookup_elem(&floor_expiry, &zero);
	struct floor_cpu_stats *s;

	if (!x || (__u64)ctx->hrtimer != x->floor_hrtimer ||
	    !in_window(boundary_k(bpf_ktime_get_ns())))
		return 0;
	s = bpf_map_lookup_elem(&floor_stats, &zero);
	if (s)
		s->bare_sub_seen++;
	return 0;
}
