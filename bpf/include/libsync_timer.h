/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsync_timer: starts and owns the shared BPF sync timer (bpf/sync_timer.bpf.c).
 *
 * One bpf_timer per online CPU fires on every boundary k * interval_ns of
 * CLOCK_MONOTONIC and sets that CPU's entry of the per-CPU map
 * sync_timer_bitmap (layout and names: generated/sync_timer.h). Subscribers
 * are other BPF objects that declare the same map (SYNC_TIMER_BITMAP_MAP from
 * generated/sync_timer_bitmap.bpf.h), get an id here, share our map before they
 * load, and check and reset their bit in tracepoint/timer/hrtimer_expire_exit:
 *
 *     struct sync_timer *st = sync_timer_start(1000000, NULL);
 *     if (!st) { fprintf(stderr, "%s\n", sync_timer_last_error()); ... }
 *     int id = sync_timer_assign_id(st);
 *     skel = my_sub_bpf__open();
 *     skel->rodata->my_sync_timer_id = id;
 *     sync_timer_share_bitmap(st, skel->maps.sync_timer_bitmap);
 *     my_sub_bpf__load(skel); my_sub_bpf__attach(skel);
 *     ...
 *     my_sub_bpf__destroy(skel); sync_timer_release_id(st, id);
 *     sync_timer_destroy(st);
 *
 * Holding the handle keeps the timer running; nothing is pinned in bpffs, so
 * the timer stops when the handle is destroyed or the process dies. BPF needs
 * root (CAP_BPF and CAP_PERFMON). A handle is not thread-safe: use it from
 * one thread or lock around it.
 *
 * Errors: functions returning int give a negative errno; sync_timer_start
 * returns NULL with errno set. In both cases sync_timer_last_error() holds a
 * message for the calling thread that says what failed and why.
 */
#ifndef BPF_INCLUDE_LIBSYNC_TIMER_H
#define BPF_INCLUDE_LIBSYNC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "sync_timer.h" /* generated: enum sync_timer_mode, limits, map shape */

struct bpf_map;
struct sync_timer;

/* opts.mode: try modern, then intermediate, then legacy. */
#define SYNC_TIMER_MODE_AUTO (-1)

struct sync_timer_opts {
	/* SYNC_TIMER_MODE_AUTO (the default when opts is NULL), or one
	   enum sync_timer_mode to use that mode only (no fallback). Any other
	   value is handed to the init program, which refuses it
	   (SYNC_TIMER_INIT_ERROR_BAD_MODE); tests use that to force a failure. */
	int mode;
	/* Print all of libbpf's messages to stderr (its warnings always are). */
	bool verbose;
	/* Let the timer callback time itself (sync_timer_cpu_stats.cost_ns):
	   one more clock read and counter update per tick, so off by default
	   (cost_ns stays 0). */
	bool measure_cost;
};

/*
 * Loads the timer and arms it on every online CPU (offline CPUs are
 * skipped): the calling thread is pinned to each CPU in turn
 * (sched_setaffinity, checked with sched_getcpu), runs the init program there
 * with BPF_PROG_TEST_RUN, and gets its own affinity back at the end. Modes
 * fall back modern -> intermediate -> legacy; while a fallback mode is armed,
 * kernel.timer_migration is 0 and is restored on every path.
 *
 * Returns the handle, or NULL with errno: EINVAL (interval below
 * SYNC_TIMER_MIN_INTERVAL_NS), EPERM (not permitted), ENOENT (no kernel BTF),
 * EOPNOTSUPP (no BPF timers), or the error of the last mode tried (the
 * message names each mode, CPU and reason).
 */
struct sync_timer *sync_timer_start(uint64_t interval_ns, const struct sync_timer_opts *opts);

/*
 * Makes the timers match the CPUs online now, in the running mode, arming as
 * sync_timer_start does (the thread pinned to each CPU in turn,
 * kernel.timer_migration at 0 meanwhile in a fallback mode): arms every
 * online CPU again (a CPU that came online since start gets its timer; one
 * that was offline for a while gets back the timer the kernel had moved to
 * another CPU when it went down) and cancels the timers of CPUs that are
 * offline. Until then, the timer of a CPU taken offline keeps ticking on the
 * CPU the kernel moved it to, and sets that CPU's entry with expected_cpu =
 * the offline CPU: subscribers see it as a migration. Counters keep counting
 * since start. Returns the number of CPUs armed, or a negative errno (the
 * CPUs armed before the failure stay armed).
 */
int sync_timer_rearm(struct sync_timer *st);

/* Stops every timer and frees the BPF objects and the handle. NULL is a no-op. */
void sync_timer_destroy(struct sync_timer *st);

/* The mode the timers run in. */
enum sync_timer_mode sync_timer_mode(const struct sync_timer *st);

/* The tick interval given to sync_timer_start. */
uint64_t sync_timer_interval_ns(const struct sync_timer *st);

/* A free subscriber id, 0 .. SYNC_TIMER_MAX_SUBSCRIBERS - 1 (lowest first);
   from the next tick on, its bit is set on every CPU. -ENOSPC when all are
   taken; -errno (the id stays free) if the timer could not be given the new
   set of ids (a BPF_PROG_TEST_RUN of its publish program). */
int sync_timer_assign_id(struct sync_timer *st);

/* Frees an assigned id for reuse; its bit is no longer set. -EINVAL if id is
   not assigned; -errno (the id stays assigned) if the timer could not be
   given the new set of ids. */
int sync_timer_release_id(struct sync_timer *st, int id);

/* A new file descriptor (O_CLOEXEC) of the sync_timer_bitmap map, owned by
   the caller, or a negative errno. */
int sync_timer_dup_map_fd(const struct sync_timer *st);

/*
 * Makes map (another object's sync_timer_bitmap, before that object is
 * loaded) reuse our map. Refuses with -EINVAL a map whose type, key size,
 * value size or entry count differ from SYNC_TIMER_BITMAP_* (generated).
 */
int sync_timer_share_bitmap(const struct sync_timer *st, struct bpf_map *map);

/* Number of possible CPUs: valid cpu arguments are 0 .. this - 1. */
int sync_timer_nr_cpus(const struct sync_timer *st);

/* True if this CPU's timer was armed on it by sync_timer_start or the last
   sync_timer_rearm (the CPU was online then). */
bool sync_timer_cpu_armed(const struct sync_timer *st, int cpu);

/* One CPU's counters since start. */
struct sync_timer_cpu_stats {
	uint64_t ticks;    /* ticks delivered: the timer's callback ran */
	uint64_t missed;   /* boundaries skipped because a tick came late (caught
			      up to the next boundary, never fired in a burst) */
	uint64_t overrun;  /* ticks that found an assigned subscriber's bit still
			      set: a subscriber had not consumed the previous tick */
	uint64_t cost_ns;  /* time spent in the timer callback, measured by itself
			      (bpf_ktime_get_ns at entry and after re-arming):
			      cost_ns / ticks is its per-tick cost; 0 unless
			      sync_timer_opts.measure_cost was set */
};

/* Reads this CPU's counters (one map lookup: a syscall). -EINVAL for a CPU
   out of range; -errno if the lookup fails. */
int sync_timer_cpu_stats(const struct sync_timer *st, int cpu, struct sync_timer_cpu_stats *out);

/* The calling thread's message for the last failure ("" if none);
   sync_timer_start and sync_timer_rearm clear it when they begin. */
const char *sync_timer_last_error(void);

#endif /* BPF_INCLUDE_LIBSYNC_TIMER_H */
