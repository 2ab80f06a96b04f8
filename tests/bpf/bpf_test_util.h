/* Helpers shared by the BPF sync-timer tests (tests/bpf). */
#ifndef TESTS_BPF_TEST_UTIL_H
#define TESTS_BPF_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

struct sync_timer;
struct sync_timer_opts;

/* Suite set-up: skips the test (saying why) unless we are root and BPF is
   permitted; mounts tracefs at /sys/kernel/tracing if it is not there. */
void bpf_test_setup(void);

/* sync_timer_start, failing the test with the library's message. */
struct sync_timer *bpf_test_start(uint64_t interval_ns, const struct sync_timer_opts *opts);

/* Seconds of CLOCK_MONOTONIC. */
double bpf_test_now(void);
void bpf_test_sleep(double seconds);

/* Reads / writes an integer sysctl under /proc/sys; fails the test on error. */
int bpf_test_sysctl_get(const char *path);
void bpf_test_sysctl_set(const char *path, int value);

/*
 * CPU hotplug. bpf_test_hotplug_cpu returns the highest online CPU other
 * than 0 that can go offline (its cpuN/online is writable), or skips the
 * test saying why. bpf_test_cpu_offline takes it offline and starts a
 * guardian process that puts it back online when this process ends, however
 * it ends (a failed assertion, a crash, a timeout's SIGKILL);
 * bpf_test_cpu_online puts it back at once.
 */
int bpf_test_hotplug_cpu(void);
void bpf_test_cpu_offline(int cpu);
void bpf_test_cpu_online(int cpu);

/* The BPF programs and maps alive in the kernel: ids and names. */
#define BPF_TEST_MAX_OBJS 4096
struct bpf_test_objs {
	int nprogs, nmaps;
	uint32_t prog_ids[BPF_TEST_MAX_OBJS], map_ids[BPF_TEST_MAX_OBJS];
	char prog_names[BPF_TEST_MAX_OBJS][16], map_names[BPF_TEST_MAX_OBJS][16];
};

/* Walks bpf_prog_get_next_id / bpf_map_get_next_id. */
void bpf_test_snapshot(struct bpf_test_objs *out);

/* Keeps in *now only the objects that are not in *before. */
void bpf_test_new_objs(struct bpf_test_objs *now, const struct bpf_test_objs *before);

/* True if *objs has a program (or map) of this name. */
bool bpf_test_has_prog(const struct bpf_test_objs *objs, const char *name);
bool bpf_test_has_map(const struct bpf_test_objs *objs, const char *name);

/*
 * Waits up to timeout_s for every object of *ours to go: none of their ids
 * alive, and no object created since *before with one of their names.
 * Returns the number left (0 = clean); names them in msg.
 */
int bpf_test_wait_gone(const struct bpf_test_objs *ours, const struct bpf_test_objs *before,
		       double timeout_s, char *msg, int msg_len);

#endif /* TESTS_BPF_TEST_UTIL_H */
