/*
 * clients/synctimer-collect as its users run it: the binary, its options and
 * exit codes, its JSON report on the real kernel, its progress line, and a
 * clean stop on SIGINT / SIGTERM that still reports and leaves nothing of
 * ours behind. Needs root for the runs; --help and bad usage need nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bpf_test_util.h"

#ifndef COLLECT_BIN
#define COLLECT_BIN "build/bpf/synctimer-collect"
#endif

struct run {
	char out[1 << 16], err[1 << 14];
	size_t nout, nerr;
	int status;      /* waitpid status */
	double seconds;  /* from start to exit */
};

/* Appends what fd has to buf (NUL-terminated); false at EOF. */
static bool drain(int fd, char *buf, size_t cap, size_t *n)
{
	ssize_t r = read(fd, buf + *n, cap - 1 - *n);

	if (r <= 0)
		return r < 0 && errno == EINTR;
	*n += (size_t)r;
	buf[*n] = '\0';
	return *n < cap - 1;
}

/*
 * Runs the collector with args (NULL-terminated), sending sig after
 * signal_after seconds (0: none); fails the test if it has not exited after
 * timeout seconds (and kills it).
 */
static void run_collect(struct run *r, const char *const *args, int sig, double signal_after,
			double timeout)
{
	const char *argv[16] = { COLLECT_BIN };
	int out[2], err[2], i, open_fds = 2;
	double start = bpf_test_now(), now;
	bool signalled = false;
	pid_t pid;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	memset(r, 0, sizeof(*r));
	cr_assert(access(COLLECT_BIN, X_OK) == 0, COLLECT_BIN " is not built");
	cr_assert(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execv(COLLECT_BIN, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (open_fds > 0) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };

		now = bpf_test_now();
		if (sig && !signalled && now - start >= signal_after) {
			kill(pid, sig);
			signalled = true;
		}
		if (now - start > timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			cr_assert_fail("synctimer-collect still running after %.1f s", timeout);
		}
		if (poll(p, 2, 50) <= 0)
			continue;
		if (p[0].fd >= 0 && (p[0].revents & (POLLIN | POLLHUP)) &&
		    !drain(out[0], r->out, sizeof(r->out), &r->nout)) {
			close(out[0]);
			out[0] = -1;
			open_fds--;
		}
		if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP)) &&
		    !drain(err[0], r->err, sizeof(r->err), &r->nerr)) {
			close(err[0]);
			err[0] = -1;
			open_fds--;
		}
	}
	cr_assert_eq(waitpid(pid, &r->status, 0), pid);
	r->seconds = bpf_test_now() - start;
}

static int exit_code(const struct run *r)
{
	cr_assert(WIFEXITED(r->status), "synctimer-collect died of signal %d; stderr:\n%s",
		  WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0, r->err);
	return WEXITSTATUS(r->status);
}

/* The number after "key": in s, or -1. */
static double json_number(const char *s, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* ------------------------------------------------------------ usage */

TestSuite(collect_usage, .timeout = 30);

Test(collect_usage, help_prints_every_option_and_exits_0)
{
	static const char *const args[] = { "--help", NULL };
	static const char *const options[] = { "--subscribers", "--duration", "--interval-us",
					       "--mode", "--json", "--verbose", "--help" };
	static struct run r;

	run_collect(&r, args, 0, 0, 10);
	cr_expect_eq(exit_code(&r), 0);
	cr_expect(strstr(r.out, "Usage:"), "no usage on stdout: %s", r.out);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		cr_expect(strstr(r.out, options[i]), "--help does not mention %s", options[i]);
}

Test(collect_usage, bad_arguments_exit_2_naming_the_problem)
{
	static const struct {
		const char *args[3];
		const char *says;
	} cases[] = {
		{ { "--subscribers", "65", NULL }, "--subscribers: want 1..64, got '65'" },
		{ { "--subscribers", "0", NULL }, "--subscribers: want 1..64, got '0'" },
		{ { "--subscribers", "2x", NULL }, "--subscribers: want 1..64, got '2x'" },
		{ { "--duration", "0", NULL }, "--duration: want seconds > 0, got '0'" },
		{ { "--duration", "-1", NULL }, "--duration: want seconds > 0, got '-1'" },
		{ { "--interval-us", "abc", NULL }, "--interval-us: want microseconds > 0, got 'abc'" },
		{ { "--mode", "fast", NULL }, "--mode: want auto, modern, intermediate or legacy, got 'fast'" },
		{ { "--bogus", NULL }, "Usage:" },
		{ { "extra", NULL }, "unexpected argument 'extra'" },
	};
	static struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_collect(&r, cases[i].args, 0, 0, 10);
		cr_expect_eq(exit_code(&r), 2, "%s %s: exit %d", cases[i].args[0],
			     cases[i].args[1] ? cases[i].args[1] : "", exit_code(&r));
		cr_expect(strstr(r.err, cases[i].says), "%s: stderr says:\n%s", cases[i].args[0], r.err);
		cr_expect_eq(r.nout, 0, "%s: wrote to stdout:\n%s", cases[i].args[0], r.out);
	}
}

Test(collect_usage, an_interval_below_the_minimum_is_refused_with_the_reason)
{
	static const char *const args[] = { "--interval-us", "0.5", "--duration", "1", NULL };
	static struct run r;

	run_collect(&r, args, 0, 0, 10);
	cr_expect_eq(exit_code(&r), 1);
	cr_expect(strstr(r.err, "below the minimum of 1000 ns"), "stderr:\n%s", r.err);
}

/* ------------------------------------------------------------ runs */

TestSuite(collect, .init = bpf_test_setup, .timeout = 60);

/* Every online CPU's object in the report: two subscribers that each saw
   most ticks, the delays, no migration. */
static void check_cpus(const char *json, int subscribers, double min_delivery)
{
	const char *p = json;
	int cpus = 0;

	while ((p = strstr(p, "{\"cpu\":")) != NULL) {
		int cpu = (int)strtol(p + 7, NULL, 10);
		double expected = json_number(p, "expected"), delivery = json_number(p, "delivery_pct");
		const char *seen = strstr(p, "\"seen\":[");
		char *end;

		cr_assert(seen, "no seen[] for CPU %d", cpu);
		seen += 8;
		for (int i = 0; i < subscribers; i++) {
			double n = strtod(seen, &end);

			cr_assert_neq(end, seen, "CPU %d: seen[] has fewer than %d entries", cpu, subscribers);
			cr_expect_geq(n, min_delivery / 100 * expected, "CPU %d subscriber %d: %.0f of %.0f",
				      cpu, i, n, expected);
			cr_expect_leq(n, expected, "CPU %d subscriber %d: %.0f ticks for %.0f boundaries",
				      cpu, i, n, expected);
			seen = end + 1;
		}
		cr_expect_eq(seen[-1], ']', "CPU %d: seen[] has more than %d entries", cpu, subscribers);
		cr_expect_geq(delivery, min_delivery, "CPU %d: delivery %.2f%%", cpu, delivery);
		cr_expect_eq(json_number(p, "migrations"), 0, "CPU %d: migrations", cpu);
		cr_expect_gt(json_number(p, "p50"), 0, "CPU %d: no delay", cpu);
		cpus++;
		p++;
	}
	cr_expect_eq(cpus, (int)sysconf(_SC_NPROCESSORS_ONLN), "%d CPUs in the report", cpus);
}

Test(collect, json_report_of_two_subscribers_and_a_progress_line)
{
	static const char *const args[] = { "--json", "--subscribers", "2", "--duration", "1.5", NULL };
	static struct run r;

	run_collect(&r, args, 0, 0, 20);
	cr_assert_eq(exit_code(&r), 0, "stderr:\n%s", r.err);
	cr_expect(strstr(r.err, "collecting:"), "no progress line on stderr:\n%s", r.err);
	cr_assert_eq(r.out[0], '{', "not JSON:\n%s", r.out);
	cr_expect_eq(r.out[r.nout - 2], '}', "JSON not closed:\n%s", r.out);
	cr_expect_eq(json_number(r.out, "subscribers"), 2);
	cr_expect_eq(json_number(r.out, "interval_ns"), 1000000);
	cr_expect_eq(json_number(r.out, "duration_s"), 1.5);
	check_cpus(r.out, 2, 90);
	cr_expect_eq(json_number(r.out, "dropped"), 0, "events dropped");
}

/* A signal stops it early: exit 0, a report of the time it ran, and no
   program or map of ours left. */
static void stops_on(int sig)
{
	static const char *const args[] = { "--json", "--duration", "30", NULL };
	static const char *const progs[] = { "collect_tick", "sync_timer_init" };
	static const char *const maps[] = { "sync_timer_bitm", "sync_timer_stat" };
	static struct bpf_test_objs before, ours;
	static struct run r;
	char msg[512];
	double ran;
	size_t i;

	/* what is ours: these names, in any object created from now on */
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		snprintf(ours.prog_names[ours.nprogs++], 16, "%s", progs[i]);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		snprintf(ours.map_names[ours.nmaps++], 16, "%s", maps[i]);
	bpf_test_snapshot(&before);
	run_collect(&r, args, sig, 1.0, 10);
	cr_assert_eq(exit_code(&r), 0, "after signal %d; stderr:\n%s", sig, r.err);
	ran = json_number(r.out, "duration_s");
	cr_expect(ran > 0.5 && ran < 2, "reported %.3f s for a run stopped after ~1 s", ran);
	check_cpus(r.out, 1, 90);
	cr_expect_eq(bpf_test_wait_gone(&ours, &before, 5.0, msg, sizeof(msg)), 0,
		     "left after signal %d:%s", sig, msg);
}

Test(collect, sigint_stops_it_early_and_it_still_reports)
{
	stops_on(SIGINT);
}

Test(collect, sigterm_stops_it_early_and_it_still_reports)
{
	stops_on(SIGTERM);
}
