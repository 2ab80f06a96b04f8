// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_floor: loads floor.bpf.c, arms its bare timer on every online
 * CPU, collects the delays for --duration seconds and prints per CPU the
 * delay after the boundary (p50 / p99 / max), then the worst CPU's p99 as
 * `floor_p99_us=F`. Its tracing programs report, for the same window, the
 * bare subscriber's delivery per CPU (worst as `bare_sub_delivery=Q`) and
 * the entry-to-exit time of the floor's and the sync timer's expiries
 * (`sync_cost_ns=A floor_cost_ns=B cost_vs_floor=R`; -1 when not measured).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.h"
#include "floor.skel.h"

struct cpu_delays {
	uint32_t *v;
	size_t n, cap;
};

static struct cpu_delays *cpus;
static int ncpus;
static uint64_t window_start, window_end; /* CLOCK_MONOTONIC ns */
static uint64_t interval; /* the floor program's interval_ns */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct floor_event *ev = data;
	struct cpu_delays *d;
	uint32_t *grown;

	(void)ctx;
	if (size < sizeof(*ev) || ev->cpu >= (uint32_t)ncpus ||
	    ev->boundary_ns <= window_start || ev->boundary_ns > window_end)
		return 0;
	d = &cpus[ev->cpu];
	if (d->n == d->cap) {
		grown = realloc(d->v, (d->cap ? d->cap * 2 : 4096) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		d->v = grown;
		d->cap = d->cap ? d->cap * 2 : 4096;
	}
	d->v[d->n++] = ev->delay_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ev->delay_ns;
	return 0;
}

/* Arms the floor timer on every online CPU; returns how many. */
static int arm_all(struct floor_bpf *skel)
{
	int prog = bpf_program__fd(skel->progs.floor_init), cpu, armed = 0, err;
	cpu_set_t saved, one;

	sched_getaffinity(0, sizeof(saved), &saved);
	for (cpu = 0; cpu < ncpus; cpu++) {
		LIBBPF_OPTS(bpf_test_run_opts, topts);

		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue; /* offline */
		err = bpf_prog_test_run_opts(prog, &topts);
		if (err || topts.retval) {
			fprintf(stderr, "Failed to arm the floor timer on CPU %d: %s, step %u\n", cpu,
				strerror(-err), topts.retval);
			continue;
		}
		armed++;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return armed;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The tracing programs' counters, summed over CPUs or for one. */
static int read_stats(struct floor_bpf *skel, struct floor_cpu_stats *per_cpu)
{
	__u32 zero = 0;

	return bpf_map__lookup_elem(skel->maps.floor_stats, &zero, sizeof(zero), per_cpu,
				    sizeof(*per_cpu) * (size_t)ncpus, 0);
}

static double pct_us(const struct cpu_delays *d, double q)
{
	size_t rank = (size_t)(q * (double)d->n + 0.999999);

	if (!d->n)
		return 0;
	return d->v[(rank ? rank : 1) - 1] / 1000.0;
}

int main(int argc, char **argv)
{
	double duration = argc > 1 ? atof(argv[1]) : 10.0, worst = 0;
	struct timespec step = { .tv_nsec = 100 * 1000 * 1000 };
	struct ring_buffer *rb = NULL;
	struct floor_cpu_stats *stats = NULL, all = { 0 };
	double worst_bare = -1, sync_ns = -1, floor_ns = -1;
	uint64_t boundaries;
	struct floor_bpf *skel;
	int cpu, i, err = 1;

	if (argc > 2 || !(duration > 0)) {
		fprintf(stderr, "Usage: %s [SECONDS]  (bare pinned bpf_timer delays at 1 ms)\n", argv[0]);
		return 2;
	}
	ncpus = libbpf_num_possible_cpus();
	cpus = calloc((size_t)(ncpus > 0 ? ncpus : 1), sizeof(*cpus));
	skel = floor_bpf__open_and_load();
	if (!cpus || !skel) {
		fprintf(stderr, "Failed to load the floor program: %s\n", strerror(errno));
		goto cleanup;
	}
	stats = calloc((size_t)ncpus, sizeof(*stats));
	if (!stats || floor_bpf__attach(skel)) {
		fprintf(stderr, "Failed to attach the floor's tracing programs: %s\n", strerror(errno));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.floor_events), on_event, NULL, NULL);
	if (!rb || arm_all(skel) == 0) {
		fprintf(stderr, "Failed to start the floor timers\n");
		goto cleanup;
	}
	/* count the ticks of the boundaries in (start, end], like sync_timer_collect */
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	interval = skel->rodata->interval_ns;
	window_start = now_ns() / interval * interval;
	window_end = window_start + (uint64_t)(duration * 1e9) / interval * interval;
	__atomic_store_n(&skel->bss->window_end_ns, window_end, __ATOMIC_RELAXED);
	__atomic_store_n(&skel->bss->window_start_ns, window_start, __ATOMIC_RELEASE);
	for (i = 0; i < (int)(duration * 10); i++) {
		nanosleep(&step, NULL);
		ring_buffer__consume(rb);
	}
	while (now_ns() < window_end + 5 * interval)
		nanosleep(&step, NULL);
	ring_buffer__consume(rb);
	if (read_stats(skel, stats)) {
		fprintf(stderr, "Failed to read the floor's counters: %s\n", strerror(errno));
		goto cleanup;
	}
	boundaries = (window_end - window_start) / interval;
	for (cpu = 0; cpu < ncpus; cpu++) {
		if (!cpus[cpu].n)
			continue;
		qsort(cpus[cpu].v, cpus[cpu].n, sizeof(uint32_t), cmp_u32);
		printf("floor cpu %d: %zu of %llu boundaries (%.2f%%), delay p50 %.1f us, p99 %.1f us, "
		       "max %.1f us\n", cpu, cpus[cpu].n,
		       (unsigned long long)((window_end - window_start) / interval),
		       100.0 * (double)cpus[cpu].n / (double)((window_end - window_start) / interval),
		       pct_us(&cpus[cpu], 0.5), pct_us(&cpus[cpu], 0.99), pct_us(&cpus[cpu], 1.0));
		if (pct_us(&cpus[cpu], 0.99) > worst)
			worst = pct_us(&cpus[cpu], 0.99);
		printf("bare subscriber cpu %d: %llu of %llu boundaries (%.2f%%)\n", cpu,
		       (unsigned long long)stats[cpu].bare_sub_seen, (unsigned long long)boundaries,
		       100.0 * (double)stats[cpu].bare_sub_seen / (double)boundaries);
		if (worst_bare < 0 || 100.0 * (double)stats[cpu].bare_sub_seen / (double)boundaries < worst_bare)
			worst_bare = 100.0 * (double)stats[cpu].bare_sub_seen / (double)boundaries;
		all.floor_ns += stats[cpu].floor_ns;
		all.floor_n += stats[cpu].floor_n;
		all.sync_ns += stats[cpu].sync_ns;
		all.sync_n += stats[cpu].sync_n;
	}
	if (all.floor_n)
		floor_ns = (double)all.floor_ns / (double)all.floor_n;
	if (all.sync_n)
		sync_ns = (double)all.sync_ns / (double)all.sync_n;
	printf("callback, hrtimer_expire_entry to exit: sync timer %.0f ns/tick (%llu ticks), "
	       "floor %.0f ns/tick (%llu ticks)\n", sync_ns, (unsigned long long)all.sync_n, floor_ns,
	       (unsigned long long)all.floor_n);
	printf("floor_p99_us=%.1f\n", worst);
	printf("bare_sub_delivery=%.2f\n", worst_bare);
	printf("sync_cost_ns=%.0f floor_cost_ns=%.0f cost_vs_floor=%.2f\n", sync_ns, floor_ns,
	       sync_ns >= 0 && floor_ns > 0 ? sync_ns / floor_ns : -1.0);
	err = 0;
cleanup:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	free(stats);
	for (cpu = 0; cpus && cpu < ncpus; cpu++)
		free(cpus[cpu].v);
	free(cpus);
	return err;
}
