/*
 * clients/sync_timer_collect as its users run it: the binary, its options and
 * exit codes, its JSON and text reports on the real kernel (with the skew
 * across CPUs), its --csv and --plot files, its progress line, and a clean
 * stop on SIGINT / SIGTERM that still reports and leaves nothing of ours
 * behind. Needs root for the runs; --help and bad usage need nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bpf_test_util.h"

#ifndef COLLECT_BIN
#define COLLECT_BIN "build/bpf/sync_timer_collect"
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
			cr_assert_fail("sync_timer_collect still running after %.1f s", timeout);
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
	cr_assert(WIFEXITED(r->status), "sync_timer_collect died of signal %d; stderr:\n%s",
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
					       "--mode", "--json", "--csv", "--plot", "--verbose",
					       "--help" };
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
		const char *args[5];
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
		{ { "--csv", NULL }, "option '--csv' requires an argument" },
		{ { "--plot", NULL }, "option '--plot' requires an argument" },
		{ { "--csv", "--json", NULL }, "--csv: want a file name, got '--json'" },
		{ { "--csv", "", NULL }, "--csv: want a file name, got ''" },
		{ { "--csv", "/nonexistent-dir/x.csv", NULL },
		  "--csv: cannot write '/nonexistent-dir/x.csv': No such file or directory" },
		{ { "--plot", "/nonexistent-dir/x.png", NULL },
		  "--plot: cannot write '/nonexistent-dir/x.png': No such file or directory" },
		{ { "--csv", "/dev/null", "--duration", "100000", NULL },
		  "--csv: keeping every boundary of 100000 s" },
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

Test(collect_usage, plot_without_gnuplot_on_path_exits_2_saying_so)
{
	static const char *const args[] = { "--plot", "/dev/null", NULL };
	static struct run r;

	setenv("PATH", "/nonexistent-dir", 1);  /* this test's own process */
	run_collect(&r, args, 0, 0, 10);
	cr_expect_eq(exit_code(&r), 2);
	cr_expect(strstr(r.err, "--plot: gnuplot not found on PATH"), "stderr:\n%s", r.err);
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

/* The skew_us object of a JSON report: p50 <= p99 <= max, over most boundaries. */
static void check_skew_json(const char *json, double min_boundaries)
{
	const char *sk = strstr(json, "\"skew_us\":{");
	double p50, p99, max, n;

	cr_assert(sk, "no skew_us in the report:\n%s", json);
	p50 = json_number(sk, "p50");
	p99 = json_number(sk, "p99");
	max = json_number(sk, "max");
	n = json_number(sk, "boundaries");
	cr_expect(p50 >= 0 && p50 <= p99 && p99 <= max, "skew p50 %.1f p99 %.1f max %.1f", p50, p99,
		  max);
	cr_expect_geq(n, min_boundaries, "skew over %.0f boundaries", n);
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
	check_skew_json(r.out, sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1300 : 0);
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

/* ------------------------------------------------------------ skew, --csv, --plot */

/* Runs the collector with args, whose NULL slot at args[at] becomes path:
   file in a fresh directory dir (removed by rm_tmp); it must exit 0. */
static void run_to_file(struct run *r, const char **args, int at, char *dir, char *path,
			const char *file, double timeout)
{
	strcpy(dir, "/tmp/test_collect-XXXXXX");
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(path, 128, "%s/%s", dir, file);
	args[at] = path;
	run_collect(r, args, 0, 0, timeout);
	cr_assert_eq(exit_code(r), 0, "stderr:\n%s", r->err);
}

static void rm_tmp(const char *dir, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	unlink(path);
	rmdir(dir);
}

Test(collect, csv_has_a_header_and_a_row_per_boundary_that_parse)
{
	static const char *args[] = { "--json", "--subscribers", "2", "--duration", "1.5",
				      "--csv", NULL, NULL };
	int ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN), fields = 2 + 2 * ncpus + 2;
	static char line[1 << 14], dir[64], path[128];
	double max_skew = 0, json_max;
	long rows = 0, with_skew = 0;
	unsigned long long prev = 0;
	static struct run r;
	FILE *f;

	run_to_file(&r, args, 6, dir, path, "ticks.csv", 20);
	f = fopen(path, "r");
	cr_assert(f, "no %s: %s", path, strerror(errno));
	cr_assert(fgets(line, sizeof(line), f), "empty CSV");
	cr_expect(strncmp(line, "boundary_ns,t_s,cpu0_delay_us,cpu0_seen,", 40) == 0, "header: %s", line);
	cr_expect(strstr(line, ",cpus_seen,skew_us\n"), "header: %s", line);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		char col[64];

		snprintf(col, sizeof(col), ",cpu%d_delay_us,cpu%d_seen,", cpu, cpu);
		cr_expect(strstr(line, col), "header has no %s: %s", col, line);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		int field = 0, seen = 0, cpus_seen = -1;
		unsigned long long boundary = strtoull(p, &end, 10);

		cr_assert_eq(*end, ',', "row %ld: boundary_ns: %s", rows, line);
		if (rows)
			cr_expect_eq(boundary - prev, 1000000ULL, "row %ld: boundaries %llu, %llu", rows,
				     prev, boundary);
		prev = boundary;
		for (p = line; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL, field++) {
			bool empty = *p == ',' || *p == '\n';
			double v = strtod(p, &end);

			if (field >= 2 && field < 2 + 2 * ncpus && field % 2 == 0) {  /* delay */
				char *next = strchr(p, ',');
				int s = next ? (int)strtol(next + 1, NULL, 10) : -1;

				cr_expect(s == 0 || s == 1, "row %ld CPU %d: seen %d", rows, (field - 2) / 2, s);
				cr_expect(s ? (!empty && (*end == ',') && v >= 0 && v < 1000) : empty,
					  "row %ld CPU %d: seen %d, delay '%.12s'", rows, (field - 2) / 2, s, p);
				seen += s == 1;
			} else if (field == fields - 2) {
				cpus_seen = (int)v;
			} else if (field == fields - 1 && !empty) {
				cr_expect(*end == '\n' && v >= 0 && v < 1000, "row %ld: skew '%s'", rows, p);
				max_skew = v > max_skew ? v : max_skew;
				with_skew++;
			} else if (field < 2) {
				cr_expect(!empty && *end == ',', "row %ld field %d: '%s'", rows, field, p);
			}
		}
		cr_expect_eq(field, fields, "row %ld: %d fields, want %d: %s", rows, field, fields, line);
		cr_expect_eq(cpus_seen, seen, "row %ld: cpus_seen %d, %d CPUs seen", rows, cpus_seen, seen);
		rows++;
	}
	fclose(f);
	rm_tmp(dir, "ticks.csv");
	cr_expect(rows >= 1495 && rows <= 1500, "%ld rows for 1.5 s at 1 ms", rows);
	cr_expect_geq(with_skew, ncpus > 1 ? rows * 9 / 10 : 0, "%ld of %ld rows with a skew",
		      with_skew, rows);
	check_skew_json(r.out, ncpus > 1 ? 0.9 * rows : 0);
	json_max = json_number(strstr(r.out, "\"skew_us\":{"), "max");
	cr_expect(json_max > max_skew - 0.06 && json_max < max_skew + 0.06,
		  "JSON skew max %.1f, CSV's %.3f", json_max, max_skew);
}

Test(collect, plot_writes_a_png)
{
	static const char *args[] = { "--duration", "1", "--plot", NULL, NULL };
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static char dir[64], path[128];
	unsigned char head[8] = { 0 };
	static struct run r;
	struct stat st;
	FILE *f;

	run_to_file(&r, args, 3, dir, path, "ticks.png", 30);
	cr_assert_eq(stat(path, &st), 0, "no %s", path);
	f = fopen(path, "rb");
	cr_assert(f);
	cr_expect_eq(fread(head, 1, 8, f), 8);
	fclose(f);
	rm_tmp(dir, "ticks.png");
	cr_expect(memcmp(head, sig, 8) == 0, "not a PNG");
	/* three panels of points: an empty canvas with only the title is ~13 KB */
	cr_expect_gt(st.st_size, 30000, "%s is %lld bytes", path, (long long)st.st_size);
	cr_expect(strstr(r.out, "skew across CPUs per boundary"), "report:\n%s", r.out);
}

Test(collect, text_report_has_the_skew_line)
{
	static const char *const args[] = { "--duration", "1", NULL };
	static struct run r;
	double p50 = -1, p99 = -1, max = -1;
	unsigned long long n = 0;
	const char *line;

	run_collect(&r, args, 0, 0, 20);
	cr_assert_eq(exit_code(&r), 0, "stderr:\n%s", r.err);
	line = strstr(r.out, "skew across CPUs per boundary: p50 ");
	cr_assert(line, "no skew line:\n%s", r.out);
	cr_expect_eq(sscanf(line, "skew across CPUs per boundary: p50 %lf us, p99 %lf us, max %lf us "
			    "(%llu boundaries", &p50, &p99, &max, &n), 4, "%s", line);
	cr_expect(p50 >= 0 && p50 <= p99 && p99 <= max, "skew line: %s", line);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		cr_expect_geq(n, 900, "skew line: %s", line);
}

/* gnuplot that fails: exit 1 after the report, its message and ours on
   stderr, and the temporary data and script files gone. A fake gnuplot
   first on PATH records the files it was given. */
Test(collect, a_failing_gnuplot_exits_1_and_leaves_no_temporary_file)
{
	static const char *args[] = { "--duration", "0.5", "--plot", NULL, NULL };
	static char dir[64], path[128], fake[160], record[160], plain[160], env[4096], line[256];
	static const char temp_prefix[] = "/tmp/sync_timer_collect-";
	static struct run r;
	int files = 0;
	FILE *f;

	strcpy(dir, "/tmp/test_collect-XXXXXX");
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/ticks.png", dir);
	snprintf(fake, sizeof(fake), "%s/gnuplot", dir);
	snprintf(record, sizeof(record), "%s/given", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	f = fopen(fake, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\necho \"$1\" > '%s'\n"
		   "sed -n \"s/^data = '\\(.*\\)'\\$/\\1/p\" \"$1\" >> '%s'\n"
		   "grep -q '^set terminal pngcairo noenhanced' \"$1\" && touch '%s'\n"
		   "echo 'fake gnuplot fails' >&2\nexit 3\n", record, record, plain);
	fclose(f);
	cr_assert_eq(chmod(fake, 0755), 0);
	snprintf(env, sizeof(env), "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", env, 1);  /* this test's own process */
	args[3] = path;
	run_collect(&r, args, 0, 0, 20);
	cr_expect_eq(exit_code(&r), 1, "stderr:\n%s", r.err);
	cr_expect(strstr(r.out, "skew across CPUs per boundary"), "no report:\n%s", r.out);
	cr_expect(strstr(r.err, "fake gnuplot fails"), "stderr:\n%s", r.err);
	cr_expect(strstr(r.err, "--plot: gnuplot failed (exit 3) drawing '"), "stderr:\n%s", r.err);
	f = fopen(record, "r");
	cr_assert(f, "the fake gnuplot did not run");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		cr_expect(strncmp(line, temp_prefix, sizeof(temp_prefix) - 1) == 0, "given '%s'", line);
		cr_expect(access(line, F_OK) != 0 && errno == ENOENT, "%s left behind", line);
		files++;
	}
	fclose(f);
	cr_expect_eq(files, 2, "the fake gnuplot saw %d files (script, data)", files);
	/* titles hold '_' (sync_timer_collect): enhanced text would make them subscripts */
	cr_expect_eq(access(plain, F_OK), 0, "the script's terminal is not noenhanced");
	unlink(plain);
	unlink(record);
	unlink(fake);
	unlink(path);
	rmdir(dir);
}
