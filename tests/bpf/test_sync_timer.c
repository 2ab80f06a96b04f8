/*
 * The BPF sync timer on the real kernel: libsync_timer, the timer program and
 * the subscriber shape (tests/bpf/test_subscriber.bpf.c). Needs root; where
 * BPF is not permitted every test here is skipped and says so.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "bpf_test_util.h"
#include "libsync_timer.h"
#include "sync_timer.skel.h"
#include "sync_timer_value.h"
#include "test_subscriber.skel.h"

#define MS 1000000ULL
#define TIMER_MIGRATION "/proc/sys/kernel/timer_migration"

TestSuite(sync_timer, .init = bpf_test_setup, .timeout = 60);

/* ------------------------------------------------------------ helpers */

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static struct sync_timer_cpu_stats cpu_stats(struct sync_timer *st, int cpu)
{
	struct sync_timer_cpu_stats s;

	cr_assert_eq(sync_timer_cpu_stats(st, cpu, &s), 0, "%s", sync_timer_last_error());
	return s;
}

/* Every online CPU is armed; over `seconds` each ticks >= 90% of the
   boundaries that passed, and never more than one per boundary. */
static void check_ticks(struct sync_timer *st, double seconds)
{
	int n = sync_timer_nr_cpus(st), cpu, armed = 0;
	uint64_t *t0 = calloc((size_t)n, sizeof(*t0)), *t1 = calloc((size_t)n, sizeof(*t1)), ticks;
	double interval = (double)sync_timer_interval_ns(st) / 1e9, at[4], least, most;

	cr_assert(t0 && t1);
	for (cpu = 0; cpu < n; cpu++)
		armed += sync_timer_cpu_armed(st, cpu);
	cr_assert_eq(armed, online_cpus(), "%d CPUs armed, %d online", armed, online_cpus());
	/* bracket each read with the clock: a preempted test must not fail */
	at[0] = bpf_test_now();
	for (cpu = 0; cpu < n; cpu++)
		t0[cpu] = cpu_stats(st, cpu).ticks;
	at[1] = bpf_test_now();
	bpf_test_sleep(seconds);
	at[2] = bpf_test_now();
	for (cpu = 0; cpu < n; cpu++)
		t1[cpu] = cpu_stats(st, cpu).ticks;
	at[3] = bpf_test_now();
	least = (at[2] - at[1]) / interval; /* boundaries surely between the reads */
	most = (at[3] - at[0]) / interval;  /* boundaries possibly between them */
	for (cpu = 0; cpu < n; cpu++) {
		if (!sync_timer_cpu_armed(st, cpu))
			continue;
		ticks = t1[cpu] - t0[cpu];
		cr_expect_geq((double)ticks, 0.9 * least,
			      "CPU %d: %llu ticks, %.0f boundaries passed (mode %s)", cpu,
			      (unsigned long long)ticks, least, sync_timer_mode_name(sync_timer_mode(st)));
		cr_expect_leq((double)ticks, most + 1, "CPU %d: %llu ticks for %.0f boundaries: a burst",
			      cpu, (unsigned long long)ticks, most);
	}
	free(t0);
	free(t1);
}

/* A test subscriber with this id sharing st's bitmap, loaded and attached. */
static struct test_subscriber_bpf *load_subscriber(struct sync_timer *st, int id)
{
	struct test_subscriber_bpf *skel = test_subscriber_bpf__open();
	int err;

	cr_assert(skel, "open test subscriber: %s", strerror(errno));
	skel->rodata->my_sync_timer_id = (__u32)id;
	cr_assert_eq(sync_timer_share_bitmap(st, skel->maps.sync_timer_bitmap), 0,
		     "share: %s", sync_timer_last_error());
	err = test_subscriber_bpf__load(skel);
	cr_assert_eq(err, 0, "load test subscriber: %s", strerror(-err));
	err = test_subscriber_bpf__attach(skel);
	cr_assert_eq(err, 0, "attach test subscriber (tracefs mounted?): %s", strerror(-err));
	return skel;
}

/* A relaxed load of a 64-bit counter the BPF side updates: the skeleton's
   own fields are __u64, the schema's structs uint64_t. */
#define load_u64(p) ((uint64_t)__atomic_load_n((p), __ATOMIC_RELAXED))

/* ------------------------------------------------------------ ticks */

Test(sync_timer, ticks_on_every_online_cpu_at_the_interval)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);

	/* this kernel is 6.18: the auto mode must be the modern one */
	cr_expect_eq(sync_timer_mode(st), SYNC_TIMER_MODE_MODERN, "mode %s",
		     sync_timer_mode_name(sync_timer_mode(st)));
	check_ticks(st, 2.0);
	sync_timer_destroy(st);
}

static void check_forced_mode(int mode)
{
	struct sync_timer_opts opts = { .mode = mode };
	struct sync_timer *st = bpf_test_start(MS, &opts);

	cr_assert_eq(sync_timer_mode(st), (enum sync_timer_mode)mode);
	check_ticks(st, 1.0);
	sync_timer_destroy(st);
}

Test(sync_timer, forced_modern_mode_ticks)
{
	check_forced_mode(SYNC_TIMER_MODE_MODERN);
}

Test(sync_timer, forced_intermediate_mode_ticks)
{
	check_forced_mode(SYNC_TIMER_MODE_INTERMEDIATE);
}

Test(sync_timer, forced_legacy_mode_ticks)
{
	check_forced_mode(SYNC_TIMER_MODE_LEGACY);
}

Test(sync_timer, counts_refuse_a_cpu_out_of_range)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	struct sync_timer_cpu_stats s;

	cr_expect_eq(sync_timer_cpu_stats(st, -1, &s), -EINVAL);
	cr_expect_eq(sync_timer_cpu_stats(st, sync_timer_nr_cpus(st), &s), -EINVAL);
	cr_expect(strstr(sync_timer_last_error(), "out of range"), "%s", sync_timer_last_error());
	sync_timer_destroy(st);
}

/* cost_ns: 0 unless opts.measure_cost; then time is counted on every CPU. */
static uint64_t cost_after(bool measure_cost, uint64_t *ticks)
{
	struct sync_timer_opts opts = { .mode = SYNC_TIMER_MODE_AUTO, .measure_cost = measure_cost };
	struct sync_timer *st = bpf_test_start(MS, &opts);
	uint64_t cost = 0;
	int cpu;

	bpf_test_sleep(0.2);
	*ticks = 0;
	for (cpu = 0; cpu < sync_timer_nr_cpus(st); cpu++) {
		struct sync_timer_cpu_stats s = cpu_stats(st, cpu);

		cost += s.cost_ns;
		*ticks += s.ticks;
	}
	sync_timer_destroy(st);
	return cost;
}

Test(sync_timer, the_callback_times_itself_only_when_asked)
{
	uint64_t ticks;

	cr_expect_eq(cost_after(false, &ticks), 0);
	cr_expect_gt(ticks, 100);
	cr_expect_gt(cost_after(true, &ticks), 0);
	cr_expect_gt(ticks, 100);
}

/*
 * Each CPU's counters sit in its state value right after its timer, and the
 * bytes a tick writes there (the bpf_timer's lock up to cost_ns) end more
 * than a cache line before the next CPU's value begins.
 */
Test(sync_timer, state_values_keep_cpus_off_each_others_cache_lines)
{
	struct sync_timer_bpf *skel = sync_timer_bpf__open();
	size_t written = SYNC_TIMER_VALUE_COUNTS_OFFSET + offsetof(struct sync_timer_cpu_counts, cost_ns) +
			 sizeof(uint64_t);

	cr_assert(skel);
	cr_expect_eq(bpf_map__value_size(skel->maps.sync_timer_state), SYNC_TIMER_VALUE_SIZE);
	cr_expect_geq(SYNC_TIMER_VALUE_SIZE, written + 64, "values %d bytes apart, %zu written",
		      SYNC_TIMER_VALUE_SIZE, written);
	sync_timer_bpf__destroy(skel);
}

/* This CPU's tick count, from its state value. */
static uint64_t cpu_ticks(struct sync_timer_bpf *skel, __u32 cpu)
{
	unsigned char value[SYNC_TIMER_VALUE_SIZE];
	struct sync_timer_cpu_counts c;

	cr_assert_eq(bpf_map__lookup_elem(skel->maps.sync_timer_state, &cpu, sizeof(cpu), value,
					  sizeof(value), 0), 0);
	memcpy(&c, value + SYNC_TIMER_VALUE_COUNTS_OFFSET, sizeof(c));
	return c.ticks;
}

/* ------------------------------------------------------------ subscribers */

/*
 * One CPU's timer counters and each subscriber's consumed ticks, read as one
 * snapshot: retried until the tick count did not move while we read.
 */
static void snapshot_cpu(struct sync_timer *st, struct test_subscriber_bpf **sub, int nsub,
			 int cpu, struct sync_timer_cpu_stats *stats, uint64_t *seen)
{
	int i, tries = 0;

	do {
		*stats = cpu_stats(st, cpu);
		for (i = 0; i < nsub; i++)
			seen[i] = load_u64(&sub[i]->bss->seen[cpu]);
	} while (cpu_stats(st, cpu).ticks != stats->ticks && ++tries < 1000);
}

/*
 * Every tick reaches each subscriber once: a subscriber's count moves with
 * the timer's, except for the ticks the timer reports as overruns (the
 * previous tick's bit not consumed yet, which happens when the VM delays the
 * hrtimer soft interrupt), and never more than once.
 */
Test(sync_timer, two_subscribers_each_see_every_tick_once)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	struct sync_timer_cpu_stats *c0, c1;
	struct test_subscriber_bpf *sub[2];
	int n = sync_timer_nr_cpus(st), cpu, i;
	uint64_t *s0 = calloc((size_t)n * 2, 8), s1[2], ticks, overrun, seen;

	c0 = calloc((size_t)n, sizeof(*c0));
	cr_assert(c0 && s0);
	for (i = 0; i < 2; i++)
		sub[i] = load_subscriber(st, sync_timer_assign_id(st));
	bpf_test_sleep(0.05);
	for (cpu = 0; cpu < n; cpu++)
		snapshot_cpu(st, sub, 2, cpu, &c0[cpu], &s0[cpu * 2]);
	bpf_test_sleep(1.0);
	for (cpu = 0; cpu < n; cpu++) {
		if (!sync_timer_cpu_armed(st, cpu))
			continue;
		snapshot_cpu(st, sub, 2, cpu, &c1, s1);
		ticks = c1.ticks - c0[cpu].ticks;
		overrun = c1.overrun - c0[cpu].overrun;
		cr_expect_gt(ticks, 500, "CPU %d: only %llu ticks", cpu, (unsigned long long)ticks);
		cr_expect_leq(overrun, ticks / 10, "CPU %d: %llu of %llu ticks overran", cpu,
			      (unsigned long long)overrun, (unsigned long long)ticks);
		for (i = 0; i < 2; i++) {
			seen = s1[i] - s0[cpu * 2 + i];
			/* at a snapshot, the last tick may still be on its way */
			cr_expect_leq(seen, ticks + 1, "CPU %d subscriber %d: saw %llu ticks, the timer made %llu",
				      cpu, i, (unsigned long long)seen, (unsigned long long)ticks);
			cr_expect_geq(seen + 1, ticks - overrun,
				      "CPU %d subscriber %d: saw %llu ticks, the timer made %llu (%llu overruns)",
				      cpu, i, (unsigned long long)seen, (unsigned long long)ticks,
				      (unsigned long long)overrun);
			cr_expect_eq(load_u64(&sub[i]->bss->migrated[cpu]), 0,
				     "CPU %d subscriber %d: migrations in a pinned mode", cpu, i);
		}
	}
	for (i = 0; i < 2; i++)
		test_subscriber_bpf__destroy(sub[i]);
	free(c0);
	free(s0);
	sync_timer_destroy(st);
}

/* Asserts no CPU's entry has a bit outside assigned, reading the map from user space. */
static void check_map_bits(struct sync_timer *st, uint64_t assigned)
{
	int fd = sync_timer_dup_map_fd(st), n = libbpf_num_possible_cpus(), cpu, round;
	struct sync_timer_bitmap_entry *e = calloc((size_t)n, sizeof(*e));
	__u32 key = 0;

	cr_assert(fd >= 0 && e);
	for (round = 0; round < 50; round++) {
		cr_assert_eq(bpf_map_lookup_elem(fd, &key, e), 0, "lookup: %s", strerror(errno));
		for (cpu = 0; cpu < n; cpu++)
			cr_assert_eq(e[cpu].trigger_mask & ~assigned, 0,
				     "CPU %d: mask %#llx has bits outside %#llx", cpu,
				     (unsigned long long)e[cpu].trigger_mask,
				     (unsigned long long)assigned);
		bpf_test_sleep(0.002);
	}
	free(e);
	close(fd);
}

Test(sync_timer, bits_of_unassigned_ids_are_never_set)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	struct test_subscriber_bpf *obs;
	int id0 = sync_timer_assign_id(st), id1 = sync_timer_assign_id(st);
	int id2 = sync_timer_assign_id(st);

	cr_assert_eq(sync_timer_release_id(st, id1), 0);
	/* assigned now: id0 and id2 */
	bpf_test_sleep(0.02);
	obs = load_subscriber(st, id2);
	bpf_test_sleep(0.5);
	cr_expect_eq(load_u64(&obs->bss->masks_seen), (1ULL << id0) | (1ULL << id2),
		     "masks seen %#llx", (unsigned long long)load_u64(&obs->bss->masks_seen));
	check_map_bits(st, (1ULL << id0) | (1ULL << id2));

	/* release id0 while running: its bit stops at the next tick */
	cr_assert_eq(sync_timer_release_id(st, id0), 0);
	bpf_test_sleep(0.02);
	__atomic_store_n(&obs->bss->masks_seen, 0, __ATOMIC_RELAXED);
	bpf_test_sleep(0.3);
	cr_expect_eq(load_u64(&obs->bss->masks_seen), 1ULL << id2,
		     "masks seen after release %#llx", (unsigned long long)load_u64(&obs->bss->masks_seen));
	check_map_bits(st, 1ULL << id2);
	test_subscriber_bpf__destroy(obs);
	sync_timer_destroy(st);
}

/* ------------------------------------------------------------ ids */

Test(sync_timer, sixty_four_ids_then_exhaustion)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	int id;

	for (id = 0; id < (int)SYNC_TIMER_MAX_SUBSCRIBERS; id++)
		cr_assert_eq(sync_timer_assign_id(st), id);
	cr_expect_eq(sync_timer_assign_id(st), -ENOSPC);
	cr_expect(strstr(sync_timer_last_error(), "all 64 subscriber ids are assigned"),
		  "message: %s", sync_timer_last_error());
	sync_timer_destroy(st);
}

Test(sync_timer, a_released_id_is_handed_out_again)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);

	cr_assert_eq(sync_timer_assign_id(st), 0);
	cr_assert_eq(sync_timer_assign_id(st), 1);
	cr_assert_eq(sync_timer_assign_id(st), 2);
	cr_assert_eq(sync_timer_release_id(st, 1), 0);
	cr_expect_eq(sync_timer_release_id(st, 1), -EINVAL, "double release accepted");
	cr_expect_eq(sync_timer_release_id(st, 64), -EINVAL);
	cr_expect_eq(sync_timer_assign_id(st), 1);
	cr_expect_eq(sync_timer_assign_id(st), 3);
	sync_timer_destroy(st);
}

/* ------------------------------------------------------------ refusals */

Test(sync_timer, interval_below_the_minimum_is_refused)
{
	struct sync_timer *st = sync_timer_start(SYNC_TIMER_MIN_INTERVAL_NS - 1, NULL);

	cr_assert_null(st);
	cr_expect_eq(errno, EINVAL);
	cr_expect(strstr(sync_timer_last_error(), "below the minimum of 1000 ns"),
		  "message: %s", sync_timer_last_error());
	st = sync_timer_start(0, NULL);
	cr_assert_null(st);
}

Test(sync_timer, share_refuses_a_map_of_the_wrong_shape)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	struct test_subscriber_bpf *skel;
	struct bpf_map *map;

	skel = test_subscriber_bpf__open();
	cr_assert(skel);
	map = skel->maps.sync_timer_bitmap;
	cr_assert_eq(bpf_map__set_value_size(map, 8), 0);
	cr_expect_eq(sync_timer_share_bitmap(st, map), -EINVAL, "value size 8 accepted");
	cr_expect(strstr(sync_timer_last_error(), "is not a sync_timer_bitmap"), "%s",
		  sync_timer_last_error());
	cr_assert_eq(bpf_map__set_value_size(map, SYNC_TIMER_BITMAP_VALUE_SIZE), 0);
	cr_assert_eq(bpf_map__set_key_size(map, 8), 0);
	cr_expect_eq(sync_timer_share_bitmap(st, map), -EINVAL, "key size 8 accepted");
	cr_assert_eq(bpf_map__set_key_size(map, SYNC_TIMER_BITMAP_KEY_SIZE), 0);
	cr_assert_eq(bpf_map__set_type(map, BPF_MAP_TYPE_ARRAY), 0);
	cr_expect_eq(sync_timer_share_bitmap(st, map), -EINVAL, "plain array accepted");
	cr_assert_eq(bpf_map__set_type(map, SYNC_TIMER_BITMAP_MAP_TYPE), 0);
	cr_assert_eq(bpf_map__set_max_entries(map, 2), 0);
	cr_expect_eq(sync_timer_share_bitmap(st, map), -EINVAL, "2 entries accepted");
	cr_assert_eq(bpf_map__set_max_entries(map, SYNC_TIMER_BITMAP_MAX_ENTRIES), 0);
	cr_expect_eq(sync_timer_share_bitmap(st, map), 0, "the right shape refused: %s",
		     sync_timer_last_error());
	test_subscriber_bpf__destroy(skel);
	sync_timer_destroy(st);
}

/* ------------------------------------------------------------ timer_migration */

static int saved_migration = -1;

static void migration_setup(void)
{
	bpf_test_setup();
	if (access(TIMER_MIGRATION, W_OK))
		cr_skip_test(TIMER_MIGRATION " is missing: no timer migration to check");
	saved_migration = bpf_test_sysctl_get(TIMER_MIGRATION);
}

static void migration_teardown(void)
{
	if (saved_migration >= 0)
		bpf_test_sysctl_set(TIMER_MIGRATION, saved_migration);
}

TestSuite(timer_migration, .init = migration_setup, .fini = migration_teardown, .timeout = 60);

static void start_stop_keeps(int mode, int value)
{
	struct sync_timer_opts opts = { .mode = mode };
	struct sync_timer *st = bpf_test_start(MS, &opts);

	cr_expect_eq(bpf_test_sysctl_get(TIMER_MIGRATION), value, "after start (mode %d)", mode);
	sync_timer_destroy(st);
	cr_expect_eq(bpf_test_sysctl_get(TIMER_MIGRATION), value, "after destroy (mode %d)", mode);
}

Test(timer_migration, unchanged_after_start_destroy_and_failure)
{
	struct sync_timer_opts bad = { .mode = 7 };
	struct sync_timer *st;
	int value, mode;

	for (value = 1; value >= 0; value--) {
		bpf_test_sysctl_set(TIMER_MIGRATION, value);
		start_stop_keeps(SYNC_TIMER_MODE_AUTO, value);
		for (mode = SYNC_TIMER_MODE_MODERN; mode <= SYNC_TIMER_MODE_LEGACY; mode++)
			start_stop_keeps(mode, value);
		/* a forced failure inside the init program, with timer_migration at 0 */
		st = sync_timer_start(MS, &bad);
		cr_assert_null(st, "mode 7 accepted");
		cr_expect(strstr(sync_timer_last_error(), "CPU 0: BAD_MODE"), "message: %s",
			  sync_timer_last_error());
		cr_expect_eq(bpf_test_sysctl_get(TIMER_MIGRATION), value, "after a failure");
	}
}

/* ------------------------------------------------------------ lifetime */

static struct bpf_test_objs before, ours;

Test(sync_timer, nothing_of_ours_remains_after_destroy)
{
	struct sync_timer *st;
	struct test_subscriber_bpf *sub;
	char msg[512];
	int fd;

	bpf_test_snapshot(&before);
	st = bpf_test_start(MS, NULL);
	sub = load_subscriber(st, sync_timer_assign_id(st));
	fd = sync_timer_dup_map_fd(st);
	cr_assert(fd >= 0);
	close(fd);
	bpf_test_snapshot(&ours);
	bpf_test_new_objs(&ours, &before);
	cr_assert(bpf_test_has_prog(&ours, "sync_timer_init"), "timer program not found");
	cr_assert(bpf_test_has_prog(&ours, "test_sub_tick"), "subscriber program not found");
	cr_assert(bpf_test_has_map(&ours, "sync_timer_bitm"), "bitmap map not found");
	cr_assert(bpf_test_has_map(&ours, "sync_timer_stat"), "state map not found");
	test_subscriber_bpf__destroy(sub);
	sync_timer_destroy(st);
	cr_expect_eq(bpf_test_wait_gone(&ours, &before, 5.0, msg, sizeof(msg)), 0,
		     "still there 5 s after destroy:%s", msg);
}

/* The child: starts a timer and a subscriber, says so, and waits to be killed. */
static void child_holds_a_timer(int wfd)
{
	struct sync_timer *st = sync_timer_start(MS, NULL);
	struct test_subscriber_bpf *sub;
	char c = 'E';

	if (st) {
		sub = test_subscriber_bpf__open();
		if (sub && sync_timer_share_bitmap(st, sub->maps.sync_timer_bitmap) == 0 &&
		    test_subscriber_bpf__load(sub) == 0 && test_subscriber_bpf__attach(sub) == 0)
			c = 'R';
	}
	if (write(wfd, &c, 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

Test(sync_timer, nothing_of_ours_remains_after_sigkill)
{
	int pfd[2], status;
	char c = 0, msg[512];
	pid_t pid;

	bpf_test_snapshot(&before);
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		child_holds_a_timer(pfd[1]);
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, 1), 1, "child died before it was ready");
	close(pfd[0]);
	bpf_test_snapshot(&ours);
	bpf_test_new_objs(&ours, &before);
	if (c != 'R')
		kill(pid, SIGKILL);
	cr_assert_eq(c, 'R', "the child could not start the timer and a subscriber");
	cr_assert(bpf_test_has_prog(&ours, "sync_timer_init"), "child's timer not found");
	cr_assert(bpf_test_has_prog(&ours, "test_sub_tick"), "child's subscriber not found");
	bpf_test_sleep(0.1);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cr_expect_eq(bpf_test_wait_gone(&ours, &before, 5.0, msg, sizeof(msg)), 0,
		     "still there 5 s after SIGKILL:%s", msg);
}

Test(sync_timer, dup_map_fd_is_a_new_fd_of_the_same_map)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);
	struct bpf_map_info a, b;
	uint32_t len = sizeof(a);
	int fd1 = sync_timer_dup_map_fd(st), fd2 = sync_timer_dup_map_fd(st);

	cr_assert(fd1 >= 0 && fd2 >= 0 && fd1 != fd2);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cr_assert_eq(bpf_obj_get_info_by_fd(fd1, &a, &len), 0);
	len = sizeof(b);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd2, &b, &len), 0);
	cr_expect_eq(a.id, b.id);
	cr_expect_str_eq(a.name, "sync_timer_bitm");
	cr_expect_eq(a.type, SYNC_TIMER_BITMAP_MAP_TYPE);
	cr_expect_eq(a.value_size, SYNC_TIMER_BITMAP_VALUE_SIZE);
	close(fd1);
	close(fd2);
	check_ticks(st, 0.3); /* closing the caller's fds leaves the timer running */
	sync_timer_destroy(st);
}

/* ------------------------------------------------------------ the init program */

/* Runs the init program of skel on CPU 0 with mode; returns its retval. */
static uint32_t run_init_on_cpu0(struct sync_timer_bpf *skel, uint32_t mode)
{
	struct sync_timer_init_args args = { .mode = mode };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0);
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sync_timer_init), &topts), 0);
	cr_assert_eq(args.cpu, 0);
	cr_assert_eq(args.result, topts.retval);
	return topts.retval;
}

static struct sync_timer_bpf *load_timer_object(uint64_t interval_ns)
{
	struct sync_timer_bpf *skel = sync_timer_bpf__open();

	cr_assert(skel);
	skel->rodata->interval_ns = interval_ns;
	cr_assert_eq(sync_timer_bpf__load(skel), 0);
	return skel;
}

/* The disarm and publish programs with any input: a CPU past the map is
   NO_STATE, a CPU count past it is clamped, a CPU never armed is fine. */
Test(sync_timer, disarm_and_publish_take_any_input)
{
	struct sync_timer_bpf *skel = load_timer_object(MS);
	static const uint32_t cpus[] = { 0, 1, SYNC_TIMER_MAX_CPUS - 1, SYNC_TIMER_MAX_CPUS, UINT32_MAX };
	static const uint32_t counts[] = { 0, 1, SYNC_TIMER_MAX_CPUS, SYNC_TIMER_MAX_CPUS + 1, UINT32_MAX };
	unsigned char value[SYNC_TIMER_VALUE_SIZE];
	size_t i;

	for (i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct sync_timer_disarm_args a = { .cpu = cpus[i] };
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &a, .ctx_size_in = sizeof(a));

		cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sync_timer_disarm), &topts), 0);
		cr_expect_eq(topts.retval, cpus[i] < SYNC_TIMER_MAX_CPUS ? SYNC_TIMER_INIT_ERROR_OK
									 : SYNC_TIMER_INIT_ERROR_NO_STATE,
			     "disarm CPU %u: %u", cpus[i], topts.retval);
	}
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct sync_timer_publish_args a = { .assigned = 0x5a5a0000 + i, .nr_cpus = counts[i] };
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &a, .ctx_size_in = sizeof(a));
		__u32 last = SYNC_TIMER_MAX_CPUS - 1;
		uint64_t got;

		cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sync_timer_publish), &topts), 0);
		cr_expect_eq(topts.retval, SYNC_TIMER_INIT_ERROR_OK, "publish to %u CPUs: %u", counts[i],
			     topts.retval);
		/* the last CPU's copy changed only when the count reached it */
		cr_assert_eq(bpf_map__lookup_elem(skel->maps.sync_timer_state, &last, sizeof(last), value,
						  sizeof(value), 0), 0);
		memcpy(&got, value + SYNC_TIMER_VALUE_ASSIGNED_OFFSET, sizeof(got));
		if (counts[i] >= SYNC_TIMER_MAX_CPUS)
			cr_expect_eq(got, 0x5a5a0000 + i, "CPU %u's ids after publishing to %u CPUs", last,
				     counts[i]);
		else
			cr_expect_neq(got, 0x5a5a0000 + i, "publishing to %u CPUs reached CPU %u",
				      counts[i], last);
	}
	sync_timer_bpf__destroy(skel);
}

Test(sync_timer, reinit_cancels_and_replaces)
{
	struct sync_timer_bpf *skel = load_timer_object(MS);
	double t0, t1, t2, t3;
	uint64_t ticks;

	cr_assert_eq(run_init_on_cpu0(skel, SYNC_TIMER_MODE_MODERN), SYNC_TIMER_INIT_ERROR_OK);
	bpf_test_sleep(0.1);
	cr_expect_gt(cpu_ticks(skel, 0), 50);
	/* again, in another mode: no TIMER_INIT (-EBUSY), one timer, same rate */
	cr_assert_eq(run_init_on_cpu0(skel, SYNC_TIMER_MODE_INTERMEDIATE), SYNC_TIMER_INIT_ERROR_OK);
	t0 = bpf_test_now();
	ticks = cpu_ticks(skel, 0);
	t1 = bpf_test_now();
	bpf_test_sleep(0.5);
	t2 = bpf_test_now();
	ticks = cpu_ticks(skel, 0) - ticks;
	t3 = bpf_test_now();
	cr_expect_geq((double)ticks, 0.9 * (t2 - t1) * 1e3, "%llu ticks in %.3f s",
		      (unsigned long long)ticks, t2 - t1);
	cr_expect_leq((double)ticks, (t3 - t0) * 1e3 + 1, "%llu ticks in %.3f s: two timers?",
		      (unsigned long long)ticks, t3 - t0);
	cr_expect_eq(run_init_on_cpu0(skel, 7), SYNC_TIMER_INIT_ERROR_BAD_MODE);
	sync_timer_bpf__destroy(skel);

	skel = load_timer_object(SYNC_TIMER_MIN_INTERVAL_NS - 1);
	cr_expect_eq(run_init_on_cpu0(skel, SYNC_TIMER_MODE_MODERN), SYNC_TIMER_INIT_ERROR_BAD_INTERVAL);
	sync_timer_bpf__destroy(skel);
}

/* ------------------------------------------------------------ cpu_hotplug */

TestSuite(cpu_hotplug, .init = bpf_test_setup, .timeout = 60);

/* Ticks the timer of cpu made, wherever it ran. */
static uint64_t ticks_of(struct sync_timer *st, int cpu)
{
	return cpu_stats(st, cpu).ticks;
}

/* Migrations the subscriber saw, on every CPU. */
static uint64_t migrations(struct test_subscriber_bpf *sub)
{
	uint64_t sum = 0;

	for (int cpu = 0; cpu < (int)SYNC_TIMER_MAX_CPUS; cpu++)
		sum += load_u64(&sub->bss->migrated[cpu]);
	return sum;
}

/* The auto mode, which must be MODERN here: only pinned timers stay put. */
static struct sync_timer *start_pinned(void)
{
	struct sync_timer *st = bpf_test_start(MS, NULL);

	if (sync_timer_mode(st) != SYNC_TIMER_MODE_MODERN) {
		sync_timer_destroy(st);
		cr_skip_test("the timers are not pinned (mode %s): a migration proves nothing",
			     sync_timer_mode_name(sync_timer_mode(st)));
	}
	return st;
}

Test(cpu_hotplug, an_offline_cpu_is_skipped_then_armed_by_rearm)
{
	int cpu = bpf_test_hotplug_cpu();
	struct sync_timer *st;

	bpf_test_cpu_offline(cpu);
	st = bpf_test_start(MS, NULL);
	cr_expect_not(sync_timer_cpu_armed(st, cpu), "offline CPU %d armed", cpu);
	check_ticks(st, 0.3); /* every online CPU armed and ticking */
	cr_expect_eq(ticks_of(st, cpu), 0, "offline CPU %d ticked", cpu);

	bpf_test_cpu_online(cpu);
	cr_assert_eq(sync_timer_rearm(st), online_cpus(), "rearm: %s", sync_timer_last_error());
	cr_expect(sync_timer_cpu_armed(st, cpu), "CPU %d not armed after rearm", cpu);
	check_ticks(st, 0.3);
	sync_timer_destroy(st);
}

/*
 * The kernel moves the timer of a CPU going offline to another CPU, where it
 * keeps ticking: the subscribers there find expected_cpu = the offline CPU
 * and report a migration, tick after tick, even once the CPU is back. rearm
 * gives the CPU its timer back, and the migrations stop.
 */
Test(cpu_hotplug, a_cpu_going_offline_is_seen_as_migration_until_rearm)
{
	int cpu = bpf_test_hotplug_cpu();
	struct sync_timer *st = start_pinned();
	struct test_subscriber_bpf *sub = load_subscriber(st, sync_timer_assign_id(st));
	uint64_t t0, m0, s0;
	double at0, at1;

	bpf_test_sleep(0.1);
	cr_expect_eq(migrations(sub), 0, "migrations with every CPU online");
	t0 = ticks_of(st, cpu);
	m0 = migrations(sub);
	bpf_test_cpu_offline(cpu);
	bpf_test_sleep(0.3);
	cr_expect_gt(ticks_of(st, cpu) - t0, 200, "the timer of offline CPU %d stopped", cpu);
	cr_expect_gt(migrations(sub) - m0, 150, "%llu migrations seen in 0.3 s",
		     (unsigned long long)(migrations(sub) - m0));

	bpf_test_cpu_online(cpu);
	bpf_test_sleep(0.1);
	m0 = migrations(sub);
	bpf_test_sleep(0.1);
	cr_expect_gt(migrations(sub), m0, "the timer went back to CPU %d by itself", cpu);

	cr_assert_eq(sync_timer_rearm(st), online_cpus(), "rearm: %s", sync_timer_last_error());
	bpf_test_sleep(0.02); /* a migrated tick may still wait for its subscriber */
	m0 = migrations(sub);
	at0 = bpf_test_now();
	s0 = load_u64(&sub->bss->seen[cpu]);
	bpf_test_sleep(0.3);
	at1 = bpf_test_now();
	cr_expect_eq(migrations(sub), m0, "%llu migrations after rearm",
		     (unsigned long long)(migrations(sub) - m0));
	/* 80 %: the vCPU just brought back online is slow to settle on this
	 * 2-CPU VM (85 % seen under load); a CPU left unarmed would see none. */
	cr_expect_geq((double)(load_u64(&sub->bss->seen[cpu]) - s0), 0.8 * (at1 - at0) * 1e3 - 2,
		      "CPU %d: %llu ticks seen there in %.3f s after rearm", cpu,
		      (unsigned long long)(load_u64(&sub->bss->seen[cpu]) - s0), at1 - at0);
	test_subscriber_bpf__destroy(sub);
	sync_timer_destroy(st);
}

Test(cpu_hotplug, rearm_cancels_the_timer_of_an_offline_cpu)
{
	int cpu = bpf_test_hotplug_cpu();
	struct sync_timer *st = start_pinned();
	struct test_subscriber_bpf *sub = load_subscriber(st, sync_timer_assign_id(st));
	uint64_t t0, m0, before;

	bpf_test_cpu_offline(cpu);
	bpf_test_sleep(0.1);
	before = ticks_of(st, cpu);
	cr_expect_gt(before, 50, "the timer of CPU %d, moved when it went offline, ticked %llu times",
		     cpu, (unsigned long long)before);
	cr_assert_eq(sync_timer_rearm(st), online_cpus(), "rearm: %s", sync_timer_last_error());
	cr_expect_not(sync_timer_cpu_armed(st, cpu), "offline CPU %d still armed", cpu);
	bpf_test_sleep(0.02);
	t0 = ticks_of(st, cpu);
	/* cancelled in place: its counters keep what they had counted */
	cr_expect_geq(t0, before, "CPU %d's ticks went from %llu to %llu when it was disarmed", cpu,
		      (unsigned long long)before, (unsigned long long)t0);
	m0 = migrations(sub);
	bpf_test_sleep(0.2);
	cr_expect_eq(ticks_of(st, cpu), t0, "the timer of offline CPU %d still ticks", cpu);
	cr_expect_eq(migrations(sub), m0, "migrations after rearm");
	check_ticks(st, 0.2); /* the online CPUs keep ticking */
	bpf_test_cpu_online(cpu);
	test_subscriber_bpf__destroy(sub);
	sync_timer_destroy(st);
}
