/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Latency histograms for the bench-bpf programs: HIST_BUCKETS buckets of
 * HIST_NS_PER_BUCKET ns, the last holding everything longer. BPF programs
 * add to a per-CPU histogram; user space sums the CPUs and reads
 * percentiles, which a vCPU stalled for a while in one run cannot drag as
 * it drags a mean.
 */
#ifndef BENCH_BPF_HIST_H
#define BENCH_BPF_HIST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HIST_NS_PER_BUCKET 4
#define HIST_BUCKETS 2048 /* 0 .. 8 us; 16 KB, within a per-CPU value's limit; a power of two */

struct hist {
	__u64 n[HIST_BUCKETS];
};

#ifdef __VMLINUX_H__
static __always_inline void hist_add(struct hist *h, __u64 ns)
{
	__u64 i = ns / HIST_NS_PER_BUCKET;

	if (i > HIST_BUCKETS - 1)
		i = HIST_BUCKETS - 1;
	/* the mask changes nothing (a power of two); it shows the verifier the bound */
	h->n[i & (HIST_BUCKETS - 1)]++;
}
#else
/* Adds the ncpus per-CPU copies in percpu[] (as a per-CPU map lookup
   returns them) into *sum. */
static inline void hist_sum(struct hist *sum, const struct hist *percpu, int ncpus)
{
	int cpu, i;

	for (cpu = 0; cpu < ncpus; cpu++)
		for (i = 0; i < HIST_BUCKETS; i++)
			sum->n[i] += percpu[cpu].n[i];
}

static inline unsigned long long hist_count(const struct hist *h)
{
	unsigned long long n = 0;
	int i;

	for (i = 0; i < HIST_BUCKETS; i++)
		n += h->n[i];
	return n;
}

/* The q-quantile in ns (the middle of its bucket); -1 when empty. */
static inline double hist_quantile(const struct hist *h, double q)
{
	unsigned long long n = hist_count(h), rank, seen = 0;
	int i;

	if (!n)
		return -1;
	rank = (unsigned long long)(q * (double)n + 0.999999);
	rank = rank ? rank : 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= rank)
			break;
	}
	return (i + 0.5) * HIST_NS_PER_BUCKET;
}
#endif

#endif /* BENCH_BPF_HIST_H */
