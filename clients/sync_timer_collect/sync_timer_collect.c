// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sync_timer_collect: starts the shared sync timer, loads N subscribers
 * (sync_timer_collect.bpf.c) sharing it, collects their ticks for a while and
 * prints per CPU: ticks expected, ticks seen per subscriber, delivery %,
 * delay after the aligned boundary (p50 / p99 / max), missed ticks and
 * migrations, and the skew across CPUs per boundary. --csv writes one row per
 * boundary, --plot draws it with gnuplot. Needs root and tracefs at
 * /sys/kernel/tracing.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libsync_timer.h"
#include "sync_timer_collect.h"
#include "sync_timer_collect.skel.h"

#define MAX_SUBSCRIBERS ((int)SYNC_TIMER_MAX_SUBSCRIBERS)
/* The per-boundary table (one uint32 per boundary and CPU) stays under this. */
#define MAX_CELLS (32ULL << 20)
#define NOT_SEEN UINT32_MAX

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

struct options {
	int subscribers;
	double duration_s;
	uint64_t interval_ns;
	int mode;
	bool json, verbose, cost;  /* cost: the timer callback times itself */
	const char *csv, *plot;  /* --csv FILE, --plot FILE.png */
	FILE *csv_file;          /* opened while parsing: a bad path fails before the run */
};

/* What one CPU saw during the window. */
struct cpu_report {
	uint64_t seen[MAX_SUBSCRIBERS];  /* ticks each subscriber consumed */
	uint64_t migrations;             /* entries set by this CPU's timer, seen elsewhere */
	uint32_t *delays_ns;             /* every subscriber's delay after the boundary */
	size_t ndelays, cap;
	struct sync_timer_cpu_stats start, end;
};

struct collector {
	struct options opt;
	struct sync_timer *st;
	struct sync_timer_collect_bpf *subs[MAX_SUBSCRIBERS];
	int ids[MAX_SUBSCRIBERS];
	int nsubs, ncpus;
	struct ring_buffer *rb;
	uint64_t window_start, window_end;  /* CLOCK_MONOTONIC ns */
	struct cpu_report *cpus;
	uint64_t out_of_memory;
	/* subscriber 0's delay per boundary and CPU: table[k * ncpus + cpu] is
	   boundary window_start + (k + 1) * interval; NOT_SEEN where it missed */
	uint32_t *table;
	uint64_t nboundaries;  /* rows allocated */
	/* subscriber 0's kernel.bpf_stats_enabled figures over the window */
	uint64_t run_time_ns[2], run_cnt[2];
};

/* Which subscriber a ring buffer belongs to. */
static struct sub_ctx {
	struct collector *c;
	int index;
} sub_ctx[MAX_SUBSCRIBERS];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ arguments */

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"Start the shared BPF sync timer, attach N subscribers that share it, and\n"
		"report per CPU how the ticks arrived. Needs root and tracefs mounted at\n"
		"/sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing).\n"
		"\n"
		"  -n, --subscribers N   subscriber instances sharing the timer (1..%d, default 1)\n"
		"  -d, --duration S      seconds to collect (default 10; SIGINT/SIGTERM stop early)\n"
		"  -i, --interval-us US  tick interval in microseconds (default 1000)\n"
		"  -m, --mode MODE       auto (default), modern, intermediate or legacy\n"
		"  -j, --json            print the report as JSON on stdout\n"
		"  -c, --csv FILE        write one row per tick boundary: each CPU's delay (us)\n"
		"                        and whether it saw the tick, and the skew across CPUs\n"
		"  -p, --plot FILE.png   draw delay distribution per CPU, delay and skew over\n"
		"                        time, missed ticks marked (needs gnuplot)\n"
		"  -t, --cost            let the timer callback time itself and report its\n"
		"                        cost per tick (one more clock read per tick)\n"
		"  -v, --verbose         print libbpf's debug messages\n"
		"  -h, --help            print this help\n",
		prog, MAX_SUBSCRIBERS);
}

static int parse_mode(const char *s)
{
	uint32_t m;

	if (strcmp(s, "auto") == 0)
		return SYNC_TIMER_MODE_AUTO;
	for (m = 0; sync_timer_mode_name(m); m++)
		if (strcasecmp(s, sync_timer_mode_name(m)) == 0)
			return (int)m;
	return -2;
}

/* An output file name: not empty, not an option swallowed as one. */
static int output_arg(const char *opt, const char *arg)
{
	if (!*arg || arg[0] == '-') {
		fprintf(stderr, "%s: want a file name, got '%s'\n", opt, arg);
		return -1;
	}
	return 0;
}

/* Whether an executable named name is in a directory of $PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;
	char file[4096];

	for (p = path ? path : "/usr/bin:/bin"; *p; p = *colon ? colon + 1 : colon) {
		colon = strchrnul(p, ':');
		snprintf(file, sizeof(file), "%.*s/%s", (int)(colon - p), colon == p ? "." : p, name);
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}

/* Returns 0, 1 (help printed: exit 0) or -1 (bad usage: message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "subscribers", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "plot", required_argument, NULL, 'p' },
		{ "cost", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	double us;
	int ch;

	*o = (struct options){ .subscribers = 1, .duration_s = 10, .interval_ns = 1000000,
			       .mode = SYNC_TIMER_MODE_AUTO };
	while ((ch = getopt_long(argc, argv, "n:d:i:m:jc:p:tvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o->subscribers = (int)strtol(optarg, &end, 10);
			if (*end || o->subscribers < 1 || o->subscribers > MAX_SUBSCRIBERS) {
				fprintf(stderr, "--subscribers: want 1..%d, got '%s'\n",
					MAX_SUBSCRIBERS, optarg);
				return -1;
			}
			break;
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end || !(o->duration_s > 0)) {
				fprintf(stderr, "--duration: want seconds > 0, got '%s'\n", optarg);
				return -1;
			}
			break;
		case 'i':
			us = strtod(optarg, &end);
			if (*end || !(us > 0)) {
				fprintf(stderr, "--interval-us: want microseconds > 0, got '%s'\n", optarg);
				return -1;
			}
			o->interval_ns = (uint64_t)llround(us * 1000.0);
			break;
		case 'm':
			o->mode = parse_mode(optarg);
			if (o->mode == -2) {
				fprintf(stderr, "--mode: want auto, modern, intermediate or legacy, got '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			if (output_arg("--csv", optarg))
				return -1;
			o->csv = optarg;
			break;
		case 'p':
			if (output_arg("--plot", optarg))
				return -1;
			o->plot = optarg;
			break;
		case 't':
			o->cost = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 1;
		default:
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		usage(stderr, argv[0]);
		return -1;
	}
	if (o->plot && !on_path("gnuplot")) {
		fprintf(stderr, "--plot: gnuplot not found on PATH (install it, e.g. apt-get install "
			"gnuplot-nox)\n");
		return -1;
	}
	if (o->csv || o->plot) {
		uint64_t rows = (uint64_t)(o->duration_s * 1e9) / o->interval_ns + 1;
		int ncpus = libbpf_num_possible_cpus();

		if (ncpus > 0 && rows * (uint64_t)ncpus > MAX_CELLS) {
			fprintf(stderr, "%s: keeping every boundary of %.0f s at %.1f us on %d CPUs "
				"is %llu cells, more than %llu; shorten --duration or lengthen "
				"--interval-us\n", o->csv ? "--csv" : "--plot", o->duration_s,
				o->interval_ns / 1000.0, ncpus,
				(unsigned long long)(rows * (uint64_t)ncpus), MAX_CELLS);
			return -1;
		}
	}
	if (o->csv) {
		o->csv_file = fopen(o->csv, "w");
		if (!o->csv_file) {
			fprintf(stderr, "--csv: cannot write '%s': %s\n", o->csv, strerror(errno));
			return -1;
		}
	}
	if (o->plot) {
		FILE *f = fopen(o->plot, "w");  /* gnuplot overwrites it after the run */

		if (!f) {
			fprintf(stderr, "--plot: cannot write '%s': %s\n", o->plot, strerror(errno));
			return -1;
		}
		fclose(f);
	}
	return 0;
}

/* ------------------------------------------------------------ events */

static void add_delay(struct collector *c, struct cpu_report *r, uint64_t delay_ns)
{
	uint32_t *grown;

	if (r->ndelays == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4096;
		grown = realloc(r->delays_ns, r->cap * sizeof(*grown));
		if (!grown) {
			c->out_of_memory++;
			r->cap /= 2;
			return;
		}
		r->delays_ns = grown;
	}
	r->delays_ns[r->ndelays++] = delay_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)delay_ns;
}

/* Counts an event whose boundary falls in the window (start, end]. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct sub_ctx *sc = ctx;
	struct collector *c = sc->c;
	const struct collect_event *ev = data;
	struct cpu_report *r;

	if (size < sizeof(*ev) || ev->boundary_ns <= c->window_start ||
	    ev->boundary_ns > c->window_end || ev->expected_cpu >= (uint32_t)c->ncpus)
		return 0;
	r = &c->cpus[ev->expected_cpu];
	if (ev->kind == COLLECT_EVENT_MIGRATION) {
		r->migrations++;
		return 0;
	}
	r->seen[sc->index]++;
	add_delay(c, r, ev->delay_ns);
	if (sc->index == 0 && c->table) {
		uint64_t k = (ev->boundary_ns - c->window_start) / c->opt.interval_ns - 1;

		if (k < c->nboundaries)
			c->table[k * (uint64_t)c->ncpus + ev->expected_cpu] =
				ev->delay_ns >= NOT_SEEN ? NOT_SEEN - 1 : (uint32_t)ev->delay_ns;
	}
	return 0;
}

/* ------------------------------------------------------------ set-up */

static int load_subscriber(struct collector *c, int i)
{
	struct sync_timer_collect_bpf *skel;
	int err;

	c->ids[i] = sync_timer_assign_id(c->st);
	if (c->ids[i] < 0) {
		fprintf(stderr, "Failed to get a subscriber id: %s\n", sync_timer_last_error());
		return c->ids[i];
	}
	skel = sync_timer_collect_bpf__open();
	if (!skel) {
		fprintf(stderr, "Failed to open subscriber %d: %s\n", i, strerror(errno));
		return -errno;
	}
	c->subs[i] = skel;
	skel->rodata->my_sync_timer_id = (uint32_t)c->ids[i];
	skel->rodata->interval_ns = c->opt.interval_ns;
	err = sync_timer_share_bitmap(c->st, skel->maps.sync_timer_bitmap);
	if (err) {
		fprintf(stderr, "Failed to share the bitmap: %s\n", sync_timer_last_error());
		return err;
	}
	err = sync_timer_collect_bpf__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load subscriber %d: %s\n", i, strerror(-err));
		return err;
	}
	err = sync_timer_collect_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "Failed to attach subscriber %d to tracepoint/timer/hrtimer_expire_exit: "
			"%s (is tracefs mounted? mount -t tracefs nodev /sys/kernel/tracing)\n",
			i, strerror(-err));
		return err;
	}
	sub_ctx[i] = (struct sub_ctx){ .c = c, .index = i };
	if (!c->rb)
		c->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &sub_ctx[i], NULL);
	else if (ring_buffer__add(c->rb, bpf_map__fd(skel->maps.events), on_event, &sub_ctx[i]))
		return -errno;
	if (!c->rb) {
		fprintf(stderr, "Failed to create the ring buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static int set_up(struct collector *c)
{
	struct sync_timer_opts opts = { .mode = c->opt.mode, .verbose = c->opt.verbose,
					.measure_cost = c->opt.cost };
	int i, err;

	c->st = sync_timer_start(c->opt.interval_ns, &opts);
	if (!c->st) {
		fprintf(stderr, "Failed to start the sync timer: %s\n", sync_timer_last_error());
		return -errno;
	}
	c->ncpus = sync_timer_nr_cpus(c->st);
	c->cpus = calloc((size_t)c->ncpus, sizeof(*c->cpus));
	if (!c->cpus) {
		fprintf(stderr, "Failed to allocate the report\n");
		return -ENOMEM;
	}
	/* the per-boundary table, if it fits: --csv and --plot need it (checked
	   in main), the skew figures use it when it is there */
	c->nboundaries = (uint64_t)(c->opt.duration_s * 1e9) / c->opt.interval_ns + 1;
	if (c->nboundaries * (uint64_t)c->ncpus <= MAX_CELLS) {
		c->table = malloc(c->nboundaries * (uint64_t)c->ncpus * sizeof(*c->table));
		if (!c->table) {
			fprintf(stderr, "Failed to allocate the per-boundary table\n");
			return -ENOMEM;
		}
		memset(c->table, 0xff, c->nboundaries * (uint64_t)c->ncpus * sizeof(*c->table));
	}
	for (i = 0; i < c->opt.subscribers; i++) {
		c->nsubs = i + 1;
		err = load_subscriber(c, i);
		if (err)
			return err;
	}
	return 0;
}

static void tear_down(struct collector *c)
{
	int i, cpu;

	ring_buffer__free(c->rb);
	for (i = 0; i < c->nsubs; i++)
		sync_timer_collect_bpf__destroy(c->subs[i]);
	sync_timer_destroy(c->st);
	for (cpu = 0; c->cpus && cpu < c->ncpus; cpu++)
		free(c->cpus[cpu].delays_ns);
	free(c->cpus);
	free(c->table);
}

/* ------------------------------------------------------------ the run */

static void progress(struct collector *c, uint64_t now, bool tty)
{
	uint64_t seen = 0;
	int cpu;

	for (cpu = 0; cpu < c->ncpus; cpu++)
		seen += c->cpus[cpu].seen[0];
	fprintf(stderr, "%scollecting: %5.1f / %.1f s, %llu ticks seen by subscriber 0%s",
		tty ? "\r" : "", (double)(now - c->window_start) / 1e9, c->opt.duration_s,
		(unsigned long long)seen, tty ? "" : "\n");
}

/* Subscriber 0's run_time_ns and run_cnt (0 unless kernel.bpf_stats_enabled). */
static void read_prog_stats(struct collector *c, int at)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(c->subs[0]->progs.collect_tick), &info, &len))
		return;
	c->run_time_ns[at] = info.run_time_ns;
	c->run_cnt[at] = info.run_cnt;
}

/* Collects until the window closes or a signal comes. */
static void run(struct collector *c)
{
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	bool tty = isatty(STDERR_FILENO);
	uint64_t now, next_progress;
	int cpu, steps = 0;

	/* let one tick pass so every subscriber is live, then open the window */
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	c->window_start = now_ns() / c->opt.interval_ns * c->opt.interval_ns;
	c->window_end = c->window_start + (uint64_t)(c->opt.duration_s * 1e9);
	for (cpu = 0; cpu < c->ncpus; cpu++)
		sync_timer_cpu_stats(c->st, cpu, &c->cpus[cpu].start);
	read_prog_stats(c, 0);
	next_progress = c->window_start + 1000000000ULL;
	while (!exiting && (now = now_ns()) < c->window_end) {
		nanosleep(&tick, NULL);
		ring_buffer__consume(c->rb);
		if (now >= next_progress) {
			progress(c, now, tty);
			next_progress += 1000000000ULL;
		}
		steps++;
	}
	if (exiting)
		c->window_end = now_ns() / c->opt.interval_ns * c->opt.interval_ns;
	/* the last boundary's events: give them a moment, then drain */
	nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	for (cpu = 0; cpu < c->ncpus; cpu++)
		sync_timer_cpu_stats(c->st, cpu, &c->cpus[cpu].end);
	read_prog_stats(c, 1);
	ring_buffer__consume(c->rb);
	if (tty && steps >= 10)
		fputc('\n', stderr);
}

/* ------------------------------------------------------------ the report */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) of sorted v[0..n), in µs; 0 for no data. */
static double quantile_us(const uint32_t *v, size_t n, double q)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	return v[rank - 1] / 1000.0;
}

struct cpu_summary {
	uint64_t expected, min_seen;
	double delivery, timer_delivery, p50, p99, max;
	uint64_t missed, overrun;
};

static struct cpu_summary summarize(const struct collector *c, struct cpu_report *r)
{
	uint64_t boundaries = (c->window_end - c->window_start) / c->opt.interval_ns;
	struct cpu_summary s = { .expected = boundaries, .min_seen = UINT64_MAX };
	int i;

	for (i = 0; i < c->nsubs; i++)
		if (r->seen[i] < s.min_seen)
			s.min_seen = r->seen[i];
	s.delivery = boundaries ? 100.0 * (double)s.min_seen / (double)boundaries : 0;
	qsort(r->delays_ns, r->ndelays, sizeof(*r->delays_ns), cmp_u32);
	s.p50 = quantile_us(r->delays_ns, r->ndelays, 0.50);
	s.p99 = quantile_us(r->delays_ns, r->ndelays, 0.99);
	s.max = quantile_us(r->delays_ns, r->ndelays, 1.0);
	s.missed = r->end.missed - r->start.missed;
	s.overrun = r->end.overrun - r->start.overrun;
	/* the timer's own: boundaries it did not skip, whether or not a
	   subscriber then saw the tick (comparable with a bare timer's) */
	s.timer_delivery = boundaries && s.missed < boundaries ?
		100.0 * (double)(boundaries - s.missed) / (double)boundaries : 0;
	return s;
}

/* Per-tick costs: the timer callback (its own clock) and subscriber 0
   (bpf_stats: per run, and per tick it consumed). Negative = not measured. */
struct costs {
	double timer_ns_per_tick, sub_ns_per_run, sub_ns_per_tick;
};

static struct costs costs(const struct collector *c)
{
	uint64_t cost = 0, ticks = 0, seen = 0, runs = c->run_cnt[1] - c->run_cnt[0];
	uint64_t run_time = c->run_time_ns[1] - c->run_time_ns[0];
	struct costs k = { -1, -1, -1 };
	int cpu;

	for (cpu = 0; cpu < c->ncpus; cpu++) {
		cost += c->cpus[cpu].end.cost_ns - c->cpus[cpu].start.cost_ns;
		ticks += c->cpus[cpu].end.ticks - c->cpus[cpu].start.ticks;
		seen += c->cpus[cpu].seen[0];
	}
	if (ticks && c->opt.cost)
		k.timer_ns_per_tick = (double)cost / (double)ticks;
	if (runs) {
		k.sub_ns_per_run = (double)run_time / (double)runs;
		if (seen)
			k.sub_ns_per_tick = (double)run_time / (double)seen;
	}
	return k;
}

/* Boundaries in the window that the table holds. */
static uint64_t table_rows(const struct collector *c)
{
	uint64_t n = (c->window_end - c->window_start) / c->opt.interval_ns;

	return n < c->nboundaries ? n : c->nboundaries;
}

/* The CPUs whose timer was armed, in order; returns how many. */
static int armed_cpus(const struct collector *c, int *cpus)
{
	int cpu, n = 0;

	for (cpu = 0; cpu < c->ncpus; cpu++)
		if (sync_timer_cpu_armed(c->st, cpu))
			cpus[n++] = cpu;
	return n;
}

/* The skew of boundary row k (latest minus earliest delay among the armed
   CPUs that saw it), in ns; false when fewer than two CPUs saw it (one on a
   one-CPU machine). */
static bool boundary_skew(const struct collector *c, const int *cpus, int n, uint64_t k,
			  uint32_t *skew)
{
	const uint32_t *row = c->table + k * (uint64_t)c->ncpus;
	uint32_t lo = NOT_SEEN, hi = 0;
	int i, seen = 0;

	for (i = 0; i < n; i++) {
		uint32_t d = row[cpus[i]];

		if (d == NOT_SEEN)
			continue;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		seen++;
	}
	if (seen < (n < 2 ? n : 2) || !seen)
		return false;
	*skew = hi - lo;
	return true;
}

/* Skew across CPUs per boundary (subscriber 0): p50 / p99 / max in µs over
   the boundaries that at least two CPUs saw; measured is false without the
   table (a run too long to keep it). */
struct skew_summary {
	bool measured;
	uint64_t boundaries;
	double p50, p99, max;
};

static struct skew_summary skew_summary(const struct collector *c)
{
	struct skew_summary s = { 0 };
	uint64_t k, rows = table_rows(c);
	uint32_t *v;
	int *cpus, n;

	if (!c->table)
		return s;
	cpus = calloc((size_t)c->ncpus, sizeof(*cpus));
	v = malloc((rows ? rows : 1) * sizeof(*v));
	if (cpus && v) {
		n = armed_cpus(c, cpus);
		for (k = 0; k < rows; k++)
			if (boundary_skew(c, cpus, n, k, &v[s.boundaries]))
				s.boundaries++;
		qsort(v, s.boundaries, sizeof(*v), cmp_u32);
		s.p50 = quantile_us(v, s.boundaries, 0.50);
		s.p99 = quantile_us(v, s.boundaries, 0.99);
		s.max = quantile_us(v, s.boundaries, 1.0);
		s.measured = true;
	}
	free(cpus);
	free(v);
	return s;
}

static void print_text(struct collector *c)
{
	struct skew_summary sk = skew_summary(c);
	double worst_delivery = 100.0, worst_timer = 100.0, worst_p99 = 0;
	struct cpu_summary s;
	struct costs k;
	int cpu, i;

	printf("sync timer: mode %s, interval %.1f us, %d subscriber%s, %.2f s\n",
	       sync_timer_mode_name(sync_timer_mode(c->st)), c->opt.interval_ns / 1000.0,
	       c->nsubs, c->nsubs == 1 ? "" : "s",
	       (double)(c->window_end - c->window_start) / 1e9);
	printf("%4s %9s", "cpu", "expected");
	for (i = 0; i < c->nsubs; i++) {
		char label[24];

		snprintf(label, sizeof(label), "seen[%d]", i);
		printf(" %8s", label);
	}
	printf(" %9s %8s %8s %8s %7s %8s %10s\n", "delivery%", "p50_us", "p99_us", "max_us",
	       "missed", "overrun", "migrations");
	for (cpu = 0; cpu < c->ncpus; cpu++) {
		if (!sync_timer_cpu_armed(c->st, cpu))
			continue;
		s = summarize(c, &c->cpus[cpu]);
		printf("%4d %9llu", cpu, (unsigned long long)s.expected);
		for (i = 0; i < c->nsubs; i++)
			printf(" %8llu", (unsigned long long)c->cpus[cpu].seen[i]);
		printf(" %9.2f %8.1f %8.1f %8.1f %7llu %8llu %10llu\n", s.delivery, s.p50, s.p99,
		       s.max, (unsigned long long)s.missed, (unsigned long long)s.overrun,
		       (unsigned long long)c->cpus[cpu].migrations);
		worst_delivery = fmin(worst_delivery, s.delivery);
		worst_timer = fmin(worst_timer, s.timer_delivery);
		worst_p99 = fmax(worst_p99, s.p99);
	}
	printf("worst CPU: delivery %.2f%%, delay p99 %.1f us; the timer itself %.2f%% "
	       "(boundaries not missed)\n", worst_delivery, worst_p99, worst_timer);
	if (sk.measured)
		printf("skew across CPUs per boundary: p50 %.1f us, p99 %.1f us, max %.1f us "
		       "(%llu boundaries seen by 2+ CPUs, subscriber 0)\n", sk.p50, sk.p99, sk.max,
		       (unsigned long long)sk.boundaries);
	else
		printf("skew across CPUs per boundary: not measured (the run is too long to keep "
		       "every boundary)\n");
	k = costs(c);
	if (k.timer_ns_per_tick >= 0)
		printf("cost: timer callback %.0f ns/tick", k.timer_ns_per_tick);
	else
		printf("cost: timer callback not measured (--cost)");
	if (k.sub_ns_per_run >= 0)
		printf(", subscriber %.0f ns/run, %.0f ns/tick (bpf_stats)\n", k.sub_ns_per_run,
		       k.sub_ns_per_tick);
	else
		printf(", subscriber not measured (kernel.bpf_stats_enabled is 0)\n");
}

static void print_json(struct collector *c)
{
	struct skew_summary sk = skew_summary(c);
	double worst_delivery = 100.0, worst_timer = 100.0, worst_p99 = 0;
	struct cpu_summary s;
	uint64_t dropped = 0;
	struct costs k;
	int cpu, i, first = 1;

	for (i = 0; i < c->nsubs; i++)
		dropped += c->subs[i]->bss->dropped;
	printf("{\"mode\":\"%s\",\"interval_ns\":%llu,\"subscribers\":%d,\"duration_s\":%.3f,"
	       "\"cpus\":[", sync_timer_mode_name(sync_timer_mode(c->st)),
	       (unsigned long long)c->opt.interval_ns, c->nsubs,
	       (double)(c->window_end - c->window_start) / 1e9);
	for (cpu = 0; cpu < c->ncpus; cpu++) {
		if (!sync_timer_cpu_armed(c->st, cpu))
			continue;
		s = summarize(c, &c->cpus[cpu]);
		printf("%s{\"cpu\":%d,\"expected\":%llu,\"seen\":[", first ? "" : ",", cpu,
		       (unsigned long long)s.expected);
		for (i = 0; i < c->nsubs; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)c->cpus[cpu].seen[i]);
		printf("],\"delivery_pct\":%.3f,\"timer_delivery_pct\":%.3f,"
		       "\"delay_us\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
		       "\"missed\":%llu,\"overrun\":%llu,\"migrations\":%llu}",
		       s.delivery, s.timer_delivery, s.p50, s.p99, s.max, (unsigned long long)s.missed,
		       (unsigned long long)s.overrun, (unsigned long long)c->cpus[cpu].migrations);
		worst_delivery = fmin(worst_delivery, s.delivery);
		worst_timer = fmin(worst_timer, s.timer_delivery);
		worst_p99 = fmax(worst_p99, s.p99);
		first = 0;
	}
	k = costs(c);
	if (!sk.measured)
		sk.p50 = sk.p99 = sk.max = -1;
	printf("],\"worst\":{\"delivery_pct\":%.3f,\"timer_delivery_pct\":%.3f,"
	       "\"delay_p99_us\":%.1f},\"skew_us\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f,"
	       "\"boundaries\":%llu},\"dropped\":%llu,"
	       "\"cost_ns\":{\"timer_per_tick\":%.1f,\"subscriber_per_run\":%.1f,"
	       "\"subscriber_per_tick\":%.1f}}\n",
	       worst_delivery, worst_timer, worst_p99, sk.p50, sk.p99, sk.max,
	       (unsigned long long)sk.boundaries, (unsigned long long)dropped, k.timer_ns_per_tick,
	       k.sub_ns_per_run, k.sub_ns_per_tick);
}

/* ------------------------------------------------------------ --csv, --plot */

/* One row per boundary in the window (subscriber 0's ticks): boundary_ns, t_s,
   then per armed CPU cpuN_delay_us (empty if it missed) and cpuN_seen (1/0),
   then cpus_seen and skew_us (empty when fewer than two CPUs saw it). */
static int write_csv(const struct collector *c, FILE *f)
{
	uint64_t k, rows = table_rows(c);
	int *cpus = calloc((size_t)c->ncpus, sizeof(*cpus)), n, i, seen;
	uint32_t skew;

	if (!cpus || !c->table) {  /* no table: main refused --csv / --plot for this run */
		free(cpus);
		errno = ENOMEM;
		return -1;
	}
	n = armed_cpus(c, cpus);
	fprintf(f, "boundary_ns,t_s");
	for (i = 0; i < n; i++)
		fprintf(f, ",cpu%d_delay_us,cpu%d_seen", cpus[i], cpus[i]);
	fprintf(f, ",cpus_seen,skew_us\n");
	for (k = 0; k < rows; k++) {
		const uint32_t *row = c->table + k * (uint64_t)c->ncpus;
		uint64_t since = (k + 1) * c->opt.interval_ns;

		fprintf(f, "%llu,%.6f", (unsigned long long)(c->window_start + since), since / 1e9);
		for (i = seen = 0; i < n; i++) {
			if (row[cpus[i]] == NOT_SEEN) {
				fprintf(f, ",,0");
				continue;
			}
			fprintf(f, ",%.3f,1", row[cpus[i]] / 1000.0);
			seen++;
		}
		if (boundary_skew(c, cpus, n, k, &skew))
			fprintf(f, ",%d,%.3f\n", seen, skew / 1000.0);
		else
			fprintf(f, ",%d,\n", seen);
	}
	free(cpus);
	return ferror(f) ? -1 : 0;
}

/* A gnuplot single-quoted string. */
static void gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

#define NBINS 80

/* The gnuplot script: three panels, the last two from the CSV at data. */
static void write_gnuplot(struct collector *c, FILE *f, const char *data, const char *png)
{
	int *cpus = calloc((size_t)c->ncpus, sizeof(*cpus)), n, i, b;
	size_t *pos = calloc((size_t)c->ncpus, sizeof(*pos));
	double p99 = 0, xmax;

	if (!cpus || !pos) {
		free(cpus);
		free(pos);
		return;
	}
	n = armed_cpus(c, cpus);
	for (i = 0; i < n; i++) {
		struct cpu_report *r = &c->cpus[cpus[i]];

		qsort(r->delays_ns, r->ndelays, sizeof(*r->delays_ns), cmp_u32);
		p99 = fmax(p99, quantile_us(r->delays_ns, r->ndelays, 0.99));
	}
	xmax = fmax(p99 * 1.5, 10);
	fprintf(f, "set terminal pngcairo noenhanced size 1200,1200 font ',10'\nset output ");
	gp_string(f, png);
	fprintf(f, "\ndata = ");
	gp_string(f, data);
	fprintf(f, "\nset datafile separator comma\nset datafile columnheaders\n"
		   "set grid\nset key outside right top\n");
	fprintf(f, "set multiplot layout 3,1 title 'sync_timer_collect: mode %s, interval %.1f us, "
		   "%d CPUs, %.2f s (panels 2 and 3: subscriber 0)'\n",
		sync_timer_mode_name(sync_timer_mode(c->st)), c->opt.interval_ns / 1000.0, n,
		(double)(c->window_end - c->window_start) / 1e9);
	/* 1: the delay distribution per CPU, binned here (gnuplot's smooth
	   frequency splits at every missing value): a datablock of bin centre
	   and one count per CPU, NaN for none (a gap on the log scale) */
	fprintf(f, "$hist << EOD\ndelay_us");  /* comma-separated, a header: as the CSV */
	for (i = 0; i < n; i++)
		fprintf(f, ",cpu%d", cpus[i]);
	fputc('\n', f);
	for (b = 0; b < NBINS; b++) {
		fprintf(f, "%g", (b + 0.5) * xmax / NBINS);
		for (i = 0; i < n; i++) {
			struct cpu_report *r = &c->cpus[cpus[i]];
			uint64_t lo = (uint64_t)(b * xmax / NBINS * 1000.0),
				 hi = (uint64_t)((b + 1) * xmax / NBINS * 1000.0), count = 0;

			/* r->delays_ns is sorted: walk it once over all bins */
			while (pos[i] < r->ndelays && r->delays_ns[pos[i]] < hi) {
				if (r->delays_ns[pos[i]] >= lo)
					count++;
				pos[i]++;
			}
			if (count)
				fprintf(f, ",%llu", (unsigned long long)count);
			else
				fprintf(f, ",NaN");
		}
		fputc('\n', f);
	}
	fprintf(f, "EOD\n");
	fprintf(f, "set title 'delay after the boundary, per CPU, all subscribers (to 1.5 x p99; "
		   "above it not drawn)'\nset xlabel 'delay (us)'\nset ylabel 'ticks per %.3g us'\n"
		   "set logscale y\nset xrange [0:%g]\nplot ", xmax / NBINS, xmax);
	for (i = 0; i < n; i++)
		fprintf(f, "%s $hist using 1:%d with histeps lw 2 title 'cpu %d'",
			i ? ", \\\n  " : "", 2 + i, cpus[i]);
	fprintf(f, "\nunset logscale y\nset xrange [*:*]\n");
	/* 2: the delay over time, missed ticks marked at 0 */
	fprintf(f, "set title 'delay over time (x at 0: a tick that CPU missed)'\n"
		   "set xlabel 'time (s)'\nset ylabel 'delay (us)'\nset yrange [0:*]\nplot ");
	for (i = 0; i < n; i++)
		fprintf(f, "%s data using 2:%d with points pt 7 ps 0.3 title 'cpu %d', \\\n"
			   "  data using 2:(column(%d) == 0 ? 0 : NaN) with points pt 2 ps 2 lw 2 "
			   "lc rgb 'red' title '%s'", i ? ", \\\n  " : "", 3 + 2 * i, cpus[i], 4 + 2 * i,
			i ? "" : "missed");
	/* 3: the skew over time */
	fprintf(f, "\nset title 'skew across CPUs per boundary (latest minus earliest delay)'\n"
		   "set ylabel 'skew (us)'\nplot data using 2:%d with points pt 7 ps 0.3 "
		   "lc rgb 'dark-violet' title 'skew'\nunset multiplot\n", 4 + 2 * n);
	free(cpus);
	free(pos);
}

/* Draws --plot: the CSV and the script in temporary files, gnuplot run on
   them; the temporary files removed whatever happens. */
static int write_plot(struct collector *c)
{
	char data[] = "/tmp/sync_timer_collect-XXXXXX.csv", script[] = "/tmp/sync_timer_collect-XXXXXX.gp";
	int dfd = -1, sfd = -1, status, err = -1;
	FILE *df = NULL, *sf = NULL;
	struct stat st;
	pid_t pid;

	dfd = mkstemps(data, 4);
	sfd = mkstemps(script, 3);
	if (dfd < 0 || sfd < 0 || !(df = fdopen(dfd, "w")) || !(sf = fdopen(sfd, "w"))) {
		fprintf(stderr, "--plot: cannot create a temporary file in /tmp: %s\n", strerror(errno));
		goto out;
	}
	dfd = sfd = -1;
	if (write_csv(c, df) || fclose(df)) {
		df = NULL;
		fprintf(stderr, "--plot: cannot write %s: %s\n", data, strerror(errno));
		goto out;
	}
	df = NULL;
	write_gnuplot(c, sf, data, c->opt.plot);
	if (ferror(sf) | fclose(sf)) {
		sf = NULL;
		fprintf(stderr, "--plot: cannot write %s: %s\n", script, strerror(errno));
		goto out;
	}
	sf = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "--plot: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);  /* our stdout is the report */
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		fprintf(stderr, "--plot: cannot run gnuplot: %s (install it, e.g. apt-get install "
			"gnuplot-nox)\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			fprintf(stderr, "--plot: gnuplot failed (%s %d) drawing '%s'\n",
				WIFEXITED(status) ? "exit" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), c->opt.plot);
		goto out;
	}
	if (stat(c->opt.plot, &st) || st.st_size == 0) {
		fprintf(stderr, "--plot: gnuplot wrote nothing to '%s'\n", c->opt.plot);
		goto out;
	}
	err = 0;
out:
	if (df)
		fclose(df);
	if (sf)
		fclose(sf);
	if (dfd >= 0)
		close(dfd);
	if (sfd >= 0)
		close(sfd);
	unlink(data);
	unlink(script);
	return err;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static struct collector c;
	int err;

	err = parse_args(argc, argv, &c.opt);
	if (err)
		return err > 0 ? 0 : 2;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		fprintf(stderr, "Failed to install signal handlers: %s\n", strerror(errno));
		return 1;
	}
	err = set_up(&c);
	if (!err) {
		run(&c);
		if (c.out_of_memory)
			fprintf(stderr, "warning: %llu delays not kept (out of memory)\n",
				(unsigned long long)c.out_of_memory);
		if (c.opt.json)
			print_json(&c);
		else
			print_text(&c);
		fflush(stdout);
		if (c.opt.csv_file) {
			if (write_csv(&c, c.opt.csv_file) | fclose(c.opt.csv_file)) {
				fprintf(stderr, "--csv: cannot write '%s': %s\n", c.opt.csv,
					strerror(errno));
				err = -EIO;
			}
			c.opt.csv_file = NULL;
		}
		if (c.opt.plot && write_plot(&c))
			err = -EIO;
	}
	if (c.opt.csv_file)
		fclose(c.opt.csv_file);
	tear_down(&c);
	return err ? 1 : 0;
}
