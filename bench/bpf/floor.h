/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The floor timer's event: one per tick, its delay after the boundary. */
#ifndef BENCH_BPF_FLOOR_H
#define BENCH_BPF_FLOOR_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct floor_event {
	__u32 cpu;
	__u32 pad;
	__u64 boundary_ns;  /* the boundary this tick was armed for */
	__u64 delay_ns;     /* from that boundary to the callback */
};

/* Per CPU, in the window: the bare subscriber's count of the floor's
   expiries, and the time from hrtimer_expire_entry to hrtimer_expire_exit of
   each timer's expiries (the callback as the kernel runs it). */
struct floor_cpu_stats {
	__u64 bare_sub_seen;  /* floor expiries seen in tracepoint hrtimer_expire_exit */
	__u64 floor_ns, floor_n;  /* entry-to-exit time of the floor's expiries */
	__u64 sync_ns, sync_n;    /* the same for the other bpf_timer: the sync timer's */
};

#endif /* BENCH_BPF_FLOOR_H */
