// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A sync-timer subscriber in the documented shape: it declares the shared
 * bitmap map from the generated header and its id, and on every hrtimer
 * expiry checks and clears its bit. A tick is sent to user space with its
 * delay after the aligned boundary; an entry set by another CPU's timer is
 * sent as a migration.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h"
#include "clients/sync_timer_collect/sync_timer_collect.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load: this subscriber's id and the timer's interval. */
const volatile __u32 my_sync_timer_id = SYNC_TIMER_MAX_SUBSCRIBERS;
const volatile __u64 interval_ns = 1000000;

SYNC_TIMER_BITMAP_MAP(sync_timer_bitmap);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Events lost because the ring buffer was full. */
__u64 dropped;

SEC("tracepoint/timer/hrtimer_expire_exit")
int collect_tick(void *ctx)
{
	struct sync_timer_bitmap_entry *e;
	struct collect_event *ev;
	__u32 key = 0, cpu;
	__u64 now;

	(void)ctx;
	if (my_sync_timer_id >= SYNC_TIMER_MAX_SUBSCRIBERS)
		return 0;
	if (!sync_timer_check_and_reset(&sync_timer_bitmap, my_sync_timer_id))
		return 0;
	now = bpf_ktime_get_ns();
	e = bpf_map_lookup_elem(&sync_timer_bitmap, &key);
	if (!e)
		return 0;
	cpu = bpf_get_smp_processor_id();
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	ev->kind = e->expected_cpu == cpu ? COLLECT_EVENT_TICK : COLLECT_EVENT_MIGRATION;
	ev->cpu = cpu;
	ev->expected_cpu = e->expected_cpu;
	ev->pad = 0;
	ev->delay_ns = now % interval_ns;
	ev->boundary_ns = now - ev->delay_ns;
	/* the loader drains on its own clock: no wake-up per tick */
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
	return 0;
}
