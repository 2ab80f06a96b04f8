// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The subscriber side of bench-bpf (sync_timer_subcost): programs on
 * tracepoint/timer/hrtimer_expire_exit, each timed run by run between two
 * stamps (a tracepoint runs its programs in attach order, and the loader
 * attaches stamp_start_S, subject S, stamp_end_S for each subject S in
 * turn), into a histogram per subject:
 * - doc_sub, the documented subscriber: its id in rodata (`const volatile
 *   __u32 my_sync_timer_id`), check-and-reset of its bit and the migration
 *   check (a migration is counted; a tick on its own CPU writes nothing);
 * - count_sub, the same counting every tick too, with a copy of its id in
 *   its own per-CPU counter line (the line it writes anyway);
 * - bare_count, a bare tracepoint program that only counts its runs.
 * Each counts per CPU in a 64-byte line of its own.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "generated/sync_timer_bitmap.bpf.h"
#include "bench/bpf/subcost.h"
#include "bench/bpf/hist.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 my_sync_timer_id = SYNC_TIMER_MAX_SUBSCRIBERS;

SYNC_TIMER_BITMAP_MAP(sync_timer_bitmap);

struct subcost_count doc_counts[SYNC_TIMER_MAX_CPUS] __attribute__((aligned(64)));
struct subcost_count count_counts[SYNC_TIMER_MAX_CPUS] __attribute__((aligned(64)));
struct subcost_count bare_counts[SYNC_TIMER_MAX_CPUS] __attribute__((aligned(64)));

/* After a tick was consumed: the migration check and one count. */
static __always_inline void count_tick(struct subcost_count *c, __u32 cpu)
{
	struct sync_timer_bitmap_entry *e;
	__u32 key = 0;

	e = bpf_map_lookup_elem(&sync_timer_bitmap, &key);
	if (!e)
		return;
	if (e->expected_cpu != cpu)
		c->migrated++;
	else
		c->n++;
}

SEC("tracepoint/timer/hrtimer_expire_exit")
int doc_sub(void *ctx)
{
	struct sync_timer_bitmap_entry *e;
	__u32 key = 0, cpu;

	(void)ctx;
	if (!sync_timer_check_and_reset(&sync_timer_bitmap, my_sync_timer_id))
		return 0;
	cpu = bpf_get_smp_processor_id();
	e = bpf_map_lookup_elem(&sync_timer_bitmap, &key);
	/* the migration check; a tick on its own CPU writes nothing */
	if (e && e->expected_cpu != cpu && cpu < SYNC_TIMER_MAX_CPUS)
		doc_counts[cpu].migrated++;
	return 0;
}

SEC("tracepoint/timer/hrtimer_expire_exit")
int count_sub(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	(void)ctx;
	if (cpu >= SYNC_TIMER_MAX_CPUS ||
	    !sync_timer_check_and_reset(&sync_timer_bitmap, count_counts[cpu].id))
		return 0;
	count_tick(&count_counts[cpu], cpu);
	return 0;
}

SEC("tracepoint/timer/hrtimer_expire_exit")
int bare_count(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	(void)ctx;
	if (cpu < SYNC_TIMER_MAX_CPUS)
		bare_counts[cpu].n++;
	return 0;
}

/* The start stamp of each subject on this CPU, 0 when none. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SUBCOST_SUBJECTS);
	__type(key, __u32);
	__type(value, __u64);
} stamps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SUBCOST_SUBJECTS);
	__type(key, __u32);
	__type(value, struct hist);
} subject_hists SEC(".maps");

static __always_inline void stamp_start(__u32 subject)
{
	__u64 *t = bpf_map_lookup_elem(&stamps, &subject);

	if (t)
		*t = bpf_ktime_get_ns();
}

static __always_inline void stamp_end(__u32 subject)
{
	__u64 now = bpf_ktime_get_ns(), *t;
	struct hist *h;

	t = bpf_map_lookup_elem(&stamps, &subject);
	if (!t || !*t)
		return;
	h = bpf_map_lookup_elem(&subject_hists, &subject);
	if (h)
		hist_add(h, now - *t);
	*t = 0;
}

/* A pair of stamps per subject: a tracepoint holds a program once, so
   each bracket needs programs of its own. */
#define STAMPS(s)                                                  \
	SEC("tracepoint/timer/hrtimer_expire_exit")                \
	int stamp_start_##s(void *ctx) { (void)ctx; stamp_start(s); return 0; } \
	SEC("tracepoint/timer/hrtimer_expire_exit")                \
	int stamp_end_##s(void *ctx) { (void)ctx; stamp_end(s); return 0; }

STAMPS(0)
STAMPS(1)
STAMPS(2)
_Static_assert(SUBCOST_SUBJECTS == 3, "one STAMPS() per subject");
