/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What subcost.bpf.c shares with sync_timer_subcost. */
#ifndef BENCH_BPF_SUBCOST_H
#define BENCH_BPF_SUBCOST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The programs timed, one at a time between stamp_start and stamp_end;
   the key of each one's histogram. */
enum subcost_subject { SUBCOST_DOC = 0, SUBCOST_COUNT = 1, SUBCOST_BARE = 2, SUBCOST_SUBJECTS = 3 };

/* One CPU's counts, one 64-byte line per CPU and program. */
struct subcost_count {
	__u64 n, migrated;
	__u64 id;  /* count_sub: a copy of its subscriber id, written by the loader */
	__u64 pad[5];
};

#endif /* BENCH_BPF_SUBCOST_H */
