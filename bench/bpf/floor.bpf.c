// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor for bench-bpf: one bare bpf_timer per CPU, absolute and pinned
 * (BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), firing on k * interval_ns and
 * recording its own delay after the boundary. Nothing else: no bitmap, no
 * subscribers, no catch-up accounting. What the sync timer delivers is
 * judged against what this gets from the same (virtual) machine.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer.bpf.h" /* SYNC_TIMER_MAX_CPUS only */
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

static int floor_cb(void *map, __u32 *key, struct floor_timer *t)
{
	__u64 now = bpf_ktime_get_ns();
	struct floor_event *ev = bpf_ringbuf_reserve(&floor_events, sizeof(*ev), 0);

	(void)map;
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
