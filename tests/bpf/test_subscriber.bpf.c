// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The test subscriber: the documented subscriber shape, counting per CPU the
 * ticks it consumed, the migrations it saw, and every trigger_mask bit it
 * ever found set (to prove unassigned bits stay clear).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 my_sync_timer_id = SYNC_TIMER_MAX_SUBSCRIBERS;

SYNC_TIMER_BITMAP_MAP(sync_timer_bitmap);

__u64 seen[SYNC_TIMER_MAX_CPUS];
__u64 migrated[SYNC_TIMER_MAX_CPUS];
__u64 masks_seen;

SEC("tracepoint/timer/hrtimer_expire_exit")
int test_sub_tick(void *ctx)
{
	struct sync_timer_bitmap_entry *e;
	__u32 key = 0, cpu;

	(void)ctx;
	if (my_sync_timer_id >= SYNC_TIMER_MAX_SUBSCRIBERS)
		return 0;
	e = bpf_map_lookup_elem(&sync_timer_bitmap, &key);
	if (e && e->trigger_mask)
		__sync_fetch_and_or(&masks_seen, e->trigger_mask);
	if (!sync_timer_check_and_reset(&sync_timer_bitmap, my_sync_timer_id))
		return 0;
	cpu = bpf_get_smp_processor_id();
	if (!e || cpu >= SYNC_TIMER_MAX_CPUS)
		return 0;
	if (e->expected_cpu != cpu)
		__sync_fetch_and_add(&migrated[cpu], 1);
	else
		__sync_fetch_and_add(&seen[cpu], 1);
	return 0;
}
