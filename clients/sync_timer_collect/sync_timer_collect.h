/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Events from the sync_timer_collect subscriber to its loader (ring buffer). */
#ifndef CLIENTS_SYNC_TIMER_COLLECT_H
#define CLIENTS_SYNC_TIMER_COLLECT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum collect_event_kind {
	COLLECT_EVENT_TICK = 0,      /* this subscriber consumed a tick on its CPU */
	COLLECT_EVENT_MIGRATION = 1, /* the entry says another CPU's timer set it */
};

struct collect_event {
	__u32 kind;          /* enum collect_event_kind */
	__u32 cpu;           /* where the subscriber ran */
	__u32 expected_cpu;  /* the entry's expected_cpu */
	__u32 pad;
	__u64 boundary_ns;   /* the aligned boundary (CLOCK_MONOTONIC) of the tick */
	__u64 delay_ns;      /* time from that boundary to this program */
};

#endif /* CLIENTS_SYNC_TIMER_COLLECT_H */
