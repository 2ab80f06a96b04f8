// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An out-of-tree subscriber of the BPF sync timer, in the documented shape:
 * the bitmap map declared here (libsync_timer makes it the timer's own map
 * before load), the id in .bss (written by the loader after load), and one
 * check-and-reset per hrtimer expiry. It counts the ticks it consumed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sync_timer_bitmap.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sync_timer_bitmap_entry);
} sync_timer_bitmap SEC(".maps");

volatile __u64 my_sync_timer_id;
__u64 ticks_seen;

SEC("tracepoint/timer/hrtimer_expire_exit")
int on_hrtimer_expire_exit(void *ctx)
{
	(void)ctx;
	if (!sync_timer_check_and_reset(&sync_timer_bitmap, my_sync_timer_id))
		return 0;
	__sync_fetch_and_add(&ticks_seen, 1);
	return 0;
}
