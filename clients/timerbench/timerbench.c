/* timerbench: lateness of the timer service. Argument "N,M[,N,M...]": for
 * each pair, N clients with M timers each. One app may hold APP_MAX_TIMERS
 * clients, so a run spreads its clients over ceil(N / APP_MAX_TIMERS)
 * spawned copies of itself ("child,n,m,seed"), each driving its clients
 * from one reactor loop and streaming its samples back over the spawn
 * channel. The loop is one reply_recv a turn: it sends the After of the
 * client served last (its next timer) and waits for the next Expired of
 * any; the clients' first timers go out one a turn, the turn taking only
 * what is ready meanwhile, so that a client's Expired never waits for the
 * others' first timers to be sent. Durations are random from 1 us to
 * 100 ms, log-uniform (bench_random.h: the first child draws the bare
 * guest's sequence of ninja bench-kernel, the others their own). Lateness = measured - requested, in
 * guest rdtime microseconds, measured from just before the request is sent
 * to just after Expired is received. A reply earlier than requested counts
 * as early; one that has not come LOST_AFTER_US after its deadline counts
 * as lost. Prints one line per run:
 *   timer lateness us: p50=A p99=B max=C early=D lost=E timers=F */
#include "bench_random.h"
#include "timer_client.h"   /* generated */
#include "ulib.h"

#define MAX_CLIENTS APP_MAX_TIMERS   /* one app's share */
#define MAX_SAMPLES 65536
#define LOST_AFTER_US 1000000
#define MAX_CHILDREN (MAX_HANDLES - 2)

/* What a child sends its parent: samples, then its counts. */
enum { REPORT_SAMPLES, REPORT_DONE };
#define REPORT_MAX ((MAX_MSG_SIZE - 8) / 8)
struct report {
    uint32_t kind, n;
    int64_t v[REPORT_MAX];      /* samples; DONE: early, lost */
};
_Static_assert(sizeof(struct report) <= MAX_MSG_SIZE, "a report fits a message");

struct client {
    int64_t handle;
    struct chan_transport ct;
    proto_transport t;
    uint64_t sent;           /* rdtime before the request */
    uint64_t due;            /* sent + requested ticks */
    uint32_t left;           /* timers still to run */
    bool waiting;
};

static struct client clients[MAX_CLIENTS];
static struct client *by_handle[MAX_HANDLES];   /* the client behind each handle */
static uint32_t nwaiting;                        /* clients with a timer out */
static int64_t samples[MAX_SAMPLES];   /* lateness in ticks */
static uint64_t rng = BENCH_RANDOM_SEED;

/* Draws c's next timer and stamps it as sent: its After in q (*len bytes),
 * to go out at once. */
static int arm(struct client *c, uint8_t *q, size_t *len)
{
    uint64_t us = bench_random_us(&rng);
    TimerRequest m = TimerRequest_init_zero;
    m.tag = TimerRequest_After_tag;
    m.u.After.duration_us = us;
    int rc = (int)TimerRequest_encode(&m, q, TimerRequest_MAX_SIZE, len);
    c->sent = time_now();
    c->due = c->sent + us * TICKS_PER_US;
    c->left--;
    c->waiting = rc == 0;
    nwaiting += c->waiting;
    return rc;
}

/* arm, the After sent on its own. */
static int arm_send(struct client *c)
{
    uint8_t q[TimerRequest_MAX_SIZE];
    size_t len;
    int rc = arm(c, q, &len);
    if (rc == 0 && (rc = c->t.send(c->t.ctx, q, len, NULL)) != 0) {
        c->waiting = false;
        nwaiting--;
    }
    return rc;
}

static void shell_sort(int64_t *a, uint32_t n)
{
    for (uint32_t gap = n / 2; gap > 0; gap /= 2)
        for (uint32_t i = gap; i < n; i++)
            for (uint32_t j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
                int64_t t = a[j];
                a[j] = a[j - gap];
                a[j - gap] = t;
            }
}

static void print_us(const char *label, int64_t ticks)
{
    uint64_t v = ticks < 0 ? (uint64_t)-ticks : (uint64_t)ticks;
    printf("%s=%s%lu.%lu", label, ticks < 0 ? "-" : "", (uint64_t)(v / TICKS_PER_US), (uint64_t)(v % TICKS_PER_US));
}

/* The client whose reply is overdue by LOST_AFTER_US, marking it lost. */
static uint32_t reap_lost(uint32_t n)
{
    uint32_t lost = 0;
    uint64_t now = time_now();
    for (uint32_t i = 0; i < n; i++) {
        struct client *c = &clients[i];
        if (c->waiting && now > c->due + LOST_AFTER_US * TICKS_PER_US) {
            c->waiting = false;
            nwaiting--;
            lost++;
            if (c->left > 0)
                arm_send(c);
        }
    }
    return lost;
}

static void report(uint32_t kind, const int64_t *v, uint32_t n)
{
    static struct report r;
    r.kind = kind;
    r.n = n;
    memcpy(r.v, v, n * sizeof *v);
    sys_chan_send(SPAWN_HANDLE, &r, 8 + n * sizeof *v, NULL, 0, 0);
}

/* A child's part of a run: n clients, m timers each, samples to the parent.
 * Per reply the work is O(1); overdue clients are looked for once every
 * LOST_AFTER_US, so a reply counts as lost when it has not come by the
 * first such check LOST_AFTER_US or more after its deadline. */
static int drive(uint32_t n, uint32_t m)
{
    uint32_t nsamples = 0, early = 0, lost = 0;
    if (n == 0 || n > MAX_CLIENTS || (uint64_t)n * m > MAX_SAMPLES)
        return 1;
    for (uint32_t i = 0; i < n; i++) {
        struct client *c = &clients[i];
        if ((c->handle = connect_service(TIMER_SERVICE_NAME, false)) < 0)
            return 1;
        c->t = chan_transport(&c->ct, (uint32_t)c->handle);
        c->left = m;
        by_handle[c->handle] = c;
        sys_chan_poll_add((uint32_t)c->handle);
    }
    uint64_t check = time_now() + LOST_AFTER_US * TICKS_PER_US;
    uint8_t q[TimerRequest_MAX_SIZE], r[TimerResponse_MAX_SIZE];
    struct chan_io out = { .buf = (uint64_t)(uintptr_t)q };
    struct client *next = NULL;   /* whose After goes out with the next wait */
    uint32_t started = 0;         /* clients whose first timer went out */
    while (nwaiting > 0 || started < n) {
        /* While clients are still to start, one starts each time nothing
         * else goes out, and the wait only takes what is ready (its
         * deadline, 1, has passed). */
        if (next == NULL && started < n && arm(&clients[started++], q, &out.len) == 0)
            next = &clients[started - 1];
        struct chan_io in = { .buf = (uint64_t)(uintptr_t)r, .len = sizeof r };
        int64_t h = chan_reply_recv(next ? (uint32_t)next->handle : 0, next ? &out : NULL, &in,
                                    started < n ? 1 : check);
        uint64_t now = time_now();
        next = NULL;
        if (h >= 0) {
            struct client *c = h < (int64_t)MAX_HANDLES ? by_handle[h] : NULL;
            int rc = c ? timer_after_decode(r, in.len, NULL) : -1;
            if (rc != 0 || !c->waiting) {
                printf("timerbench: bad reply on handle %ld: %d\n", h, rc);
                return 1;
            }
            c->waiting = false;
            nwaiting--;
            int64_t late = (int64_t)(now - c->due);
            early += late < 0;
            samples[nsamples++] = late;
            if (c->left > 0 && arm(c, q, &out.len) == 0)
                next = c;
        } else if (h != -(int64_t)KERNEL_ERROR_WOULD_BLOCK) {
            printf("timerbench: reply_recv: %ld\n", h);
            return 1;
        }
        if (now >= check) {
            lost += reap_lost(n);
            check = now + LOST_AFTER_US * TICKS_PER_US;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        sys_chan_close((uint32_t)clients[i].handle);
    for (uint32_t i = 0; i < nsamples; i += REPORT_MAX)
        report(REPORT_SAMPLES, samples + i, nsamples - i < REPORT_MAX ? nsamples - i : REPORT_MAX);
    int64_t counts[2] = { early, lost };
    report(REPORT_DONE, counts, 2);
    return 0;
}

/* Takes one report from a child into the run's totals; false on a bad one. */
static bool collect(int64_t h, uint32_t *nsamples, uint32_t *early, uint32_t *lost, bool *done)
{
    static struct report r;
    int64_t len = sys_chan_recv((uint32_t)h, &r, sizeof r, NULL, NULL, 0);
    if (len < 8 || (uint64_t)len != 8 + r.n * sizeof(int64_t) ||
        (r.kind == REPORT_SAMPLES && *nsamples + r.n > MAX_SAMPLES) || (r.kind == REPORT_DONE && r.n != 2))
        return false;
    if (r.kind == REPORT_DONE) {
        *early += (uint32_t)r.v[0];
        *lost += (uint32_t)r.v[1];
        *done = true;
        return true;
    }
    memcpy(samples + *nsamples, r.v, r.n * sizeof(int64_t));
    *nsamples += r.n;
    return true;
}

/* One run: n clients over as many children as quotas need, m timers each. */
static int run(uint32_t n, uint32_t m)
{
    static const char name[] = "timerbench";
    uint32_t kids = (n + MAX_CLIENTS - 1) / MAX_CLIENTS, nsamples = 0, early = 0, lost = 0, left;
    int64_t h[MAX_CHILDREN];
    bool done[MAX_CHILDREN];
    if (n == 0 || kids > MAX_CHILDREN || (uint64_t)n * m > MAX_SAMPLES) {
        printf("timerbench: bad run %u clients x %u timers\n", n, m);
        return 1;
    }
    struct kernel_stats k0, k1;
    sys_kstat(&k0, sizeof k0);
    uint64_t t0 = time_now();
    for (uint32_t k = 0; k < kids; k++) {
        char arg[48];
        uint32_t share = n / kids + (k < n % kids);
        int len = snfmt(arg, sizeof arg, "child,%u,%u,%u", share, m, k + 1);
        if ((h[k] = sys_spawn(name, sizeof name - 1, arg, (uint64_t)len)) < 0) {
            printf("timerbench: spawn: %ld\n", h[k]);
            return 1;
        }
        done[k] = false;
        sys_chan_poll_add((uint32_t)h[k]);
    }
    for (left = kids; left > 0;) {
        int64_t r = sys_block(0);
        uint32_t k = 0;
        while (k < kids && h[k] != r)
            k++;
        if (k == kids || done[k] || !collect(r, &nsamples, &early, &lost, &done[k])) {
            printf("timerbench: a child failed (handle %ld)\n", r);
            return 1;
        }
        if (done[k]) {
            sys_chan_poll_remove((uint32_t)r);   /* its close must not wake us */
            left--;
        }
    }
    for (uint32_t k = 0; k < kids; k++)
        sys_chan_close((uint32_t)h[k]);
    /* The run's time ends here: sorting the samples is no timer's work. */
    uint64_t took = time_now() - t0;
    sys_kstat(&k1, sizeof k1);
    shell_sort(samples, nsamples);
    uint64_t busy = took - (k1.idle_ticks - k0.idle_ticks);
    printf("timerbench: %u clients x %u timers (%u apps) in %lu ms, %lu%% busy, %lu ns busy per timer\n", n, m, kids,
           (unsigned long)(ticks_to_us(took) / 1000), (unsigned long)(busy * 100 / (took ? took : 1)),
           (unsigned long)(busy * (1000 / TICKS_PER_US) / (nsamples + lost ? nsamples + lost : 1)));
    printf("timer lateness us: ");
    print_us("p50", nsamples ? samples[nsamples / 2] : 0);
    print_us(" p99", nsamples ? samples[(uint64_t)nsamples * 99 / 100] : 0);
    print_us(" max", nsamples ? samples[nsamples - 1] : 0);
    printf(" early=%u lost=%u timers=%u\n", early, lost, nsamples + lost);
    return 0;
}

int main(const char *arg)
{
    const char *p = arg;
    int rc = 0;
    if (strncmp(p, "child,", 6) == 0) {
        p += 6;
        uint32_t n = (uint32_t)parse_u64(&p, 0), m = (uint32_t)parse_u64(&p, 0);
        rng += (parse_u64(&p, 1) - 1) * 0x2545F4914F6CDD1DULL;   /* child 1: the seed itself */
        return drive(n, m);
    }
    if (*p == 0)
        p = "32,300";
    while (*p && rc == 0) {
        uint32_t n = (uint32_t)parse_u64(&p, 0);
        uint32_t m = (uint32_t)parse_u64(&p, 0);
        rc = run(n, m);
    }
    sys_shutdown(rc);
    return rc;
}
