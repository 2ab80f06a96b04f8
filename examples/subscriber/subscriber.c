// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The loader of the example subscriber: starts the sync timer through
 * libsync_timer (1 ms ticks), takes a subscriber id, shares the timer's bitmap
 * map with subscriber.bpf.c, loads it, writes the id into its .bss, attaches
 * it, waits (1 s, or argv[1] seconds) and prints the ticks it saw.
 * Exit status: 0 when it saw ticks, 1 on an error or none, 77 when BPF is not
 * permitted here (not root).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <libsync_timer.h>

#include "subscriber.skel.h"

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec wait = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	struct subscriber_bpf *skel = NULL;
	struct sync_timer *st;
	unsigned long long ticks;
	int id = -1, err, status = 1;

	st = sync_timer_start(1000000, NULL);
	if (!st) {
		fprintf(stderr, "subscriber: %s\n", sync_timer_last_error());
		return errno == EPERM ? 77 : 1;
	}
	id = sync_timer_assign_id(st);
	if (id < 0) {
		fprintf(stderr, "subscriber: %s\n", sync_timer_last_error());
		goto out;
	}
	skel = subscriber_bpf__open();
	if (!skel) {
		fprintf(stderr, "subscriber: cannot open the BPF object: errno %d\n", errno);
		goto out;
	}
	err = sync_timer_share_bitmap(st, skel->maps.sync_timer_bitmap);
	if (err) {
		fprintf(stderr, "subscriber: %s\n", sync_timer_last_error());
		goto out;
	}
	err = subscriber_bpf__load(skel);
	if (err) {
		fprintf(stderr, "subscriber: cannot load the BPF object: %d\n", err);
		goto out;
	}
	skel->bss->my_sync_timer_id = (__u64)id;
	err = subscriber_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "subscriber: cannot attach (is tracefs mounted at /sys/kernel/tracing?): %d\n", err);
		goto out;
	}
	nanosleep(&wait, NULL);
	ticks = skel->bss->ticks_seen;
	printf("subscriber: id %d, mode %s, %d CPUs, %.1f s at 1 ms: %llu ticks seen\n", id,
	       sync_timer_mode_name(sync_timer_mode(st)), sync_timer_nr_cpus(st), secs, ticks);
	status = ticks > 0 ? 0 : 1;
out:
	subscriber_bpf__destroy(skel);
	if (id >= 0)
		sync_timer_release_id(st, id);
	sync_timer_destroy(st);
	return status;
}
