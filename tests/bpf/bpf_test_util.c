/* Helpers shared by the BPF sync-timer tests. See bpf_test_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "bpf_test_util.h"
#include "libsync_timer.h"

#define TRACEFS "/sys/kernel/tracing"

static void mount_tracefs(void)
{
	struct stat sb;

	if (stat(TRACEFS "/events", &sb) == 0)
		return;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		cr_log_warn("cannot mount tracefs at " TRACEFS ": %s", strerror(errno));
}

void bpf_test_setup(void)
{
	int ret;

	if (geteuid() != 0)
		cr_skip_test("BPF is not permitted: these tests load BPF programs and need root "
			     "(run `sudo ninja test`)");
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL);
	if (ret == -EPERM || ret == -EACCES)
		cr_skip_test("BPF is not permitted here (%s): the sync-timer tests are skipped",
			     strerror(-ret));
	mount_tracefs();
}

struct sync_timer *bpf_test_start(uint64_t interval_ns, const struct sync_timer_opts *opts)
{
	struct sync_timer *st = sync_timer_start(interval_ns, opts);

	if (!st && errno == EPERM)
		cr_skip_test("BPF is not permitted: %s", sync_timer_last_error());
	cr_assert(st, "sync_timer_start: %s", sync_timer_last_error());
	return st;
}

double bpf_test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bpf_test_sleep(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int bpf_test_sysctl_get(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	cr_assert(f, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fscanf(f, "%d", &v), 1, "read %s", path);
	fclose(f);
	return v;
}

void bpf_test_sysctl_set(const char *path, int value)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "open %s: %s", path, strerror(errno));
	fprintf(f, "%d\n", value);
	cr_assert_eq(fclose(f), 0, "write %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------ CPU hotplug */

#define CPU_SYSFS "/sys/devices/system/cpu"

static void cpu_online_path(int cpu, char *path, size_t len)
{
	snprintf(path, len, CPU_SYSFS "/cpu%d/online", cpu);
}

/* Writes 0 or 1 to cpuN/online; 0 or -errno. */
static int write_cpu_online(int cpu, int online)
{
	char path[64];
	int fd, err = 0;

	cpu_online_path(cpu, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, online ? "1" : "0", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

/* 1 if cpuN/online says online, 0 if offline or unreadable. */
static int read_cpu_online(int cpu)
{
	char path[64];
	FILE *f;
	int on = 0;

	cpu_online_path(cpu, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &on) != 1)
		on = 0;
	fclose(f);
	return on == 1;
}

int bpf_test_hotplug_cpu(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	char path[64];
	int cpu;

	if (online < 2)
		cr_skip_test("CPU hotplug needs two online CPUs, this machine has %ld", online);
	for (cpu = (int)sysconf(_SC_NPROCESSORS_CONF) - 1; cpu > 0; cpu--) {
		cpu_online_path(cpu, path, sizeof(path));
		if (access(path, W_OK) == 0 && read_cpu_online(cpu))
			return cpu;
	}
	cr_skip_test("no online CPU but 0 can go offline here (no writable " CPU_SYSFS
		     "/cpuN/online): CPU hotplug is not testable");
	return -1;
}

static int guardian_fd = -1; /* our end of the guardian's pipe */

/* The guardian: waits for the pipe to close, then puts cpu back online. */
static void guard(int cpu, int rfd)
{
	char c;
	int tries;

	setsid();
	/* hold nothing of the test's but the pipe (not Criterion's own pipes) */
	if (rfd > 3)
		close_range(3, (unsigned)rfd - 1, 0);
	close_range((unsigned)rfd + 1, ~0U, 0);
	while (read(rfd, &c, 1) != 0 && errno == EINTR)
		;
	for (tries = 0; tries < 50 && write_cpu_online(cpu, 1); tries++)
		usleep(100 * 1000);
	_exit(0);
}

void bpf_test_cpu_offline(int cpu)
{
	int fds[2], err;
	pid_t pid;

	cr_assert_eq(guardian_fd, -1, "one CPU offline at a time");
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0, "pipe: %s", strerror(errno));
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* the guardian is a grandchild, so nobody has to reap it */
		close(fds[1]);
		if (fork() == 0)
			guard(cpu, fds[0]);
		_exit(0);
	}
	close(fds[0]);
	waitpid(pid, NULL, 0);
	guardian_fd = fds[1];
	err = write_cpu_online(cpu, 0);
	if (err == -EBUSY || err == -EPERM || err == -EINVAL)
		cr_skip_test("CPU %d cannot go offline here: %s", cpu, strerror(-err));
	cr_assert_eq(err, 0, "take CPU %d offline: %s", cpu, strerror(-err));
}

void bpf_test_cpu_online(int cpu)
{
	int err = write_cpu_online(cpu, 1);

	if (guardian_fd >= 0)
		close(guardian_fd);
	guardian_fd = -1;
	cr_assert_eq(err, 0, "put CPU %d back online: %s", cpu, strerror(-err));
}

/* ------------------------------------------------------------ BPF objects */

/* Fills ids/names with every program (is_prog) or map alive; returns the count. */
static int walk_objs(bool is_prog, uint32_t *ids, char (*names)[16])
{
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
	} info;
	uint32_t id = 0, len;
	int n = 0, fd;

	while (n < BPF_TEST_MAX_OBJS &&
	       (is_prog ? bpf_prog_get_next_id(id, &id) : bpf_map_get_next_id(id, &id)) == 0) {
		ids[n] = id;
		names[n][0] = '\0';
		fd = is_prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);
		memset(&info, 0, sizeof(info));
		len = is_prog ? sizeof(info.prog) : sizeof(info.map);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			snprintf(names[n], 16, "%s", is_prog ? info.prog.name : info.map.name);
		if (fd >= 0)
			close(fd);
		n++;
	}
	return n;
}

void bpf_test_snapshot(struct bpf_test_objs *out)
{
	out->nprogs = walk_objs(true, out->prog_ids, out->prog_names);
	out->nmaps = walk_objs(false, out->map_ids, out->map_names);
}

static bool has_id(const uint32_t *ids, int n, uint32_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void bpf_test_new_objs(struct bpf_test_objs *now, const struct bpf_test_objs *before)
{
	int i, n = 0;

	for (i = 0; i < now->nprogs; i++) {
		if (has_id(before->prog_ids, before->nprogs, now->prog_ids[i]))
			continue;
		now->prog_ids[n] = now->prog_ids[i];
		memcpy(now->prog_names[n++], now->prog_names[i], 16);
	}
	now->nprogs = n;
	n = 0;
	for (i = 0; i < now->nmaps; i++) {
		if (has_id(before->map_ids, before->nmaps, now->map_ids[i]))
			continue;
		now->map_ids[n] = now->map_ids[i];
		memcpy(now->map_names[n++], now->map_names[i], 16);
	}
	now->nmaps = n;
}

static bool has_name(const char (*names)[16], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

bool bpf_test_has_prog(const struct bpf_test_objs *objs, const char *name)
{
	return has_name(objs->prog_names, objs->nprogs, name);
}

bool bpf_test_has_map(const struct bpf_test_objs *objs, const char *name)
{
	return has_name(objs->map_names, objs->nmaps, name);
}

/* Objects of *now that are ours: same id, or new since *before with our name. */
static int count_left(const struct bpf_test_objs *now, const struct bpf_test_objs *ours,
		      char *msg, int msg_len)
{
	int i, left = 0, used = 0;

	for (i = 0; i < now->nprogs; i++) {
		if (!has_id(ours->prog_ids, ours->nprogs, now->prog_ids[i]) &&
		    !bpf_test_has_prog(ours, now->prog_names[i]))
			continue;
		left++;
		if (used < msg_len)
			used += snprintf(msg + used, (size_t)(msg_len - used), " prog %u %s",
					 now->prog_ids[i], now->prog_names[i]);
	}
	for (i = 0; i < now->nmaps; i++) {
		if (!has_id(ours->map_ids, ours->nmaps, now->map_ids[i]) &&
		    !bpf_test_has_map(ours, now->map_names[i]))
			continue;
		left++;
		if (used < msg_len)
			used += snprintf(msg + used, (size_t)(msg_len - used), " map %u %s",
					 now->map_ids[i], now->map_names[i]);
	}
	return left;
}

int bpf_test_wait_gone(const struct bpf_test_objs *ours, const struct bpf_test_objs *before,
		       double timeout_s, char *msg, int msg_len)
{
	static struct bpf_test_objs now;
	double end = bpf_test_now() + timeout_s;
	int left;

	for (;;) {
		msg[0] = '\0';
		bpf_test_snapshot(&now);
		bpf_test_new_objs(&now, before);
		left = count_left(&now, ours, msg, msg_len);
		if (!left || bpf_test_now() > end)
			return left;
		bpf_test_sleep(0.05);
	}
}
