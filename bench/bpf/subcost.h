/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* subcost.bpf.c's per-CPU counts (one 64-byte line each), read by sync_timer_subcost. */
#ifndef BENCH_BPF_SUBCOST_H
#define BENCH_BPF_SUBCOST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct subcost_count {
	__u64 n, migrated;
	__u64 id;  /* line_sub: a copy of its subscriber id, written by the loader */
	__u64 pad[5];
};

#endif /* BENCH_BPF_SUBCOST_H */
