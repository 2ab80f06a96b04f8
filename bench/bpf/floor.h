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

#endif /* BENCH_BPF_FLOOR_H */
