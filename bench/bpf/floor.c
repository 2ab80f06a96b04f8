// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_floor [--after-sync] SECONDS: loads floor.bpf.c, attaches its
 * tracing programs, arms its bare timer on every online CPU and prints
 * "floor: armed" (bench-bpf starts the collector only then, so the floor's
 * hrtimer_expire_exit programs run before the collector's subscriber). With
 * --after-sync it then waits (up to 10 s) until another bpf_timer, the sync
 * timer, expires. The window is the next SECONDS of boundaries after that.
 * It prints per CPU the floor's ticks and its delay after the boundary as
 * hrtimer_expire_exit sees it (p50 / p99 / max) and the bare subscriber's
 * count; the skew across CPUs per boundary; the time from
 * hrtimer_expire_entry to hrtimer_expire_exit of the floor's and the other
 * timer's expiries (p50 and p99 of a histogram), for each position at the
 * boundary; then
 *   window_first_ns=A window_last_ns=B window_boundaries=N
 *   floor_p99_us=F floor_skew_p99_us=K bare_sub_delivery=Q
 *   sync_first_ns=A floor_first_ns=B sync_second_ns=C floor_second_ns=D cost_vs_floor=R
 * (A..D: p50 per expiry; R: the larger of A/B and C/D; -1 where not measured).
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
#include "hist.h"
#include "floor.skel.h"

#define NO_DELAY UINT32_MAX

static int ncpus;
static uint64_t start_k, nboundaries; /* the window: boundaries start_k + 1 .. + nboundaries */
static uint64_t interval;             /* the floor program's interval_ns */
static uint32_t *delays;              /* [cpu * nboundaries + i]: boundary start_k + 1 + i */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L }, NULL);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct floor_event *ev = data;
	uint64_t k;

	(void)ctx;
	if (size < sizeof(*ev) || ev->cpu >= (uint32_t)ncpus)
		return 0;
	k = ev->boundary_ns / interval;
	if (k <= start_k || k > start_k + nboundaries)
		return 0;
	delays[ev->cpu * nboundaries + (k - start_k - 1)] =
		ev->delay_ns > NO_DELAY - 1 ? NO_DELAY - 1 : (uint32_t)ev->delay_ns;
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

/* The callbacks' window, in every CPU's floor_timers value (floor_window). */
static int set_window(struct floor_bpf *skel, uint64_t start, uint64_t end)
{
	struct floor_window_args args = { .start_k = start, .end_k = end, .nr_cpus = (__u32)ncpus };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.floor_window), &topts);

	if (err || topts.retval) {
		fprintf(stderr, "Failed to set the floor's window: %s\n",
			err ? strerror(-err) : "a CPU has no timer value");
		return -1;
	}
	return 0;
}

/* Expiries of bpf_timers other than the floor, on all CPUs, since start. */
static uint64_t others_seen(struct floor_bpf *skel, struct expiry *per_cpu)
{
	__u32 zero = 0;
	uint64_t n = 0;
	int cpu;

	if (bpf_map__lookup_elem(skel->maps.floor_expiry, &zero, sizeof(zero), per_cpu,
				 sizeof(*per_cpu) * (size_t)ncpus, 0))
		return 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		n += per_cpu[cpu].others;
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* p50 / p99 / max of v[0..n) (sorted in place), in us; 0 when empty. */
static void percentiles(uint32_t *v, size_t n, double out[3])
{
	static const double q[3] = { 0.5, 0.99, 1.0 };
	size_t rank;
	int i;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < 3; i++) {
		rank = (size_t)(q[i] * (double)n + 0.999999);
		out[i] = n ? v[(rank ? rank : 1) - 1] / 1000.0 : 0;
	}
}

static double ratio(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : -1.0;
}

/* "p50 A ns, p99 B ns (N)" of h, or "not measured"; in buf. */
static const char *per_expiry(char buf[64], const struct hist *h)
{
	if (!hist_count(h))
		return "not measured";
	snprintf(buf, 64, "p50 %.0f ns, p99 %.0f ns (%llu)", hist_quantile(h, 0.5),
		 hist_quantile(h, 0.99), hist_count(h));
	return buf;
}

/* The p50 of sync's over the floor's, or -1 when either is empty. */
static double p50_ratio(const struct hist *sync, const struct hist *floor)
{
	return hist_count(sync) && hist_count(floor)
		? hist_quantile(sync, 0.5) / hist_quantile(floor, 0.5) : -1;
}

int main(int argc, char **argv)
{
	double duration, worst = 0, worst_bare = -1, p[3], r_first, r_second, cost_vs_floor;
	struct ring_buffer *rb = NULL;
	struct floor_cpu_stats *stats = NULL, all = { 0 };
	static struct hist hists[FLOOR_KINDS * FLOOR_POSITIONS];
	struct hist *percpu_hist = NULL;
	__u32 hkey;
	struct expiry *expiries = NULL;
	uint32_t *v = NULL;
	int cpu, after_sync = 0, err = 1, armed;
	uint64_t i, n, end_ns, waited;
	struct floor_bpf *skel = NULL;
	__u32 zero = 0;
	char b[2][64];

	if (argc > 1 && !strcmp(argv[1], "--after-sync")) {
		after_sync = 1;
		argc--;
		argv++;
	}
	duration = argc == 2 ? atof(argv[1]) : 0;
	if (argc != 2 || !(duration > 0) || duration > 3600) {
		fprintf(stderr, "Usage: sync_timer_floor [--after-sync] SECONDS  (bare pinned bpf_timer "
				"at 1 ms; SECONDS in (0, 3600])\n");
		return 2;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, "Failed to count the possible CPUs: %s\n", strerror(-ncpus));
		return 1;
	}
	stats = calloc((size_t)ncpus, sizeof(*stats));
	expiries = calloc((size_t)ncpus, sizeof(*expiries));
	skel = floor_bpf__open_and_load();
	if (!stats || !expiries || !skel) {
		fprintf(stderr, "Failed to load the floor program: %s\n", strerror(errno));
		goto cleanup;
	}
	if (floor_bpf__attach(skel)) {
		fprintf(stderr, "Failed to attach the floor's tracing programs: %s\n", strerror(errno));
		goto cleanup;
	}
	interval = skel->rodata->interval_ns;
	nboundaries = (uint64_t)(duration * 1e9) / interval;
	delays = malloc(sizeof(*delays) * (size_t)ncpus * nboundaries);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.floor_events), on_event, NULL, NULL);
	if (!delays || !rb) {
		fprintf(stderr, "Failed to set up the floor's event buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	memset(delays, 0xff, sizeof(*delays) * (size_t)ncpus * nboundaries);
	armed = arm_all(skel);
	if (armed == 0) {
		fprintf(stderr, "Failed to start the floor timers\n");
		goto cleanup;
	}
	printf("floor: armed on %d CPUs, tracing programs attached\n", armed);
	fflush(stdout);
	for (waited = 0; after_sync && others_seen(skel, expiries) == 0; waited += 10) {
		if (waited >= 10000) {
			fprintf(stderr, "sync_timer_floor: no other bpf_timer (the sync timer) expired "
					"in 10 s\n");
			goto cleanup;
		}
		sleep_ms(10);
	}
	/* boundaries in (start, start + n]: from 20 ms on, when both timers run */
	start_k = (now_ns() + 20000000ULL) / interval;
	__atomic_store_n(&skel->bss->window_end_k, start_k + nboundaries, __ATOMIC_RELAXED);
	__atomic_store_n(&skel->bss->window_start_k, start_k, __ATOMIC_RELEASE);
	if (set_window(skel, start_k, start_k + nboundaries))
		goto cleanup;
	end_ns = (start_k + nboundaries + 5) * interval;
	while (now_ns() < end_ns) {
		sleep_ms(100);
		ring_buffer__consume(rb);
	}
	ring_buffer__consume(rb);
	if (bpf_map__lookup_elem(skel->maps.floor_stats, &zero, sizeof(zero), stats,
				 sizeof(*stats) * (size_t)ncpus, 0)) {
		fprintf(stderr, "Failed to read the floor's counters: %s\n", strerror(errno));
		goto cleanup;
	}
	v = malloc(sizeof(*v) * (size_t)(nboundaries > (uint64_t)ncpus ? nboundaries : (uint64_t)ncpus));
	if (!v) {
		fprintf(stderr, "Out of memory\n");
		goto cleanup;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct floor_timer t;
		__u32 key = (__u32)cpu;

		if (bpf_map__lookup_elem(skel->maps.floor_timers, &key, sizeof(key), &t, sizeof(t), 0) ||
		    !t.ticks)
			continue; /* not armed here */
		for (i = n = 0; i < nboundaries; i++)
			if (delays[cpu * nboundaries + i] != NO_DELAY)
				v[n++] = delays[cpu * nboundaries + i];
		percentiles(v, n, p);
		printf("floor cpu %d: %llu of %llu boundaries (%.2f%%); at hrtimer_expire_exit (%llu): "
		       "delay p50 %.1f us, p99 %.1f us, max %.1f us\n", cpu,
		       (unsigned long long)t.ticks, (unsigned long long)nboundaries,
		       100.0 * ratio(t.ticks, nboundaries), (unsigned long long)n, p[0], p[1], p[2]);
		if (p[1] > worst)
			worst = p[1];
		printf("bare subscriber cpu %d: %llu of %llu boundaries (%.2f%%)\n", cpu,
		       (unsigned long long)stats[cpu].bare_sub_seen, (unsigned long long)nboundaries,
		       100.0 * ratio(stats[cpu].bare_sub_seen, nboundaries));
		if (worst_bare < 0 || 100.0 * ratio(stats[cpu].bare_sub_seen, nboundaries) < worst_bare)
			worst_bare = 100.0 * ratio(stats[cpu].bare_sub_seen, nboundaries);
		all.other_n += stats[cpu].other_n;
	}
	/* skew: latest minus earliest CPU at each boundary two or more CPUs saw */
	for (i = n = 0; i < nboundaries; i++) {
		uint32_t lo = NO_DELAY, hi = 0, d;
		int seen = 0;

		for (cpu = 0; cpu < ncpus; cpu++) {
			d = delays[cpu * nboundaries + i];
			if (d == NO_DELAY)
				continue;
			seen++;
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		if (seen >= 2)
			v[n++] = hi - lo;
	}
	percentiles(v, n, p);
	printf("floor skew across CPUs per boundary: p50 %.1f us, p99 %.1f us, max %.1f us "
	       "(%llu boundaries seen by 2+ CPUs)\n", p[0], p[1], p[2], (unsigned long long)n);
	/* the histograms, summed over CPUs */
	percpu_hist = calloc((size_t)ncpus, sizeof(*percpu_hist));
	if (!percpu_hist) {
		fprintf(stderr, "Out of memory\n");
		goto cleanup;
	}
	for (hkey = 0; hkey < FLOOR_KINDS * FLOOR_POSITIONS; hkey++) {
		if (bpf_map__lookup_elem(skel->maps.floor_hists, &hkey, sizeof(hkey), percpu_hist,
					 sizeof(*percpu_hist) * (size_t)ncpus, 0)) {
			fprintf(stderr, "Failed to read the floor's histograms: %s\n", strerror(errno));
			goto cleanup;
		}
		hist_sum(&hists[hkey], percpu_hist, ncpus);
	}
	for (i = 0; i < FLOOR_POSITIONS; i++)
		printf("callback %s at its boundary, hrtimer_expire_entry to exit: sync timer %s; "
		       "floor %s\n", i == FLOOR_FIRST ? "first" : "second",
		       per_expiry(b[0], &hists[FLOOR_SYNC * FLOOR_POSITIONS + i]),
		       per_expiry(b[1], &hists[FLOOR_FLOOR * FLOOR_POSITIONS + i]));
	printf("bpf_timer expiries third or later at a boundary (not timed): %llu\n",
	       (unsigned long long)all.other_n);
	r_first = p50_ratio(&hists[FLOOR_SYNC * FLOOR_POSITIONS + FLOOR_FIRST],
			    &hists[FLOOR_FLOOR * FLOOR_POSITIONS + FLOOR_FIRST]);
	r_second = p50_ratio(&hists[FLOOR_SYNC * FLOOR_POSITIONS + FLOOR_SECOND],
			     &hists[FLOOR_FLOOR * FLOOR_POSITIONS + FLOOR_SECOND]);
	cost_vs_floor = r_first < 0 || r_second < 0 ? -1 : r_first > r_second ? r_first : r_second;
	printf("window_first_ns=%llu window_last_ns=%llu window_boundaries=%llu\n",
	       (unsigned long long)((start_k + 1) * interval),
	       (unsigned long long)((start_k + nboundaries) * interval), (unsigned long long)nboundaries);
	printf("floor_p99_us=%.1f floor_skew_p99_us=%.1f bare_sub_delivery=%.2f\n", worst, p[1],
	       worst_bare);
	printf("sync_first_ns=%.0f floor_first_ns=%.0f sync_second_ns=%.0f floor_second_ns=%.0f "
	       "cost_vs_floor=%.2f\n",
	       hist_quantile(&hists[FLOOR_SYNC * FLOOR_POSITIONS + FLOOR_FIRST], 0.5),
	       hist_quantile(&hists[FLOOR_FLOOR * FLOOR_POSITIONS + FLOOR_FIRST], 0.5),
	       hist_quantile(&hists[FLOOR_SYNC * FLOOR_POSITIONS + FLOOR_SECOND], 0.5),
	       hist_quantile(&hists[FLOOR_FLOOR * FLOOR_POSITIONS + FLOOR_SECOND], 0.5), cost_vs_floor);
	err = 0;
cleanup:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	free(stats);
	free(percpu_hist);
	free(expiries);
	free(delays);
	free(v);
	return err;
}
