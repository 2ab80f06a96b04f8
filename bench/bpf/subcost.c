// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_subcost SECONDS: the subscriber's cost against a bare
 * tracepoint program that only counts, measured the same way. Starts a sync
 * timer at 1 ms (libsync_timer), gives subcost.bpf.c's two subscribers their
 * ids and the shared bitmap, and runs them beside bare_count on
 * tracepoint/timer/hrtimer_expire_exit with the kernel timing every run
 * (BPF_ENABLE_STATS, for this process's lifetime only). A tracepoint runs
 * its programs in attach order and the first finds colder caches, so the
 * order turns every quarter of a second, each program first for the same
 * time. Prints each program's runs and ns per run, then
 *   sub_ns_per_run=A line_sub_ns_per_run=B bare_ns_per_run=C sub_vs_bare=A/C line_sub_vs_bare=B/C
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libsync_timer.h"
#include "subcost.h"
#include "subcost.skel.h"

#define NPROGS 3

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* ns per run of p since stats were enabled; -1 when it never ran. */
static double ns_per_run(struct bpf_program *p, __u64 *runs)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) || !info.run_cnt)
		return -1;
	*runs = info.run_cnt;
	return (double)info.run_time_ns / (double)info.run_cnt;
}

/* Ticks and migrations counted in counts[0 .. ncpus). */
static void sum_counts(const struct subcost_count *counts, int ncpus, __u64 *ticks, __u64 *migrated)
{
	int cpu;

	*ticks = *migrated = 0;
	for (cpu = 0; cpu < ncpus && cpu < (int)SYNC_TIMER_MAX_CPUS; cpu++) {
		*ticks += counts[cpu].n;
		*migrated += counts[cpu].migrated;
	}
}

int main(int argc, char **argv)
{
	static const char *const what[NPROGS] = {
		"documented subscriber (id in rodata; check-and-reset, migration check, count)",
		"subscriber with its id in its per-CPU line (the same work)",
		"bare tracepoint program (count)",
	};
	double secs = argc == 2 ? atof(argv[1]) : 0, ns[NPROGS];
	struct bpf_link *links[NPROGS] = { NULL };
	struct bpf_program *progs[NPROGS];
	struct sync_timer *st = NULL;
	struct subcost_bpf *skel = NULL;
	__u64 runs[NPROGS] = { 0 }, ticks, migrated;
	int ids[2] = { -1, -1 }, stats_fd = -1, err = 1, cpu, i, j, slices;

	if (argc != 2 || !(secs > 0) || secs > 3600) {
		fprintf(stderr, "Usage: sync_timer_subcost SECONDS  (SECONDS in (0, 3600])\n");
		return 2;
	}
	/* about 4 slices a second, a multiple of NPROGS: each program first as long */
	slices = NPROGS * (int)(secs * 4 / NPROGS + 0.5);
	slices = slices ? slices : NPROGS;
	st = sync_timer_start(1000000, NULL);
	if (!st) {
		fprintf(stderr, "sync_timer_subcost: %s\n", sync_timer_last_error());
		return 1;
	}
	ids[0] = sync_timer_assign_id(st);
	ids[1] = ids[0] < 0 ? ids[0] : sync_timer_assign_id(st);
	skel = subcost_bpf__open();
	if (ids[1] < 0 || !skel) {
		fprintf(stderr, "sync_timer_subcost: %s\n",
			ids[1] < 0 ? sync_timer_last_error() : "failed to open the programs");
		goto cleanup;
	}
	skel->rodata->my_sync_timer_id = (__u32)ids[0];
	if (sync_timer_share_bitmap(st, skel->maps.sync_timer_bitmap) || subcost_bpf__load(skel)) {
		fprintf(stderr, "sync_timer_subcost: failed to load the programs: %s\n",
			*sync_timer_last_error() ? sync_timer_last_error() : strerror(errno));
		goto cleanup;
	}
	for (cpu = 0; cpu < (int)SYNC_TIMER_MAX_CPUS; cpu++)
		skel->bss->line_counts[cpu].id = (__u64)ids[1];
	progs[0] = skel->progs.doc_sub;
	progs[1] = skel->progs.line_sub;
	progs[2] = skel->progs.bare_count;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "sync_timer_subcost: BPF_ENABLE_STATS: %s\n", strerror(-stats_fd));
		goto cleanup;
	}
	for (i = 0; i < slices; i++) {
		for (j = 0; j < NPROGS; j++) {
			links[j] = bpf_program__attach(progs[(i + j) % NPROGS]);
			if (!links[j]) {
				fprintf(stderr, "sync_timer_subcost: failed to attach to "
						"hrtimer_expire_exit: %s (is tracefs mounted?)\n",
					strerror(errno));
				goto cleanup;
			}
		}
		sleep_s(secs / slices);
		for (j = 0; j < NPROGS; j++) {
			bpf_link__destroy(links[j]);
			links[j] = NULL;
		}
	}
	for (j = 0; j < NPROGS; j++) {
		ns[j] = ns_per_run(progs[j], &runs[j]);
		if (ns[j] < 0) {
			fprintf(stderr, "sync_timer_subcost: %s never ran\n", bpf_program__name(progs[j]));
			goto cleanup;
		}
	}
	for (j = 0; j < NPROGS; j++) {
		printf("%s: %llu runs, %.1f ns/run", what[j], (unsigned long long)runs[j], ns[j]);
		if (j < 2) {
			sum_counts(j ? skel->bss->line_counts : skel->bss->doc_counts,
				   sync_timer_nr_cpus(st), &ticks, &migrated);
			printf(", %llu ticks, %llu migrations", (unsigned long long)ticks,
			       (unsigned long long)migrated);
		}
		printf("\n");
	}
	printf("sub_ns_per_run=%.1f line_sub_ns_per_run=%.1f bare_ns_per_run=%.1f sub_vs_bare=%.2f "
	       "line_sub_vs_bare=%.2f\n", ns[0], ns[1], ns[2], ns[0] / ns[2], ns[1] / ns[2]);
	err = 0;
cleanup:
	for (j = 0; j < NPROGS; j++)
		bpf_link__destroy(links[j]);
	if (stats_fd >= 0)
		close(stats_fd);
	subcost_bpf__destroy(skel);
	sync_timer_destroy(st);
	return err;
}
