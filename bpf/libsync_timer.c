// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libsync_timer: loads bpf/sync_timer.bpf.c and arms it on every CPU. See libsync_timer.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libsync_timer.h"
#include "sync_timer.skel.h"
#include "sync_timer_value.h"

_Static_assert(SYNC_TIMER_VALUE_COUNTS_OFFSET + sizeof(struct sync_timer_cpu_counts) <=
	       SYNC_TIMER_VALUE_SIZE, "the counters lie inside a state value");

#define TIMER_MIGRATION_PATH "/proc/sys/kernel/timer_migration"
#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"
#define CPU_ONLINE_PATH "/sys/devices/system/cpu/online"

struct sync_timer {
	struct sync_timer_bpf *skel;
	uint64_t interval_ns;
	enum sync_timer_mode mode;
	uint64_t assigned;  /* what sync_timer_publish last wrote into every CPU's value */
	int nr_cpus;        /* possible CPUs */
	bool *armed;        /* [nr_cpus]: timer armed on this CPU */
};

static _Thread_local char last_error[1024];

const char *sync_timer_last_error(void)
{
	return last_error;
}

/* Records the message and returns -err, so callers can `return fail(...)`. */
__attribute__((format(printf, 2, 3)))
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -err;
}

static bool verbose_libbpf;

/* libbpf's warnings (a verifier log, say) always; its chatter only if verbose. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN && !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* ------------------------------------------------------------ system state */

/* Reads an integer sysctl; -errno if it cannot. */
static int sysctl_read(const char *path, int *value)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%d", value) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int sysctl_write(const char *path, int value)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", value) < 0)
		err = -EIO;
	if (fclose(f) != 0 && !err)
		err = -errno;
	return err;
}

/* Fills online[0..n) from the kernel's list ("0-3,5"); all true if unreadable. */
static void read_online_cpus(bool *online, int n)
{
	FILE *f = fopen(CPU_ONLINE_PATH, "r");
	int lo, hi, c;
	char sep;

	for (c = 0; c < n; c++)
		online[c] = f == NULL;
	if (!f)
		return;
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		sep = (char)fgetc(f);
		if (sep == '-') {
			if (fscanf(f, "%d", &hi) != 1)
				break;
			sep = (char)fgetc(f);
		}
		for (c = lo < 0 ? 0 : lo; c <= hi && c < n; c++)
			online[c] = true;
		if (sep != ',')
			break;
	}
	fclose(f);
}

/* ------------------------------------------------------------ init per CPU */

static const char *mode_label(int mode)
{
	const char *name = mode >= 0 ? sync_timer_mode_name((uint32_t)mode) : NULL;

	return name ? name : "UNKNOWN";
}

static const char *init_error_label(uint32_t result)
{
	const char *name = sync_timer_init_error_name(result);

	return name ? name : "UNKNOWN";
}

/* Runs a SEC("syscall") program of the timer on ctx (it returns an enum
   sync_timer_init_error); 0, or -errno with "Failed to <what>: ..." set. */
static int run_program(struct bpf_program *prog, void *ctx, size_t size, const char *what)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = ctx, .ctx_size_in = (__u32)size);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);

	if (err)
		return fail(-err, "Failed to %s: %s", what, strerror(-err));
	if (topts.retval != SYNC_TIMER_INIT_ERROR_OK)
		return fail(EINVAL, "Failed to %s: %s", what, init_error_label(topts.retval));
	return 0;
}

/* This CPU's value of the state map (bpf/sync_timer_value.h), read with one
   lookup; -errno (errno set) if it cannot be. */
static int read_value(const struct sync_timer *st, int cpu, unsigned char value[SYNC_TIMER_VALUE_SIZE])
{
	__u32 key = (__u32)cpu;

	return bpf_map__lookup_elem(st->skel->maps.sync_timer_state, &key, sizeof(key), value,
				    SYNC_TIMER_VALUE_SIZE, 0);
}

/* What the helper that failed this CPU's last init returned (a negative
   errno), or 0 (none, or the value could not be read). */
static int helper_error(const struct sync_timer *st, int cpu)
{
	unsigned char value[SYNC_TIMER_VALUE_SIZE];
	int32_t e;

	if (read_value(st, cpu, value))
		return 0;
	memcpy(&e, value + SYNC_TIMER_VALUE_HELPER_ERROR_OFFSET, sizeof(e));
	return e < 0 ? e : 0;
}

#define INIT_TRIES 12 /* 1 + 2 + ... + 2048 ms apart at most: about 4 s */

/*
 * Runs the init program on cpu with the calling thread pinned there.
 * Returns 0 (armed), 1 (CPU offline: skipped) or -errno with *why set.
 */
static int init_on_cpu(struct sync_timer *st, int cpu, int mode, char *why, size_t why_len)
{
	struct sync_timer_init_args args = { .mode = (__u32)mode };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int prog_fd = bpf_program__fd(st->skel->progs.sync_timer_init);
	cpu_set_t set;
	int err, now, tries;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		if (errno == EINVAL)
			return 1; /* went offline since we read the list */
		err = -errno;
		snprintf(why, why_len, "cannot pin to it: %s", strerror(-err));
		return err;
	}
	now = sched_getcpu();
	if (now != cpu) {
		snprintf(why, why_len, "pinned to it but running on CPU %d", now);
		return -EAGAIN;
	}
	/* bpf_timer_init fails now and then with ENOMEM on a CPU just brought
	   online after heavy load (its atomic allocation, charged to the map's
	   memory cgroup, cannot reclaim; seen again in CI with 10 tries 1 ms
	   apart). A failed init leaves nothing behind, so it is tried again,
	   the wait doubling from 1 ms, INIT_TRIES times */
	for (tries = 0;; tries++) {
		args.result = 0;
		topts.retval = 0;
		err = bpf_prog_test_run_opts(prog_fd, &topts);
		if (err || topts.retval != SYNC_TIMER_INIT_ERROR_TIMER_INIT || tries == INIT_TRIES - 1)
			break;
		long ms = 1L << tries;
		nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 }, NULL);
	}
	if (err) {
		snprintf(why, why_len, "BPF_PROG_TEST_RUN failed: %s", strerror(-err));
		return err;
	}
	if (args.cpu != (__u32)cpu) {
		snprintf(why, why_len, "init program ran on CPU %u", args.cpu);
		return -EAGAIN;
	}
	if (topts.retval != SYNC_TIMER_INIT_ERROR_OK) {
		int helper = helper_error(st, cpu);

		if (helper)
			snprintf(why, why_len, "%s (the helper returned %s)", init_error_label(topts.retval),
				 strerror(-helper));
		else
			snprintf(why, why_len, "%s", init_error_label(topts.retval));
		return topts.retval == SYNC_TIMER_INIT_ERROR_TIMER_START ? -EOPNOTSUPP : -EINVAL;
	}
	return 0;
}

/* Arms every online CPU in mode. On failure appends "CPU n: why" to msg. */
static int init_all_cpus(struct sync_timer *st, int mode, bool *online, char *msg, size_t msg_len)
{
	char why[256];
	int cpu, err, armed = 0;

	for (cpu = 0; cpu < st->nr_cpus; cpu++) {
		if (!online[cpu])
			continue;
		err = init_on_cpu(st, cpu, mode, why, sizeof(why));
		if (err == 1) {
			online[cpu] = false; /* went offline: rearm leaves it disarmed */
			continue;
		}
		if (err < 0) {
			snprintf(msg, msg_len, "CPU %d: %s", cpu, why);
			return err;
		}
		st->armed[cpu] = true;
		armed++;
	}
	if (!armed) {
		snprintf(msg, msg_len, "no online CPU could be armed");
		return -ENODEV;
	}
	return armed;
}

/*
 * Arms every online CPU in mode; for the fallback modes with
 * kernel.timer_migration at 0, restoring it whatever happens. Returns the
 * number of CPUs armed or -errno.
 */
static int init_mode(struct sync_timer *st, int mode, bool *online, char *msg, size_t msg_len)
{
	bool fallback = mode != SYNC_TIMER_MODE_MODERN;
	int saved = -1, err, rerr;

	if (fallback && sysctl_read(TIMER_MIGRATION_PATH, &saved) == 0 && saved != 0) {
		err = sysctl_write(TIMER_MIGRATION_PATH, 0);
		if (err) {
			snprintf(msg, msg_len, "cannot set kernel.timer_migration to 0: %s",
				 strerror(-err));
			return err;
		}
	}
	err = init_all_cpus(st, mode, online, msg, msg_len);
	if (fallback && saved > 0) {
		rerr = sysctl_write(TIMER_MIGRATION_PATH, saved);
		if (rerr && err >= 0) {
			snprintf(msg, msg_len, "cannot restore kernel.timer_migration to %d: %s",
				 saved, strerror(-rerr));
			err = rerr;
		}
	}
	return err;
}

/* Tries the modes in order until one arms every online CPU; returns how
   many CPUs it armed or -errno (message recorded). */
static int init_modes(struct sync_timer *st, const int *modes, int n, bool *online)
{
	char report[sizeof(last_error)] = "", msg[512];
	size_t used = 0;
	int i, err = -EINVAL;
	cpu_set_t saved;

	if (sched_getaffinity(0, sizeof(saved), &saved))
		return fail(errno, "Failed to read the thread's CPU affinity: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		err = init_mode(st, modes[i], online, msg, sizeof(msg));
		if (err >= 0) {
			st->mode = (enum sync_timer_mode)modes[i];
			break;
		}
		used += (size_t)snprintf(report + used, sizeof(report) - used, "%s%s: %s",
					 i ? "; " : "", mode_label(modes[i]), msg);
		if (used >= sizeof(report))
			used = sizeof(report) - 1;
	}
	if (sched_setaffinity(0, sizeof(saved), &saved) && err >= 0)
		return fail(errno, "Failed to restore the thread's CPU affinity: %s",
			    strerror(errno));
	if (err < 0)
		return fail(-err, "Failed to arm the sync timer, %s: %s",
			    n > 1 ? "every mode failed" : "the mode failed", report);
	return err;
}

/* ------------------------------------------------------------ start / destroy */

static int check_system(uint64_t interval_ns)
{
	int ret;

	if (interval_ns < SYNC_TIMER_MIN_INTERVAL_NS)
		return fail(EINVAL, "interval %llu ns is below the minimum of %llu ns",
			    (unsigned long long)interval_ns,
			    (unsigned long long)SYNC_TIMER_MIN_INTERVAL_NS);
	if (access(KERNEL_BTF_PATH, R_OK))
		return fail(ENOENT, "no kernel BTF: %s is missing (a kernel built with "
			    "CONFIG_DEBUG_INFO_BTF is needed)", KERNEL_BTF_PATH);
	ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_timer_init, NULL);
	if (ret == -EPERM || ret == -EACCES)
		return fail(EPERM, "not permitted to load BPF programs (run as root, "
			    "or with CAP_BPF and CAP_PERFMON)");
	if (ret == 0)
		return fail(EOPNOTSUPP, "BPF timers are not supported by this kernel "
			    "(bpf_timer needs Linux >= 5.15)");
	if (ret < 0)
		return fail(-ret, "cannot probe for BPF timer support: %s", strerror(-ret));
	return 0;
}

static int load_object(struct sync_timer *st, bool verbose, bool measure_cost)
{
	int err;

	verbose_libbpf = verbose;
	libbpf_set_print(print_libbpf);
	st->skel = sync_timer_bpf__open();
	if (!st->skel)
		return fail(errno, "Failed to open the sync timer BPF object: %s", strerror(errno));
	st->skel->rodata->interval_ns = st->interval_ns;
	st->skel->rodata->measure_cost = measure_cost;
	if (bpf_map__value_size(st->skel->maps.sync_timer_state) != SYNC_TIMER_VALUE_SIZE)
		return fail(EINVAL, "the sync timer object's state values are %u bytes, not %d "
			    "(bpf/sync_timer_value.h)",
			    bpf_map__value_size(st->skel->maps.sync_timer_state), SYNC_TIMER_VALUE_SIZE);
	err = sync_timer_bpf__load(st->skel);
	/* (-EACCES alone is the verifier refusing the program) */
	if (err == -EPERM || (err == -EACCES && geteuid() != 0))
		return fail(EPERM, "not permitted to load the sync timer BPF object (run as root)");
	if (err)
		return fail(-err, "Failed to load the sync timer BPF object: %s "
			    "(rerun with verbose for the verifier log)", strerror(-err));
	return 0;
}

struct sync_timer *sync_timer_start(uint64_t interval_ns, const struct sync_timer_opts *opts)
{
	static const int all_modes[] = {
		SYNC_TIMER_MODE_MODERN, SYNC_TIMER_MODE_INTERMEDIATE, SYNC_TIMER_MODE_LEGACY,
	};
	int mode = opts ? opts->mode : SYNC_TIMER_MODE_AUTO;
	struct sync_timer *st = NULL;
	bool *online = NULL;
	int err;

	last_error[0] = '\0';
	err = check_system(interval_ns);
	if (err)
		goto cleanup;
	st = calloc(1, sizeof(*st));
	err = st ? libbpf_num_possible_cpus() : -ENOMEM;
	if (err < 0) {
		err = fail(-err, "Failed to count the possible CPUs: %s", strerror(-err));
		goto cleanup;
	}
	st->nr_cpus = err;
	st->interval_ns = interval_ns;
	st->armed = calloc((size_t)st->nr_cpus, sizeof(*st->armed));
	online = calloc((size_t)st->nr_cpus, sizeof(*online));
	if (!st->armed || !online) {
		err = fail(ENOMEM, "Failed to allocate the CPU tables");
		goto cleanup;
	}
	read_online_cpus(online, st->nr_cpus);
	err = load_object(st, opts && opts->verbose, opts && opts->measure_cost);
	if (err)
		goto cleanup;
	if (mode == SYNC_TIMER_MODE_AUTO)
		err = init_modes(st, all_modes, 3, online);
	else
		err = init_modes(st, &mode, 1, online);
cleanup:
	free(online);
	if (err < 0) {
		sync_timer_destroy(st);
		errno = -err;
		return NULL;
	}
	return st;
}

void sync_timer_destroy(struct sync_timer *st)
{
	if (!st)
		return;
	sync_timer_bpf__destroy(st->skel); /* the last fd closes: timers are freed */
	free(st->armed);
	free(st);
}

/*
 * Cancels the timer of an offline CPU, which the kernel moved to another CPU
 * when this one went down: the disarm program cancels it in place, so its
 * counters keep counting since start and a later init arms it again.
 */
static int disarm_cpu(struct sync_timer *st, int cpu)
{
	struct sync_timer_disarm_args args = { .cpu = (__u32)cpu };
	char what[64];
	int err;

	snprintf(what, sizeof(what), "cancel the timer of offline CPU %d", cpu);
	err = run_program(st->skel->progs.sync_timer_disarm, &args, sizeof(args), what);
	if (!err)
		st->armed[cpu] = false;
	return err;
}

int sync_timer_rearm(struct sync_timer *st)
{
	int mode = (int)st->mode, cpu, err;
	bool *online = calloc((size_t)st->nr_cpus, sizeof(*online));

	last_error[0] = '\0';
	if (!online)
		return fail(ENOMEM, "Failed to allocate the CPU table");
	read_online_cpus(online, st->nr_cpus);
	err = init_modes(st, &mode, 1, online);
	/* the offline CPUs, and any that went down while we armed the others */
	for (cpu = 0; cpu < st->nr_cpus && err >= 0; cpu++)
		if (st->armed[cpu] && !online[cpu])
			err = disarm_cpu(st, cpu) ?: err;
	free(online);
	return err;
}

/* ------------------------------------------------------------ accessors */

enum sync_timer_mode sync_timer_mode(const struct sync_timer *st)
{
	return st->mode;
}

uint64_t sync_timer_interval_ns(const struct sync_timer *st)
{
	return st->interval_ns;
}

/* Writes st->assigned into every CPU's state value (sync_timer_publish). */
static int publish_assigned(struct sync_timer *st)
{
	struct sync_timer_publish_args args = {
		.assigned = st->assigned, .nr_cpus = (__u32)st->nr_cpus,
	};

	return run_program(st->skel->progs.sync_timer_publish, &args, sizeof(args),
			   "give the timer the assigned ids");
}

int sync_timer_assign_id(struct sync_timer *st)
{
	int id, err;

	for (id = 0; id < (int)SYNC_TIMER_MAX_SUBSCRIBERS; id++) {
		if (!(st->assigned & (1ULL << id))) {
			st->assigned |= 1ULL << id;
			err = publish_assigned(st);
			if (err) {
				st->assigned &= ~(1ULL << id);
				return err;
			}
			return id;
		}
	}
	return fail(ENOSPC, "all %u subscriber ids are assigned",
		    (unsigned)SYNC_TIMER_MAX_SUBSCRIBERS);
}

int sync_timer_release_id(struct sync_timer *st, int id)
{
	int err;

	if (id < 0 || id >= (int)SYNC_TIMER_MAX_SUBSCRIBERS || !(st->assigned & (1ULL << id)))
		return fail(EINVAL, "subscriber id %d is not assigned", id);
	st->assigned &= ~(1ULL << id);
	err = publish_assigned(st);
	if (err)
		st->assigned |= 1ULL << id; /* the timer still sets it */
	return err;
}

int sync_timer_dup_map_fd(const struct sync_timer *st)
{
	int fd = fcntl(bpf_map__fd(st->skel->maps.sync_timer_bitmap), F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return fail(errno, "Failed to duplicate the bitmap map fd: %s", strerror(errno));
	return fd;
}

int sync_timer_share_bitmap(const struct sync_timer *st, struct bpf_map *map)
{
	int err;

	if (!map)
		return fail(EINVAL, "no map given to share the bitmap with");
	if (bpf_map__type(map) != SYNC_TIMER_BITMAP_MAP_TYPE ||
	    bpf_map__key_size(map) != SYNC_TIMER_BITMAP_KEY_SIZE ||
	    bpf_map__value_size(map) != SYNC_TIMER_BITMAP_VALUE_SIZE ||
	    bpf_map__max_entries(map) != SYNC_TIMER_BITMAP_MAX_ENTRIES)
		return fail(EINVAL, "map %s is not a %s: type %d key %u value %u entries %u, "
			    "expected type %d key %u value %u entries %u",
			    bpf_map__name(map), SYNC_TIMER_BITMAP_MAP_NAME,
			    (int)bpf_map__type(map), bpf_map__key_size(map),
			    bpf_map__value_size(map), bpf_map__max_entries(map),
			    (int)SYNC_TIMER_BITMAP_MAP_TYPE, (unsigned)SYNC_TIMER_BITMAP_KEY_SIZE,
			    (unsigned)SYNC_TIMER_BITMAP_VALUE_SIZE,
			    (unsigned)SYNC_TIMER_BITMAP_MAX_ENTRIES);
	err = bpf_map__reuse_fd(map, bpf_map__fd(st->skel->maps.sync_timer_bitmap));
	if (err)
		return fail(-err, "Failed to share the bitmap with map %s: %s",
			    bpf_map__name(map), strerror(-err));
	return 0;
}

int sync_timer_nr_cpus(const struct sync_timer *st)
{
	return st->nr_cpus;
}

bool sync_timer_cpu_armed(const struct sync_timer *st, int cpu)
{
	return cpu >= 0 && cpu < st->nr_cpus && st->armed[cpu];
}

int sync_timer_cpu_stats(const struct sync_timer *st, int cpu, struct sync_timer_cpu_stats *out)
{
	unsigned char value[SYNC_TIMER_VALUE_SIZE];
	struct sync_timer_cpu_counts c;

	if (cpu < 0 || cpu >= st->nr_cpus || cpu >= (int)SYNC_TIMER_MAX_CPUS)
		return fail(EINVAL, "CPU %d is out of range (0..%d)", cpu, st->nr_cpus - 1);
	/* the counters live in the CPU's state value, beside its timer */
	if (read_value(st, cpu, value))
		return fail(errno, "Failed to read the counters of CPU %d: %s", cpu, strerror(errno));
	memcpy(&c, value + SYNC_TIMER_VALUE_COUNTS_OFFSET, sizeof(c));
	out->ticks = c.ticks;
	out->missed = c.missed;
	out->overrun = c.overrun;
	out->cost_ns = c.cost_ns;
	return 0;
}
