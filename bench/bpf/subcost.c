// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_subcost SECONDS: the subscriber's cost against a bare
 * tracepoint program that only counts, measured the same way. Starts a sync
 * timer at 1 ms (libsync_timer), gives subcost.bpf.c's lean_sub an id and
 * the shared bitmap, and runs lean_sub and bare_count side by side on
 * tracepoint/timer/hrtimer_expire_exit with the kernel timing every run
 * (BPF_ENABLE_STATS, for this process's lifetime only), attached in the
 * order lean_sub, bare_count and in the other order by turns, a quarter of
 * a second each, as long in each order (a tracepoint runs its programs in
 * attach order, and the first one finds colder caches). Prints
 * each program's runs and ns per run, then
 *   sub_ns_per_run=A bare_ns_per_run=B sub_vs_bare=R
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

/* Attaches a then b; NULL links on failure (the caller destroys both). */
static int attach_in_order(struct bpf_program *a, struct bpf_program *b, struct bpf_link **la,
			   struct bpf_link **lb)
{
	*la = bpf_program__attach(a);
	*lb = *la ? bpf_program__attach(b) : NULL;
	return *la && *lb ? 0 : -1;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static int prog_stats(struct bpf_program *p, __u64 *run_ns, __u64 *runs)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return -errno;
	*run_ns = info.run_time_ns;
	*runs = info.run_cnt;
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc == 2 ? atof(argv[1]) : 0;
	struct bpf_link *l1 = NULL, *l2 = NULL;
	struct sync_timer *st = NULL;
	struct subcost_bpf *skel = NULL;
	__u64 sub_ns, sub_runs, bare_ns, bare_runs, ticks = 0, migrated = 0;
	int id, stats_fd = -1, err = 1, cpu, i, slices;

	if (argc != 2 || !(secs > 0) || secs > 3600) {
		fprintf(stderr, "Usage: sync_timer_subcost SECONDS  (SECONDS in (0, 3600])\n");
		return 2;
	}
	/* about 4 slices a second, an even number: as long in each order */
	slices = 2 * (int)(secs * 2 + 0.5);
	slices = slices ? slices : 2;
	st = sync_timer_start(1000000, NULL);
	if (!st) {
		fprintf(stderr, "sync_timer_subcost: %s\n", sync_timer_last_error());
		return 1;
	}
	id = sync_timer_assign_id(st);
	skel = subcost_bpf__open();
	if (id < 0 || !skel) {
		fprintf(stderr, "sync_timer_subcost: %s\n",
			id < 0 ? sync_timer_last_error() : "failed to open the programs");
		goto cleanup;
	}
	skel->rodata->my_sync_timer_id = (__u32)id;
	if (sync_timer_share_bitmap(st, skel->maps.sync_timer_bitmap) || subcost_bpf__load(skel)) {
		fprintf(stderr, "sync_timer_subcost: failed to load the programs: %s\n",
			*sync_timer_last_error() ? sync_timer_last_error() : strerror(errno));
		goto cleanup;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "sync_timer_subcost: BPF_ENABLE_STATS: %s\n", strerror(-stats_fd));
		goto cleanup;
	}
	for (i = 0; i < slices; i++) {
		if (i % 2 ? attach_in_order(skel->progs.bare_count, skel->progs.lean_sub, &l1, &l2)
			  : attach_in_order(skel->progs.lean_sub, skel->progs.bare_count, &l1, &l2))
			goto attach_failed;
		sleep_s(secs / slices);
		bpf_link__destroy(l1);
		bpf_link__destroy(l2);
		l1 = l2 = NULL;
	}
	if (prog_stats(skel->progs.lean_sub, &sub_ns, &sub_runs) ||
	    prog_stats(skel->progs.bare_count, &bare_ns, &bare_runs) || !sub_runs || !bare_runs) {
		fprintf(stderr, "sync_timer_subcost: no run statistics: %s\n", strerror(errno));
		goto cleanup;
	}
	for (cpu = 0; cpu < sync_timer_nr_cpus(st) && cpu < (int)SYNC_TIMER_MAX_CPUS; cpu++) {
		ticks += skel->bss->lean_counts[cpu].n;
		migrated += skel->bss->lean_counts[cpu].migrated;
	}
	printf("subscriber (check-and-reset, migration check, count): %llu runs, %llu ticks, "
	       "%llu migrations, %.1f ns/run\n", (unsigned long long)sub_runs,
	       (unsigned long long)ticks, (unsigned long long)migrated,
	       (double)sub_ns / (double)sub_runs);
	printf("bare tracepoint program (count): %llu runs, %.1f ns/run\n",
	       (unsigned long long)bare_runs, (double)bare_ns / (double)bare_runs);
	printf("sub_ns_per_run=%.1f bare_ns_per_run=%.1f sub_vs_bare=%.2f\n",
	       (double)sub_ns / (double)sub_runs, (double)bare_ns / (double)bare_runs,
	       ((double)sub_ns / (double)sub_runs) / ((double)bare_ns / (double)bare_runs));
	err = 0;
	goto cleanup;
attach_failed:
	fprintf(stderr, "sync_timer_subcost: failed to attach to hrtimer_expire_exit: %s "
			"(is tracefs mounted?)\n", strerror(errno));
cleanup:
	bpf_link__destroy(l1);
	bpf_link__destroy(l2);
	if (stats_fd >= 0)
		close(stats_fd);
	subcost_bpf__destroy(skel);
	sync_timer_destroy(st);
	return err;
}
