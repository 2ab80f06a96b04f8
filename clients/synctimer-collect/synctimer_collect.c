// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * synctimer-collect: starts the shared sync timer, loads N subscribers
 * (synctimer_collect.bpf.c) sharing it, collects their ticks for a while and
 * prints per CPU: ticks expected, ticks seen per subscriber, delivery %,
 * delay after the aligned boundary (p50 / p99 / max), missed ticks and
 * migrations. Needs root and tracefs at /sys/kernel/tracing.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "synctimer.h"
#include "synctimer_collect.h"
#include "synctimer_collect.skel.h"

#define MAX_SUBSCRIBERS ((int)SYNC_TIMER_MAX_SUBSCRIBERS)

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
	bool json, verbose;
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
	struct synctimer_collect_bpf *subs[MAX_SUBSCRIBERS];
	int ids[MAX_SUBSCRIBERS];
	int nsubs, ncpus;
	struct ring_buffer *rb;
	uint64_t window_start, window_end;  /* CLOCK_MONOTONIC ns */
	struct cpu_report *cpus;
	uint64_t out_of_memory;
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

/* Returns 0, 1 (help printed: exit 0) or -1 (bad usage: message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "subscribers", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	double us;
	int ch;

	*o = (struct options){ .subscribers = 1, .duration_s = 10, .interval_ns = 1000000,
			       .mode = SYNC_TIMER_MODE_AUTO };
	while ((ch = getopt_long(argc, argv, "n:d:i:m:jvh", longopts, NULL)) != -1) {
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
	return 0;
}

/* ------------------------------------------------------------ set-up */

static int load_subscriber(struct collector *c, int i)
{
	struct synctimer_collect_bpf *skel;
	int err;

	c->ids[i] = sync_timer_assign_id(c->st);
	if (c->ids[i] < 0) {
		fprintf(stderr, "Failed to get a subscriber id: %s\n", sync_timer_last_error());
		return c->ids[i];
	}
	skel = synctimer_collect_bpf__open();
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
	err = synctimer_collect_bpf__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load subscriber %d: %s\n", i, strerror(-err));
		return err;
	}
	err = synctimer_collect_bpf__attach(skel);
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
	struct sync_timer_opts opts = { .mode = c->opt.mode, .verbose = c->opt.verbose };
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
		synctimer_collect_bpf__destroy(c->subs[i]);
	sync_timer_destroy(c->st);
	for (cpu = 0; c->cpus && cpu < c->ncpus; cpu++)
		free(c->cpus[cpu].delays_ns);
	free(c->cpus);
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
	if (ticks)
		k.timer_ns_per_tick = (double)cost / (double)ticks;
	if (runs) {
		k.sub_ns_per_run = (double)run_time / (double)runs;
		if (seen)
			k.sub_ns_per_tick = (double)run_time / (double)seen;
	}
	return k;
}

static void print_text(struct collector *c)
{
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
	k = costs(c);
	printf("cost: timer callback %.0f ns/tick", k.timer_ns_per_tick);
	if (k.sub_ns_per_run >= 0)
		printf(", subscriber %.0f ns/run, %.0f ns/tick (bpf_stats)\n", k.sub_ns_per_run,
		       k.sub_ns_per_tick);
	else
		printf(", subscriber not measured (kernel.bpf_stats_enabled is 0)\n");
}

static void print_json(struct collector *c)
{
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
	printf("],\"worst\":{\"delivery_pct\":%.3f,\"timer_delivery_pct\":%.3f,"
	       "\"delay_p99_us\":%.1f},\"dropped\":%llu,"
	       "\"cost_ns\":{\"timer_per_tick\":%.1f,\"subscriber_per_run\":%.1f,"
	       "\"subscriber_per_tick\":%.1f}}\n",
	       worst_delivery, worst_timer, worst_p99, (unsigned long long)dropped, k.timer_ns_per_tick,
	       k.sub_ns_per_run, k.sub_ns_per_tick);
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
	}
	tear_down(&c);
	return err ? 1 : 0;
}
