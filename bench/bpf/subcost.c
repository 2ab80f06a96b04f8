// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_subcost SECONDS: the subscriber's cost against a bare
 * tracepoint program that only counts, measured the same way. Starts a sync
 * timer at 1 ms (libsync_timer), gives subcost.bpf.c's two subscribers their
 * ids and the shared bitmap, and times the three programs on
 * tracepoint/timer/hrtimer_expire_exit run by run: a tracepoint runs its
 * programs in attach order, so attaching stamp_start_S, subject S and
 * stamp_end_S for each subject S in turn brackets every run of each (plus the same stamping overhead for all
 * three), all three in every expiry. The order turns every quarter of a
 * second, so each is first (where caches are colder) for the same time.
 * Prints each program's runs and p50 / p99 ns per run, then
 *   sub_p50_ns=A count_sub_p50_ns=B bare_p50_ns=C sub_vs_bare=A/C count_sub_vs_bare=B/C
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hist.h"
#include "libsync_timer.h"
#include "subcost.h"
#include "subcost.skel.h"

#define NLINKS (3 * SUBCOST_SUBJECTS) /* a subject and its two stamps, each */

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
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
	static const char *const what[SUBCOST_SUBJECTS] = {
		[SUBCOST_DOC] = "documented subscriber (id in rodata; check-and-reset, migration check)",
		[SUBCOST_COUNT] = "the same counting its ticks (its id in its per-CPU count line)",
		[SUBCOST_BARE] = "bare tracepoint program (count)",
	};
	static struct hist hists[SUBCOST_SUBJECTS];
	double secs = argc == 2 ? atof(argv[1]) : 0, p50[SUBCOST_SUBJECTS];
	struct bpf_link *links[NLINKS] = { NULL };
	struct bpf_program *subjects[SUBCOST_SUBJECTS], *starts[SUBCOST_SUBJECTS], *ends[SUBCOST_SUBJECTS];
	struct hist *percpu = NULL;
	struct sync_timer *st = NULL;
	struct subcost_bpf *skel = NULL;
	__u64 ticks, migrated;
	int ids[2] = { -1, -1 }, err = 1, cpu, i, j, slices, ncpus;
	__u32 key;

	if (argc != 2 || !(secs > 0) || secs > 3600) {
		fprintf(stderr, "Usage: sync_timer_subcost SECONDS  (SECONDS in (0, 3600])\n");
		return 2;
	}
	/* about 4 slices a second, a multiple of the subjects: each as long */
	slices = SUBCOST_SUBJECTS * (int)(secs * 4 / SUBCOST_SUBJECTS + 0.5);
	slices = slices ? slices : SUBCOST_SUBJECTS;
	st = sync_timer_start(1000000, NULL);
	if (!st) {
		fprintf(stderr, "sync_timer_subcost: %s\n", sync_timer_last_error());
		return 1;
	}
	ncpus = sync_timer_nr_cpus(st);
	ids[0] = sync_timer_assign_id(st);
	ids[1] = ids[0] < 0 ? ids[0] : sync_timer_assign_id(st);
	skel = subcost_bpf__open();
	percpu = calloc((size_t)ncpus, sizeof(*percpu));
	if (ids[1] < 0 || !skel || !percpu) {
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
		skel->bss->count_counts[cpu].id = (__u64)ids[1];
	subjects[SUBCOST_DOC] = skel->progs.doc_sub;
	subjects[SUBCOST_COUNT] = skel->progs.count_sub;
	subjects[SUBCOST_BARE] = skel->progs.bare_count;
	starts[0] = skel->progs.stamp_start_0;
	starts[1] = skel->progs.stamp_start_1;
	starts[2] = skel->progs.stamp_start_2;
	ends[0] = skel->progs.stamp_end_0;
	ends[1] = skel->progs.stamp_end_1;
	ends[2] = skel->progs.stamp_end_2;
	for (i = 0; i < slices; i++) {
		/* all three bracketed in one list, the first one turning */
		for (j = 0; j < SUBCOST_SUBJECTS; j++) {
			int subject = (i + j) % SUBCOST_SUBJECTS;

			links[3 * j] = bpf_program__attach(starts[subject]);
			links[3 * j + 1] = links[3 * j] ? bpf_program__attach(subjects[subject]) : NULL;
			links[3 * j + 2] = links[3 * j + 1] ? bpf_program__attach(ends[subject]) : NULL;
			if (!links[3 * j + 2]) {
				fprintf(stderr, "sync_timer_subcost: failed to attach to "
						"hrtimer_expire_exit: %s (is tracefs mounted?)\n",
					strerror(errno));
				goto cleanup;
			}
		}
		sleep_s(secs / slices);
		for (j = NLINKS - 1; j >= 0; j--) {
			bpf_link__destroy(links[j]);
			links[j] = NULL;
		}
	}
	for (key = 0; key < SUBCOST_SUBJECTS; key++) {
		if (bpf_map__lookup_elem(skel->maps.subject_hists, &key, sizeof(key), percpu,
					 sizeof(*percpu) * (size_t)ncpus, 0)) {
			fprintf(stderr, "sync_timer_subcost: failed to read the histograms: %s\n",
				strerror(errno));
			goto cleanup;
		}
		hist_sum(&hists[key], percpu, ncpus);
		if (!hist_count(&hists[key])) {
			fprintf(stderr, "sync_timer_subcost: %s never ran\n", what[key]);
			goto cleanup;
		}
		p50[key] = hist_quantile(&hists[key], 0.5);
		printf("%s: %llu runs, p50 %.0f ns, p99 %.0f ns", what[key], hist_count(&hists[key]),
		       p50[key], hist_quantile(&hists[key], 0.99));
		if (key != SUBCOST_BARE) {
			sum_counts(key == SUBCOST_DOC ? skel->bss->doc_counts : skel->bss->count_counts,
				   ncpus, &ticks, &migrated);
			if (key == SUBCOST_COUNT)
				printf(", %llu ticks", (unsigned long long)ticks);
			printf(", %llu migrations", (unsigned long long)migrated);
		}
		printf("\n");
	}
	printf("sub_p50_ns=%.0f count_sub_p50_ns=%.0f bare_p50_ns=%.0f sub_vs_bare=%.2f "
	       "count_sub_vs_bare=%.2f\n", p50[SUBCOST_DOC], p50[SUBCOST_COUNT], p50[SUBCOST_BARE],
	       p50[SUBCOST_DOC] / p50[SUBCOST_BARE], p50[SUBCOST_COUNT] / p50[SUBCOST_BARE]);
	err = 0;
cleanup:
	for (j = 0; j < NLINKS; j++)
		bpf_link__destroy(links[j]);
	free(percpu);
	subcost_bpf__destroy(skel);
	sync_timer_destroy(st);
	return err;
}
