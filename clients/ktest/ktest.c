/* ktest: the in-guest test suite. Runs under -icount (ninja ktest), where
 * guest time is exact, so "on time" means no earlier than asked and at most
 * LATE_US later. Prints one line per test and a summary, then powers off
 * with code 0 only if every check passed. */
#include "boot_client.h"    /* generated */
#include "timer_client.h"   /* generated */
#include "services.h"       /* generated: SERVICE_COUNT */
#include "vector_suites.h"  /* generated: every protocol's vectors */
#include "ulib.h"

#define LATE_US 2000
#define MS 1000ULL
#define ERR(e) (-(int64_t)KERNEL_ERROR_##e)
#define USER_TEXT 0x40000000UL   /* where clients/lib/user.ld puts .text */

static int checks, failed, test_failed;

#define EXPECT(cond, what) expect((cond), __LINE__, (what))

/* One check: counts it, and prints what failed with its line. */
static void expect(bool ok, int line, const char *what)
{
    checks++;
    if (ok)
        return;
    failed++;
    test_failed++;
    printf("ktest:   FAILED at ktest.c:%d: %s\n", line, what);
}

/* A connected timer client. */
struct tclient {
    int64_t h;
    struct chan_transport ct;
    proto_transport t;
};

static bool tconnect(struct tclient *c)
{
    c->h = connect_service(TIMER_SERVICE_NAME, false);
    if (c->h < 0)
        return false;
    c->t = chan_transport(&c->ct, (uint32_t)c->h);
    return true;
}

static void tclose(struct tclient *c)
{
    sys_chan_close((uint32_t)c->h);
}

/* Whether an elapsed time in ticks is on time for a request of us. */
static bool on_time(uint64_t ticks, uint64_t us)
{
    return ticks >= us * TICKS_PER_US && ticks <= (us + LATE_US) * TICKS_PER_US;
}

/* One blocking timer_after(us) on c: it succeeds, and on time. */
#define AFTER_ON_TIME(c, us, what) after_on_time((c), (us), __LINE__, (what))

static void after_on_time(struct tclient *c, uint64_t us, int line, const char *what)
{
    uint64_t t0 = time_now();
    int rc = timer_after(&c->t, us);
    expect(rc == 0, line, what);
    uint64_t took = time_now() - t0;
    expect(rc == 0 && on_time(took, us), line, what);
    if (rc == 0 && !on_time(took, us))
        printf("ktest:   asked %lu us, took %lu us\n", (unsigned long)us, (unsigned long)ticks_to_us(took));
}

/* Nothing arrives on handle h for wait_us (any other polled handle is an error). */
static bool silent_for(int64_t h, uint64_t wait_us)
{
    sys_chan_poll_add((uint32_t)h);
    int64_t r = sys_block(time_now() + wait_us * TICKS_PER_US);
    sys_chan_poll_remove((uint32_t)h);
    return r == ERR(WOULD_BLOCK);
}

static void test_one_shot(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    AFTER_ON_TIME(&c, 10 * MS, "10 ms timer on time");
    tclose(&c);
}

static void test_repeated(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    for (int i = 0; i < 5; i++) {
        AFTER_ON_TIME(&c, 2 * MS, "repeated 2 ms timer on time");
    }
    tclose(&c);
}

static void test_replace(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    uint64_t t0 = time_now();
    EXPECT(timer_after_send(&c.t, 1000 * MS) == 0, "send After(1 s)");
    EXPECT(timer_after_send(&c.t, 5 * MS) == 0, "send After(5 ms)");
    EXPECT(timer_after_recv(&c.t) == 0, "Expired");
    EXPECT(on_time(time_now() - t0, 5 * MS), "fires at the short deadline");
    EXPECT(silent_for(c.h, 1200 * MS), "the replaced 1 s timer never fires");
    tclose(&c);
}

static void test_zero_and_one(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    AFTER_ON_TIME(&c, 0, "0 us timer on time");
    AFTER_ON_TIME(&c, 1, "1 us timer on time");
    tclose(&c);
}

static void test_saturation(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    EXPECT(timer_after_send(&c.t, UINT64_MAX) == 0, "send After(UINT64_MAX)");
    EXPECT(silent_for(c.h, 20 * MS), "UINT64_MAX does not wrap into the past");
    AFTER_ON_TIME(&c, 3 * MS, "a short After replaces it, on time");
    EXPECT(silent_for(c.h, 20 * MS), "and fires once");
    tclose(&c);
}

/* A test that needs n timer clients at once in this app says so and does
 * nothing when the schema's MAX_TIMER_CLIENTS or APP_MAX_TIMERS is smaller
 * (every legal limit builds and passes; what cannot apply is reported, not
 * failed). */
static bool timers_for(uint32_t n, const char *what)
{
    if (n <= MAX_TIMER_CLIENTS && n <= APP_MAX_TIMERS)
        return true;
    printf("ktest:   not run with MAX_TIMER_CLIENTS %u, APP_MAX_TIMERS %u: %s needs %u\n", (unsigned)MAX_TIMER_CLIENTS,
           (unsigned)APP_MAX_TIMERS, what, (unsigned)n);
    return false;
}

/* A test that needs more handles, ends or queued messages of this app at
 * once than MAX_HANDLES, APP_MAX_ENDS or APP_MAX_QUEUED give (beside what
 * ktest holds between tests: its boot channel, one handle and two ends)
 * says which and does nothing, as timers_for does. */
static bool room_for(uint32_t handles, uint32_t ends, uint32_t queued, const char *what)
{
    bool ok = true;
    if (1 + handles > MAX_HANDLES) {
        printf("ktest:   not run with MAX_HANDLES %u: %s needs %u handles beside the boot channel's\n",
               (unsigned)MAX_HANDLES, what, (unsigned)handles);
        ok = false;
    }
    if (2 + ends > APP_MAX_ENDS) {
        printf("ktest:   not run with APP_MAX_ENDS %u: %s needs %u ends beside the boot channel's two\n",
               (unsigned)APP_MAX_ENDS, what, (unsigned)ends);
        ok = false;
    }
    if (queued > APP_MAX_QUEUED) {
        printf("ktest:   not run with APP_MAX_QUEUED %u: %s needs %u messages queued at once\n", (unsigned)APP_MAX_QUEUED,
               what, (unsigned)queued);
        ok = false;
    }
    return ok;
}

/* The same for a helper app: what it needs beside its boot and spawn
 * handles and its boot channel's two ends. */
static bool helper_fits(uint32_t handles, uint32_t ends, uint32_t queued, const char *what)
{
    if (2 + handles <= MAX_HANDLES && 2 + ends <= APP_MAX_ENDS && queued <= APP_MAX_QUEUED)
        return true;
    printf("ktest:   not run with MAX_HANDLES %u, APP_MAX_ENDS %u, APP_MAX_QUEUED %u: a helper for %s needs %u "
           "handles, %u ends and %u queued messages of its own\n", (unsigned)MAX_HANDLES, (unsigned)APP_MAX_ENDS,
           (unsigned)APP_MAX_QUEUED, what, (unsigned)handles, (unsigned)ends, (unsigned)queued);
    return false;
}

/* The boot service's Error text is the reason cut to BOOT_ERROR_MAX bytes. */
static bool boot_error_is(const char *got, const char *reason)
{
    size_t n = strlen(reason) < BOOT_ERROR_MAX ? strlen(reason) : BOOT_ERROR_MAX;
    return strlen(got) == n && strncmp(got, reason, n) == 0;
}

/* Two clients, deadlines first_us then second_us, sent in that order. */
static void two_clients(uint64_t first_us, uint64_t second_us)
{
    struct tclient a, b;
    if (!timers_for(2, "two clients") || !room_for(2, 4, 2, "two clients"))
        return;
    bool got_a = tconnect(&a), got_b = tconnect(&b);
    EXPECT(got_a && got_b, "connect two");
    if (!got_a || !got_b) {
        if (got_a)
            tclose(&a);
        if (got_b)
            tclose(&b);
        return;
    }
    sys_chan_poll_add((uint32_t)a.h);
    sys_chan_poll_add((uint32_t)b.h);
    uint64_t t0 = time_now();
    EXPECT(timer_after_send(&a.t, first_us) == 0, "send a");
    EXPECT(timer_after_send(&b.t, second_us) == 0, "send b");
    struct tclient *soon = first_us < second_us ? &a : &b, *late = soon == &a ? &b : &a;
    uint64_t soon_us = first_us < second_us ? first_us : second_us;
    uint64_t late_us = first_us < second_us ? second_us : first_us;
    EXPECT(sys_block(0) == soon->h, "the sooner client wakes first");
    EXPECT(timer_after_recv(&soon->t) == 0, "its Expired");
    EXPECT(on_time(time_now() - t0, soon_us), "sooner deadline on time");
    EXPECT(sys_block(0) == late->h, "then the later client");
    EXPECT(timer_after_recv(&late->t) == 0, "its Expired");
    EXPECT(on_time(time_now() - t0, late_us), "later deadline on time");
    tclose(&a);
    tclose(&b);
}

static void test_two_clients(void)
{
    two_clients(5 * MS, 50 * MS);
    two_clients(50 * MS, 5 * MS);   /* the later re-arm is the sooner one */
}

/* Spawns khelper with arg: the spawn channel's handle (checked). */
static int64_t spawn_helper(const char *arg)
{
    static const char name[] = "khelper";
    int64_t h = sys_spawn(name, sizeof name - 1, arg, strlen(arg));
    EXPECT(h >= 0, "spawn khelper");
    return h;
}

/* Receives a fixed-size answer from a helper. */
static bool helper_answer(int64_t h, void *buf, uint64_t len)
{
    return sys_chan_recv((uint32_t)h, buf, len, NULL, NULL, 0) == (int64_t)len;
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MY_TIMERS_MAX MIN(APP_MAX_TIMERS, MAX_TIMER_CLIENTS)
/* The clients one helper holds: its quota, or fewer when its handles
 * (beside BOOT_HANDLE and SPAWN_HANDLE) or its ends (beside its boot
 * channel's two; two a client) run out first. */
#define HELPER_TIMERS MIN(APP_MAX_TIMERS, MIN(MAX_HANDLES - 2, (APP_MAX_ENDS - 2) / 2))

/* Helpers that connect the timer clients this app's share of my leaves. */
static uint32_t timer_helpers(uint32_t my)
{
    return (MAX_TIMER_CLIENTS - my + HELPER_TIMERS - 1) / HELPER_TIMERS;
}

/* This app's share: its quota, or less when its handles and ends must also
 * hold the spawn channels of the helpers that connect the rest and of the
 * one refused after them (a handle and two ends each), beside its boot
 * channel, and the task slots must hold those helpers; 0 when not even one
 * client fits. */
static uint32_t my_timers(void)
{
    for (uint32_t my = MY_TIMERS_MAX; my >= 1; my--) {
        uint32_t spawns = timer_helpers(my) + 1;
        if (1 + my + spawns <= MAX_HANDLES && 2 + 2 * my + 2 * spawns <= APP_MAX_ENDS &&
            SERVICE_COUNT + 1 + spawns <= NTASK)
            return my;
    }
    return 0;
}

/* The service takes MAX_TIMER_CLIENTS, one app at most APP_MAX_TIMERS of
 * them: this app takes its share, helpers fill the rest, then the service
 * is busy for everyone. */
static void test_all_clients(void)
{
    static struct tclient c[MY_TIMERS_MAX];
    static int64_t helpers[MAX_TIMER_CLIENTS / HELPER_TIMERS + 2];
    const uint32_t my = my_timers();
    if (my == 0) {
        printf("ktest:   not run with MAX_HANDLES %u, APP_MAX_ENDS %u, NTASK %u: filling the service needs a client, the "
               "%u helpers' spawn channels (each holds %u clients) and a task slot each\n", (unsigned)MAX_HANDLES,
               (unsigned)APP_MAX_ENDS, (unsigned)NTASK, (unsigned)timer_helpers(1) + 1, (unsigned)HELPER_TIMERS);
        return;
    }
    const uint32_t nhelpers = timer_helpers(my);
    uint32_t connected = 0;
    for (uint32_t i = 0; i < my; i++)
        connected += tconnect(&c[i]);
    EXPECT(connected == my, "this app's share connects");
    if (my == APP_MAX_TIMERS)
        EXPECT(connect_service(TIMER_SERVICE_NAME, true) < 0 && boot_error_is(connect_error(), "quota"),
               "one more from this app: quota");
    for (uint32_t k = 0; k < nhelpers; k++) {
        char arg[24];
        snfmt(arg, sizeof arg, "timers=%u", (unsigned)HELPER_TIMERS);
        helpers[k] = spawn_helper(arg);
        uint32_t got = 0;
        EXPECT(helper_answer(helpers[k], &got, sizeof got), "a helper reports");
        connected += got;
    }
    EXPECT(connected == MAX_TIMER_CLIENTS, "MAX_TIMER_CLIENTS connect across apps");
    helpers[nhelpers] = spawn_helper("timers=1");
    uint32_t extra = 99;
    EXPECT(helper_answer(helpers[nhelpers], &extra, sizeof extra) && extra == 0,
           "the next one, from an app within its quota, is refused: busy");
    uint64_t t0 = time_now();
    for (uint32_t i = 0; i < my; i++)
        EXPECT(timer_after_send(&c[i].t, 10 * MS + i * 100) == 0, "send");
    for (uint32_t i = 0; i < my; i++) {
        EXPECT(timer_after_recv(&c[i].t) == 0, "Expired");
        EXPECT(on_time(time_now() - t0, 10 * MS + i * 100), "each on time with the service full");
    }
    for (uint32_t k = 0; k <= nhelpers; k++)
        sys_chan_close((uint32_t)helpers[k]);   /* the helpers exit: their slots free */
    /* A client closing with a pending timer frees its slot and its timer. */
    struct tclient *r = &c[my / 2];
    EXPECT(timer_after_send(&r->t, 5 * MS) == 0, "send, then close");
    tclose(r);
    EXPECT(tconnect(r), "the freed slot is reused");
    EXPECT(silent_for(r->h, 20 * MS), "the closed client's timer does not reach the new one");
    AFTER_ON_TIME(r, 1 * MS, "the new client works, on time");
    for (uint32_t i = 0; i < my; i++)
        tclose(&c[i]);
}

static void test_malformed(void)
{
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    static const uint8_t unknown_tag[] = { 7, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t truncated[] = { 0, 1, 2, 3 };
    static const uint8_t trailing[] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
    static const uint8_t garbage[] = { 0xff, 0xfe, 0xfd };
    EXPECT(sys_chan_send((uint32_t)c.h, unknown_tag, sizeof unknown_tag, NULL, 0, 0) == 0, "send");
    EXPECT(sys_chan_send((uint32_t)c.h, truncated, sizeof truncated, NULL, 0, 0) == 0, "send");
    EXPECT(sys_chan_send((uint32_t)c.h, trailing, sizeof trailing, NULL, 0, 0) == 0, "send");
    EXPECT(sys_chan_send((uint32_t)c.h, garbage, sizeof garbage, NULL, 0, 0) == 0, "send");
    EXPECT(sys_chan_send((uint32_t)c.h, "", 0, NULL, 0, 0) == 0, "send empty");
    EXPECT(silent_for(c.h, 10 * MS), "no reply to malformed requests");
    AFTER_ON_TIME(&c, 2 * MS, "the service still answers, on time");
    tclose(&c);
}

static void test_reactor(void)
{
    struct tclient c;
    uint32_t pair[2];
    if (!room_for(3, 4, 2, "a timer client beside a pair"))
        return;
    EXPECT(tconnect(&c), "connect");
    EXPECT(sys_chan_create(pair) == 0, "chan_create");
    sys_chan_poll_add((uint32_t)c.h);
    sys_chan_poll_add(pair[1]);
    uint64_t t0 = time_now();
    EXPECT(timer_after_send(&c.t, 5 * MS) == 0, "send After(5 ms)");
    EXPECT(sys_chan_send(pair[0], "x", 1, NULL, 0, 0) == 0, "send a message");
    EXPECT(sys_block(0) == pair[1], "block: the message first");
    char b;
    EXPECT(sys_chan_recv(pair[1], &b, 1, NULL, NULL, 0) == 1 && b == 'x', "recv it");
    EXPECT(sys_block(0) == c.h, "block: then the timer");
    EXPECT(timer_after_recv(&c.t) == 0 && on_time(time_now() - t0, 5 * MS), "Expired on time");
    t0 = time_now();
    EXPECT(sys_block(t0 + 3 * MS * TICKS_PER_US) == ERR(WOULD_BLOCK), "block: deadline");
    EXPECT(on_time(time_now() - t0, 3 * MS), "block deadline on time");
    sys_chan_close(pair[0]);
    EXPECT(sys_block(0) == pair[1], "block: a closed peer is ready");
    EXPECT(sys_chan_recv(pair[1], &b, 1, NULL, NULL, 0) == ERR(CLOSED), "recv: CLOSED");
    sys_chan_close(pair[1]);
    tclose(&c);
}

static void test_channels(void)
{
    uint32_t p[2], q[2];
    static uint8_t big[MAX_MSG_SIZE + 1];
    EXPECT(sys_chan_create(p) == 0, "chan_create");
    char b[8];
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, CHAN_NONBLOCK) == ERR(WOULD_BLOCK), "empty: WOULD_BLOCK");
    EXPECT(sys_chan_send(p[0], big, MAX_MSG_SIZE + 1, NULL, 0, 0) == ERR(TOO_BIG), "over MAX_MSG_SIZE: TOO_BIG");
    EXPECT(sys_chan_send(p[0], big, MAX_MSG_SIZE, NULL, 0, 0) == 0, "MAX_MSG_SIZE fits");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == ERR(BUFFER_TOO_SMALL), "short buffer");
    EXPECT(sys_chan_recv(p[1], big, MAX_MSG_SIZE, NULL, NULL, 0) == MAX_MSG_SIZE, "it stayed queued");
    int sent = 0;
    while (sys_chan_send(p[0], "m", 1, NULL, 0, CHAN_NONBLOCK) == 0)
        sent++;
    EXPECT(sys_chan_send(77, "m", 1, NULL, 0, 0) == ERR(BAD_HANDLE), "bad handle");
    if (CHAN_QUEUE_DEPTH <= APP_MAX_QUEUED) {
        EXPECT(sent == (int)CHAN_QUEUE_DEPTH, "queue depth CHAN_QUEUE_DEPTH");
        EXPECT(sys_chan_send(p[0], "m", 1, NULL, 0, CHAN_NONBLOCK) == ERR(WOULD_BLOCK), "full: WOULD_BLOCK");
        EXPECT(sys_chan_send(p[0], (void *)0x80200000UL, 4, NULL, 0, CHAN_NONBLOCK) == ERR(BAD_ADDRESS),
               "kernel pointer on a full queue: BAD_ADDRESS");
    } else {   /* the quota comes first */
        EXPECT(sent == (int)APP_MAX_QUEUED, "APP_MAX_QUEUED queued (under CHAN_QUEUE_DEPTH)");
        EXPECT(sys_chan_send(p[0], "m", 1, NULL, 0, CHAN_NONBLOCK) == ERR(QUOTA), "then QUOTA");
        printf("ktest:   not run with APP_MAX_QUEUED %u: a kernel pointer on a full queue needs CHAN_QUEUE_DEPTH (%u) "
               "messages queued\n", (unsigned)APP_MAX_QUEUED, (unsigned)CHAN_QUEUE_DEPTH);
    }
    EXPECT(sys_console_write((void *)0x80200000UL, 4) == ERR(BAD_ADDRESS), "console_write checks too");
    EXPECT(sys_chan_create((void *)0x80200000UL) == ERR(BAD_ADDRESS), "chan_create checks ends");
    for (int i = 0; i < sent; i++)
        sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0);
    EXPECT(sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0, "a message to receive");
    EXPECT(sys_chan_recv(p[1], (void *)0x80200000UL, 8, NULL, NULL, 0) == ERR(BAD_ADDRESS),
           "recv into kernel memory: BAD_ADDRESS");
    EXPECT(sys_chan_recv(p[1], (void *)(USER_TEXT), 8, NULL, NULL, 0) == ERR(BAD_ADDRESS),
           "recv into read-only app text: BAD_ADDRESS");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 1, "the message stayed queued");
    /* Carry q[1] across p; the receiver gets a working handle. */
    uint32_t caps[MAX_CAPS], ncaps = 0;
    if (!room_for(4, 4, 1, "carrying a handle across a channel")) {
        sys_chan_close(p[0]);
        sys_chan_close(p[1]);
        return;
    }
    EXPECT(sys_chan_create(q) == 0, "second channel");
    EXPECT(sys_chan_send(p[0], "cap", 3, &q[1], 1, 0) == 0, "send a handle");
    EXPECT(sys_chan_send(q[1], "x", 1, NULL, 0, 0) == ERR(BAD_HANDLE), "moved away from the sender");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, caps, &ncaps, 0) == 3 && ncaps == 1, "received with 1 cap");
    EXPECT(sys_chan_send(q[0], "hi", 2, NULL, 0, 0) == 0, "send on the carried channel");
    EXPECT(sys_chan_recv(caps[0], b, sizeof b, NULL, NULL, 0) == 2, "received through it");
    sys_chan_close(p[0]);
    EXPECT(sys_chan_send(p[1], "x", 1, NULL, 0, 0) == ERR(CLOSED), "send to a closed peer: CLOSED");
    sys_chan_close(p[1]);
    sys_chan_close(q[0]);
    sys_chan_close(caps[0]);
}

static void test_boot_errors(void)
{
    char unknown[] = "no-such-service";   /* cut to SERVICE_NAME_MAX: no service has that name either */
    unknown[MIN(sizeof unknown - 1, SERVICE_NAME_MAX)] = 0;
    EXPECT(connect_service(unknown, true) < 0 && boot_error_is(connect_error(), "not found"),
           "unknown name: Error not found");
    static const uint8_t junk[] = { 9, 9, 9 };
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, BOOT_HANDLE);
    BootResponse r;
    EXPECT(t.send(t.ctx, junk, sizeof junk, NULL) == 0, "send junk to boot");
    EXPECT(boot_connect_service_recv(&t, &r) == 0 && r.tag == BootResponse_Error_tag, "junk: an Error reply");
    /* ConnectService { "timer\0x" }: a NUL inside the name must not match "timer". */
    static const uint8_t nul_name[] = { BootRequest_ConnectService_tag, 7, 0, 't', 'i', 'm', 'e', 'r', 0, 'x' };
    if (SERVICE_NAME_MAX >= 7) {
        EXPECT(t.send(t.ctx, nul_name, sizeof nul_name, NULL) == 0, "send a name with a NUL inside");
        EXPECT(boot_connect_service_recv(&t, &r) == 0 && r.tag == BootResponse_Error_tag &&
               boot_error_is(r.u.Error.message.data, "not found"), "name with a NUL inside: Error not found");
    } else {
        printf("ktest:   not run with SERVICE_NAME_MAX %u: a name with a NUL inside (\"timer\\0x\") needs 7\n",
               (unsigned)SERVICE_NAME_MAX);
    }
    struct tclient c;
    EXPECT(tconnect(&c), "boot still answers");
    tclose(&c);
}

static void test_fault_killed(void)
{
    static const char name[] = "khelper";
    int64_t h = sys_spawn(name, sizeof name - 1, "", 0);
    EXPECT(h >= 0, "spawn khelper");
    char b[32];
    EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) > 0, "it starts");
    EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED),
           "it is killed at the kernel access: its channel closes");
    sys_chan_close((uint32_t)h);
    struct tclient c;
    EXPECT(tconnect(&c), "the kernel carries on");
    AFTER_ON_TIME(&c, 1 * MS, "timers still work");
    tclose(&c);
}

/* Two apps spinning without syscalls: a timer wake-up preempts them rather
 * than waiting for the next 100 ms tick, and the tick shares the CPU between
 * them (their running times overlap). */
static void test_preemption(void)
{
    static const char name[] = "khelper", arg[] = "spin=250";
    int64_t h[2];
    if (!room_for(3, 6, 1, "two spinners beside a timer client"))
        return;
    for (int i = 0; i < 2; i++) {
        h[i] = sys_spawn(name, sizeof name - 1, arg, sizeof arg - 1);
        EXPECT(h[i] >= 0, "spawn a spinner");
    }
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    for (int i = 0; i < 10; i++)
        AFTER_ON_TIME(&c, 7 * MS, "on time while two apps spin");
    uint64_t span[2][2] = { { 0, 0 }, { 0, 0 } };
    for (int i = 0; i < 2; i++) {
        EXPECT(sys_chan_recv((uint32_t)h[i], span[i], sizeof span[i], NULL, NULL, 0) == sizeof span[i],
               "the spinner finished");
        sys_chan_close((uint32_t)h[i]);
    }
    EXPECT(span[0][0] < span[1][1] && span[1][0] < span[0][1], "round-robin: the two spinners overlapped");
    tclose(&c);
}

/* Sends past the queue depth block until the receiver makes room. */
static void test_blocking_send(void)
{
    enum { N = CHAN_QUEUE_DEPTH + 16 };
    static const char name[] = "khelper";
    char arg[16];
    if (!room_for(1, 2, CHAN_QUEUE_DEPTH, "filling a queue"))
        return;
    int len = snfmt(arg, sizeof arg, "drain=%u", (unsigned)N);
    int64_t h = sys_spawn(name, sizeof name - 1, arg, (uint64_t)len);
    EXPECT(h >= 0, "spawn a drainer");
    int sent = 0;
    for (int i = 0; i < N; i++)
        sent += sys_chan_send((uint32_t)h, "m", 1, NULL, 0, 0) == 0;
    EXPECT(sent == N, "every blocking send went through");
    uint32_t got = 0;
    EXPECT(sys_chan_recv((uint32_t)h, &got, sizeof got, NULL, NULL, 0) == sizeof got && got == N,
           "the drainer received them all");
    sys_chan_close((uint32_t)h);
}

/* ---------------------------------------------------------------- hostile apps */

static struct kernel_stats kstat(void)
{
    struct kernel_stats k;
    memset(&k, 0, sizeof k);
    EXPECT(sys_kstat(&k, sizeof k) == sizeof k, "kstat");
    return k;
}

/* The kernel is as it was: pages, ends, messages, tasks, this app's account. */
#define EXPECT_AS_BEFORE(b) expect_as_before((b), __LINE__)

static void expect_as_before(const struct kernel_stats *b, int line)
{
    struct kernel_stats k = kstat();
    expect(k.free_pages == b->free_pages, line, "free pages as before");
    expect(k.ends_in_use == b->ends_in_use, line, "ends in use as before");
    expect(k.msgs_queued == b->msgs_queued, line, "queued messages as before");
    expect(k.tasks == b->tasks, line, "tasks as before");
    expect(k.app_ends == b->app_ends && k.app_queued == b->app_queued && k.app_handles == b->app_handles, line,
           "this app's account as before");
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        expect(k.services[i].clients == b->services[i].clients, line, "every service's clients as before");
        expect(k.services[i].app_clients == b->services[i].app_clients, line, "this app's clients as before");
        expect(k.services[i].pending == b->services[i].pending, line, "every service's pending work as before");
    }
    if (k.free_pages != b->free_pages || k.ends_in_use != b->ends_in_use || k.tasks != b->tasks)
        printf("ktest:   now %lu pages %u ends %u msgs %u tasks; before %lu, %u, %u, %u\n",
               (unsigned long)k.free_pages, k.ends_in_use, k.msgs_queued, k.tasks,
               (unsigned long)b->free_pages, b->ends_in_use, b->msgs_queued, b->tasks);
}

#define CHAIN_HELPERS 7
/* Pairs in one helper's segment: as many as its ends allow, with room, and
 * its queued messages (a link each but the first, and its answer in up to
 * two messages: APP_MAX_QUEUED >= 2 by the schema's invariants). */
#define CHAIN_PAIRS MIN(APP_MAX_ENDS / 2 > 4 ? APP_MAX_ENDS / 2 - 4 : 1, APP_MAX_QUEUED - 1)

/* A helper's chain segment on h: its root and its deepest writer, in one
 * message (or one each when MAX_CAPS is 1). */
static bool chain_segment(int64_t h, uint32_t ends[2])
{
    uint32_t got[MAX_CAPS], n = 0, have = 0;
    char b[8];
    while (have < 2) {
        if (sys_chan_recv((uint32_t)h, b, sizeof b, got, &n, 0) != 5 || n == 0 || have + n > 2)
            return false;
        for (uint32_t i = 0; i < n; i++)
            ends[have++] = got[i];
    }
    return true;
}

/* Ends queued inside ends, CHAIN_HELPERS * CHAIN_PAIRS deep (helpers make
 * the segments on their accounts and hold them, this app links them),
 * then the root closed: the kernel frees the chain without recursing. */
static void test_cap_chain(void)
{
    struct kernel_stats before = kstat();
    char arg[24];
    /* the root, the writer, the helpers' channels (held) and a segment's two ends; a link message each */
    if (!room_for(CHAIN_HELPERS + 4, 2 * CHAIN_HELPERS, CHAIN_HELPERS - 1, "linking chain segments"))
        return;
    snfmt(arg, sizeof arg, "chain=%u", (unsigned)CHAIN_PAIRS);
    uint32_t root = 0, writer = 0;
    int64_t helpers[CHAIN_HELPERS];
    for (int k = 0; k < CHAIN_HELPERS; k++) {
        int64_t h = helpers[k] = spawn_helper(arg);
        uint32_t ends[2];
        EXPECT(chain_segment(h, ends), "a chain segment");
        if (k == 0) {
            root = ends[0];
        } else {
            EXPECT(sys_chan_send(writer, "link", 4, &ends[0], 1, 0) == 0, "linked below the last");
            sys_chan_close(writer);
        }
        writer = ends[1];
    }
    EXPECT(kstat().ends_in_use >= before.ends_in_use + CHAIN_HELPERS * CHAIN_PAIRS, "the chain is in the kernel");
    sys_chan_close(writer);
    sys_chan_close(root);
    for (int k = 0; k < CHAIN_HELPERS; k++)
        EXPECT(sys_kill((uint32_t)helpers[k]) == 0 && sys_chan_close((uint32_t)helpers[k]) == 0, "the helper ended");
    EXPECT_AS_BEFORE(&before);
}

/* Ends in each other's queues are refused: directly, through a third, and
 * an end into its own queue. A child looping on it leaks nothing. */
static void test_cap_cycles(void)
{
    struct kernel_stats before = kstat();
    if (!room_for(6, 6, 3, "three pairs"))
        return;
    for (int round = 0; round < 200; round++) {
        uint32_t a[2], b[2], c[2];
        EXPECT(sys_chan_create(a) == 0 && sys_chan_create(b) == 0 && sys_chan_create(c) == 0, "three pairs");
        EXPECT(sys_chan_send(a[0], "x", 1, &a[1], 1, 0) == ERR(INVALID), "an end into its own queue");
        EXPECT(sys_chan_send(a[0], "x", 1, &b[1], 1, 0) == 0, "b1 into a1's queue");
        uint32_t rest[2] = { c[0], a[1] };
        EXPECT(sys_chan_send(b[0], "x", 1, &a[1], 1, 0) == ERR(INVALID), "a1 into b1's queue: a cycle");
        EXPECT(sys_chan_send(c[0], "x", 1, &rest[1], 1, 0) == 0, "a1 into c1's queue");
        EXPECT(sys_chan_send(b[0], "x", 1, &c[1], 1, 0) == ERR(INVALID), "c1 into b1's queue: a cycle of three");
        EXPECT(sys_chan_send(b[0], "x", 1, &rest[0], 1, 0) == 0, "c0 into b1's queue is no cycle");
        sys_chan_close(a[0]);
        sys_chan_close(b[0]);
        sys_chan_close(c[1]);
        if (test_failed)
            break;
    }
    EXPECT_AS_BEFORE(&before);
}

static void test_shutdown_denied(void)
{
    struct kernel_stats before = kstat();
    int64_t h = spawn_helper("shutdown"), r = 0;
    EXPECT(helper_answer(h, &r, sizeof r) && r == ERR(DENIED), "a spawned app may not power off");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

static void test_block_and_kill(void)
{
    struct kernel_stats before = kstat();
    EXPECT(sys_block(0) == ERR(INVALID), "block(0) with an empty poll set: INVALID");
    int64_t h = spawn_helper("stuck");
    char b[8];
    EXPECT(helper_answer(h, b, 6), "the helper is about to block forever");
    EXPECT(sys_kill(BOOT_HANDLE) == ERR(INVALID), "kill on a channel that is no spawn channel");
    EXPECT(sys_kill(MAX_HANDLES) == ERR(BAD_HANDLE), "kill on no handle");
    EXPECT(sys_kill((uint32_t)h) == 0, "kill the stuck child");
    EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "its channel closed");
    EXPECT(sys_kill((uint32_t)h) == ERR(INVALID), "kill twice: INVALID");
    sys_chan_close((uint32_t)h);
    h = spawn_helper("spin=1000");
    EXPECT(sys_kill((uint32_t)h) == 0, "kill a spinning child");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

/* regs_across(num, seed, out): syscall num with every register but sp and
 * a7 set to seed + its number (a0, the first argument, is seed + 10), then
 * every register as the syscall left it stored in out[32]. The kernel saves
 * only the caller-saved registers on a trap and trusts C and swtch with the
 * rest (trapvec.S): this checks it, across switches. */
void regs_across(uint64_t num, uint64_t seed, uint64_t out[32]);
__asm__(".text\n"
        ".globl regs_across\n"
        "regs_across:\n"
        "addi sp, sp, -128\n"
        "sd ra, 0(sp)\n sd gp, 8(sp)\n sd tp, 16(sp)\n sd s0, 24(sp)\n sd s1, 32(sp)\n sd s2, 40(sp)\n"
        "sd s3, 48(sp)\n sd s4, 56(sp)\n sd s5, 64(sp)\n sd s6, 72(sp)\n sd s7, 80(sp)\n sd s8, 88(sp)\n"
        "sd s9, 96(sp)\n sd s10, 104(sp)\n sd s11, 112(sp)\n sd a2, 120(sp)\n"
        "mv a7, a0\n"
        "addi x1, a1, 1\n"
        "addi x3, a1, 3\n"
        "addi x4, a1, 4\n"
        "addi x5, a1, 5\n"
        "addi x6, a1, 6\n"
        "addi x7, a1, 7\n"
        "addi x8, a1, 8\n"
        "addi x9, a1, 9\n"
        "addi x12, a1, 12\n"
        "addi x13, a1, 13\n"
        "addi x14, a1, 14\n"
        "addi x15, a1, 15\n"
        "addi x16, a1, 16\n"
        "addi x18, a1, 18\n"
        "addi x19, a1, 19\n"
        "addi x20, a1, 20\n"
        "addi x21, a1, 21\n"
        "addi x22, a1, 22\n"
        "addi x23, a1, 23\n"
        "addi x24, a1, 24\n"
        "addi x25, a1, 25\n"
        "addi x26, a1, 26\n"
        "addi x27, a1, 27\n"
        "addi x28, a1, 28\n"
        "addi x29, a1, 29\n"
        "addi x30, a1, 30\n"
        "addi x31, a1, 31\n"
        "addi a0, a1, 10\n"
        "addi a1, a1, 11\n"
        "ecall\n"
        "sd t0, -8(sp)\n"   /* below sp: the kernel never touches an app's stack */
        "ld t0, 120(sp)\n"
        "sd x1, 8(t0)\n"
        "sd x3, 24(t0)\n"
        "sd x4, 32(t0)\n"
        "sd x6, 48(t0)\n"
        "sd x7, 56(t0)\n"
        "sd x8, 64(t0)\n"
        "sd x9, 72(t0)\n"
        "sd x10, 80(t0)\n"
        "sd x11, 88(t0)\n"
        "sd x12, 96(t0)\n"
        "sd x13, 104(t0)\n"
        "sd x14, 112(t0)\n"
        "sd x15, 120(t0)\n"
        "sd x16, 128(t0)\n"
        "sd x17, 136(t0)\n"
        "sd x18, 144(t0)\n"
        "sd x19, 152(t0)\n"
        "sd x20, 160(t0)\n"
        "sd x21, 168(t0)\n"
        "sd x22, 176(t0)\n"
        "sd x23, 184(t0)\n"
        "sd x24, 192(t0)\n"
        "sd x25, 200(t0)\n"
        "sd x26, 208(t0)\n"
        "sd x27, 216(t0)\n"
        "sd x28, 224(t0)\n"
        "sd x29, 232(t0)\n"
        "sd x30, 240(t0)\n"
        "sd x31, 248(t0)\n"
        "ld t1, -8(sp)\n sd t1, 40(t0)\n"
        "ld ra, 0(sp)\n ld gp, 8(sp)\n ld tp, 16(sp)\n ld s0, 24(sp)\n ld s1, 32(sp)\n ld s2, 40(sp)\n"
        "ld s3, 48(sp)\n ld s4, 56(sp)\n ld s5, 64(sp)\n ld s6, 72(sp)\n ld s7, 80(sp)\n ld s8, 88(sp)\n"
        "ld s9, 96(sp)\n ld s10, 104(sp)\n ld s11, 112(sp)\n"
        "addi sp, sp, 128\n"
        "ret\n");

/* The registers regs_across found changed (bit i: x_i), a0 and a7 aside. */
static uint64_t regs_changed(uint64_t num, uint64_t seed)
{
    uint64_t out[32], changed = 0;
    regs_across(num, seed, out);
    for (int i = 1; i < 32; i++)
        if (i != 2 && i != 10 && i != 17 && out[i] != seed + (uint64_t)i)
            changed |= 1ULL << i;
    if (changed)
        printf("ktest: syscall %lu changed registers: mask 0x%lx\n", num, changed);
    return changed;
}

/* An app's registers come back from every syscall as it left them but a0,
 * whatever ran meanwhile: another app spinning (its own values in every
 * register), the idle loop, a timer interrupt. */
static void test_registers_kept(void)
{
    EXPECT(regs_changed(SYS_time_now, 0x5a5a000000000000ULL) == 0, "time_now keeps every register");
    EXPECT(regs_changed(SYS_yield, 0x1234000000000000ULL) == 0, "yield keeps every register");
    EXPECT(regs_changed(SYS_block, time_now() + 2 * MS * TICKS_PER_US) == 0,
           "block until a deadline (idle meanwhile) keeps every register");
    int64_t h = spawn_helper("spin=1000");
    EXPECT(regs_changed(SYS_block, time_now() + 2 * MS * TICKS_PER_US) == 0,
           "block while another app spins keeps every register");
    EXPECT(regs_changed(SYS_yield, 0x77000000000000ULL) == 0, "yield to a spinning app keeps every register");
    EXPECT(h >= 0 && sys_kill((uint32_t)h) == 0, "kill the spinner");
    sys_chan_close((uint32_t)h);
}

/* Two channels that stay ready (a message left queued on each) take turns
 * in block: neither is returned twice in a row. */
static void test_block_fair(void)
{
    uint32_t p[2];
    if (!room_for(3, 4, 2, "a pair beside a timer client"))
        return;
    EXPECT(sys_chan_create(p) == 0, "a pair with a lower handle");
    struct tclient c;
    EXPECT(tconnect(&c), "connect");
    EXPECT(sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0, "a message left queued: p1 stays ready");
    sys_chan_poll_add((uint32_t)c.h);
    EXPECT(timer_after_send(&c.t, 1 * MS) == 0, "After(1 ms)");
    EXPECT(sys_block(0) == c.h, "Expired queued (and left there): the timer channel stays ready");
    sys_chan_poll_add(p[1]);
    int64_t last = -1;
    int turns[2] = { 0, 0 };
    for (int i = 0; i < 20; i++) {
        int64_t r = sys_block(0);
        EXPECT(r != last, "ready handles take turns");
        turns[r == c.h]++;
        last = r;
    }
    EXPECT(turns[0] == 10 && turns[1] == 10, "each ready handle got half the wake-ups");
    EXPECT(timer_after_recv(&c.t) == 0, "the Expired is still there");
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    tclose(&c);
}

/* Parks ends until chan_create says QUOTA. Each new pair (a, b) takes the
 * pair before it into its own queues, a's end in b's queue and b's in a's
 * (one end a message: any MAX_CAPS, any CHAN_QUEUE_DEPTH), so this app
 * holds one pair while every end it made stays charged to it. Returns the
 * last pair's handles in held (closing them frees the whole chain) and
 * the messages it queued. */
static uint32_t park_ends(uint32_t held[2])
{
    uint32_t pair[2], queued = 0;
    int64_t rc;
    EXPECT(sys_chan_create(held) == 0, "a first pair");
    while ((rc = sys_chan_create(pair)) == 0) {
        EXPECT(sys_chan_send(pair[0], "p", 1, &held[0], 1, CHAN_NONBLOCK) == 0 &&
                   sys_chan_send(pair[1], "p", 1, &held[1], 1, CHAN_NONBLOCK) == 0,
               "park the pair before in the new one");
        queued += 2;
        held[0] = pair[0];
        held[1] = pair[1];
        if (test_failed)
            break;
    }
    EXPECT(rc == ERR(QUOTA), "out of ends: QUOTA");
    return queued;
}

/* One app parks ends, queues messages and holds timers up to its quota:
 * it gets QUOTA, and a sibling still gets a channel and a timer. */
static void test_quotas(void)
{
    struct kernel_stats before = kstat();
    /* Ends: parking them costs a message each. */
    uint32_t held[2];
    if (room_for(4, APP_MAX_ENDS - 2, APP_MAX_ENDS - 4, "reaching the end quota")) {
        park_ends(held);
        EXPECT(kstat().app_ends == APP_MAX_ENDS || kstat().app_ends == APP_MAX_ENDS - 1, "at the end quota");
        static const char name[] = "khelper";
        EXPECT(sys_spawn(name, sizeof name - 1, "pair", 4) == ERR(QUOTA), "spawn needs ends of this app's own: QUOTA");
        sys_chan_close(held[0]);
        sys_chan_close(held[1]);
    }
    int64_t h = spawn_helper("pair"), r[2] = { -1, -1 };
    EXPECT(helper_answer(h, r, sizeof r) && r[0] == 0 && r[1] >= 0, "a sibling makes a channel and a timer");
    EXPECT(sys_kill((uint32_t)h) == 0, "kill it, holding what it made");
    sys_chan_close((uint32_t)h);
    /* Messages: fill queues until the queued-message quota (more queues
     * than the quota needs). */
    enum { QUEUES = APP_MAX_QUEUED / CHAN_QUEUE_DEPTH + 2 };
    static uint32_t q[QUEUES][2];
    if (room_for(2 * QUEUES, 2 * QUEUES, APP_MAX_QUEUED, "filling the queued-message quota in this app's queues")) {
        int sent = 0, pairs = 0;
        int64_t rc = 0;
        for (; pairs < QUEUES && rc != ERR(QUOTA) && sys_chan_create(q[pairs]) == 0; pairs++)
            while ((rc = sys_chan_send(q[pairs][0], "m", 1, NULL, 0, CHAN_NONBLOCK)) == 0)
                sent++;
        EXPECT(rc == ERR(QUOTA) && sent == (int)APP_MAX_QUEUED, "out of queued messages: QUOTA");
        EXPECT(kstat().app_queued == (uint32_t)sent, "kstat counts them");
        for (int i = 0; i < pairs; i++) {
            sys_chan_close(q[i][0]);
            sys_chan_close(q[i][1]);
        }
    }
    EXPECT_AS_BEFORE(&before);
}

static void test_small_abuses(void)
{
    struct kernel_stats before = kstat();
    uint32_t p[2];
    EXPECT(sys_chan_create(p) == 0, "a pair");
    EXPECT(sys_raw(SYS_chan_close, (1ULL << 32) + p[0], 0, 0, 0, 0, 0) == ERR(INVALID), "handle 2^32 + h: INVALID");
    EXPECT(sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0, "and h is still open");
    EXPECT(sys_raw(SYS_exit, 1ULL << 40, 0, 0, 0, 0, 0) == ERR(INVALID), "exit code beyond i32: INVALID");
    EXPECT(sys_raw(999, 0, 0, 0, 0, 0, 0) == ERR(NO_SYSCALL), "unknown syscall: NO_SYSCALL");
    EXPECT(kstat().unknown_syscalls == before.unknown_syscalls + 1, "counted, not printed");
    /* A range that starts in the app's stack and runs past USER_TOP. */
    EXPECT(sys_console_write((const void *)(0x80000000UL - 8), 16) == ERR(BAD_ADDRESS),
           "console_write past the end: BAD_ADDRESS, nothing written");
    static const char name[] = "khelper\0junk";
    EXPECT(sys_spawn(name, sizeof name - 1, "", 0) == ERR(NOT_FOUND), "spawn \"khelper\\0junk\": NOT_FOUND");
    EXPECT(sys_spawn("nosuchapp", 9, "", 0) == ERR(NOT_FOUND), "spawn of an app that does not exist: NOT_FOUND");
    EXPECT(sys_kstat(&before, sizeof before - 1) == ERR(BUFFER_TOO_SMALL), "kstat into a short buffer");
    EXPECT(sys_kstat((void *)0x80200000UL, sizeof before) == ERR(BAD_ADDRESS), "kstat into the kernel");
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    before.unknown_syscalls++;
    EXPECT_AS_BEFORE(&before);
}

/* Capabilities through the generated stubs over real channels: a reply
 * whose caps do not match its variant is BAD_CAP and every handle that came
 * with it is closed by the stub; a right one hands its channel over. */
static void test_stub_caps(void)
{
    struct kernel_stats before = kstat();
    uint32_t p[2], q[2], r[2];
    if (!room_for(6, 6, 1, "three pairs"))
        return;
    EXPECT(sys_chan_create(p) == 0 && sys_chan_create(q) == 0 && sys_chan_create(r) == 0, "three pairs");
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, p[1]);
    BootResponse reply;
    static const uint8_t ok[] = { BootResponse_Ok_tag };
    if (MAX_CAPS >= 2) {
        EXPECT(sys_chan_send(p[0], ok, 1, q, 2, 0) == 0, "Ok with two channels");
        EXPECT(boot_connect_service_recv(&t, &reply) == PROTO_ERR_BAD_CAP, "an extra cap: BAD_CAP");
        EXPECT(sys_chan_close(q[0]) == ERR(BAD_HANDLE) && sys_chan_close(q[1]) == ERR(BAD_HANDLE),
               "both handles it carried were closed by the stub");
    } else {
        printf("ktest:   not run with MAX_CAPS %u: a reply with an extra cap needs 2\n", (unsigned)MAX_CAPS);
        sys_chan_close(q[0]);
        sys_chan_close(q[1]);
    }
    EXPECT(sys_chan_send(p[0], ok, 1, NULL, 0, 0) == 0, "Ok without its channel");
    EXPECT(boot_connect_service_recv(&t, &reply) == PROTO_ERR_BAD_CAP, "a missing cap: BAD_CAP");
    EXPECT(sys_chan_send(p[0], ok, 1, &r[1], 1, 0) == 0, "Ok with its channel");
    EXPECT(boot_connect_service_recv(&t, &reply) == 0 && reply.tag == BootResponse_Ok_tag, "decodes");
    char b;
    EXPECT(sys_chan_send(r[0], "x", 1, NULL, 0, 0) == 0 &&
           sys_chan_recv(reply.u.Ok.channel, &b, 1, NULL, NULL, 0) == 1 && b == 'x', "and the channel works");
    sys_chan_close(reply.u.Ok.channel);
    sys_chan_close(r[0]);
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    EXPECT_AS_BEFORE(&before);
}

/* ---------------------------------------------------------------- soaks */

/* Sends n messages of len bytes through one pair, a queue's depth at a time. */
/* Sends end over ch, as the one cap of a message: the end moves. */
static bool give(uint32_t ch, uint32_t end)
{
    return sys_chan_send(ch, "end", 3, &end, 1, 0) == 0;
}

/* A child given our end of its own spawn channel kills itself with it: it
 * ends as by exit, and the kernel goes on. */
static void test_kill_self(void)
{
    struct kernel_stats before = kstat();
    if (!room_for(3, 4, 2, "a side channel to a child") || !helper_fits(2, 0, 1, "killing itself"))
        return;
    uint32_t side[2];
    int64_t h = spawn_helper("killself"), r = 0;
    EXPECT(sys_chan_create(side) == 0 && give((uint32_t)h, side[1]), "a side channel to the child");
    EXPECT(give(side[0], (uint32_t)h), "our end of its spawn channel, through it");
    EXPECT(sys_chan_recv(side[0], &r, sizeof r, NULL, NULL, 0) == ERR(CLOSED), "it ended: kill did not return");
    sys_chan_close(side[0]);
    EXPECT_AS_BEFORE(&before);
}

/* A child moves its end of the spawn channel to us, then is killed (the
 * end received, or still in flight) or exits: the end is cut wherever it
 * went, so nobody goes on talking to the parent as the child. */
static void test_moved_spawn_end(void)
{
    struct kernel_stats before = kstat();
    if (!room_for(4, 4, 2, "a side channel to a child") || !helper_fits(3, 2, 1, "moving its spawn end"))
        return;
    static const char *const how[] = { "move=stay", "move=stay", "move=exit" };
    for (int i = 0; i < 3; i++) {
        uint32_t side[2], moved = 0, n = 0;
        char b[8];
        int64_t h = spawn_helper(how[i]);
        EXPECT(sys_chan_create(side) == 0 && give((uint32_t)h, side[1]), "a side channel to the child");
        if (i == 0) {   /* received before the kill: it speaks for the child while the child runs */
            EXPECT(sys_chan_recv(side[0], b, sizeof b, &moved, &n, 0) == 5 && n == 1, "its spawn end, moved to us");
            EXPECT(sys_chan_send(moved, "as it", 5, NULL, 0, 0) == 0, "the moved end speaks");
            EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == 5, "and the parent hears it");
        }
        if (i < 2) {
            uint64_t wait = 0;
            while (i == 1 && sys_chan_recv(side[0], b, 0, NULL, NULL, CHAN_NONBLOCK) == ERR(WOULD_BLOCK) && wait++ < 100000)
                sys_yield();   /* until the end is in flight to us */
            EXPECT(sys_kill((uint32_t)h) == 0, "kill the child");
        }
        if (i > 0)
            EXPECT(sys_chan_recv(side[0], b, sizeof b, &moved, &n, 0) == 5 && n == 1, "its spawn end, moved to us");
        /* first: an exit is not over when its last message is out (a kill is) */
        EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "the parent sees CLOSED");
        EXPECT(sys_chan_send(moved, "imp", 3, NULL, 0, 0) == ERR(CLOSED), "the moved end is cut: sends are CLOSED");
        EXPECT(sys_chan_recv(moved, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "and receives");
        sys_chan_close(moved);
        sys_chan_close(side[0]);
        sys_chan_close((uint32_t)h);
    }
    EXPECT_AS_BEFORE(&before);
}

/* Waits (yielding, bounded) until kstat counts n tasks. */
static bool tasks_settle(uint32_t n)
{
    for (int i = 0; i < 100000; i++) {
        if (kstat().tasks == n)
            return true;
        sys_yield();
    }
    return false;
}

/* Children that each leave us an end and a message, and exit: what they
 * leave passes to us (their parent: we pay for it, within our quota, and
 * can free it), their task slots are free at once, so parking the ends of
 * more children than there are task slots never stops a spawn. */
static void test_leftovers(void)
{
    struct kernel_stats before = kstat();
    /* Parked in flight, one per message, in parking channels' queues:
     * NTASK of them, more than there are task slots. */
    enum { PARKS = NTASK / CHAN_QUEUE_DEPTH + 1 };
    static uint32_t park[PARKS][2];
    const uint32_t want = NTASK;
    if (!room_for(2 * PARKS + 3, 2 * PARKS + want + 2, want + 1, "parking NTASK ends") ||
        !helper_fits(2, 2, 2, "leaving an end"))
        return;
    for (uint32_t i = 0; i < PARKS; i++)
        EXPECT(sys_chan_create(park[i]) == 0, "a parking channel");
    uint32_t parked = 0;
    for (; parked < want && !test_failed; parked++) {
        int64_t h = spawn_helper("leave");
        uint32_t end = 0, n = 0;
        char b[8];
        EXPECT(h >= 0 && sys_chan_recv((uint32_t)h, b, sizeof b, &end, &n, 0) == 3 && n == 1, "the end it leaves");
        EXPECT(tasks_settle(before.tasks), "it exited, its slot free");
        if (parked == 0)
            EXPECT(kstat().app_queued == before.app_queued + 1, "its last message, unread, is on our account");
        EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == 3 &&
               sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "its last message, then CLOSED");
        EXPECT(sys_chan_send(park[parked / CHAN_QUEUE_DEPTH][0], "p", 1, &end, 1, 0) == 0, "parked");
        sys_chan_close((uint32_t)h);
    }
    struct kernel_stats k = kstat();
    EXPECT(k.tasks == before.tasks, "no task slot held by what ended apps left");
    EXPECT(k.app_ends == before.app_ends + 2 * PARKS + parked, "what they left is on our account");
    int64_t h = spawn_helper("leave");
    EXPECT(h >= 0, "and spawn still works");
    sys_chan_close((uint32_t)h);
    EXPECT(tasks_settle(before.tasks), "that one exited too");
    for (uint32_t i = 0; i < PARKS; i++) {
        sys_chan_close(park[i][0]);
        sys_chan_close(park[i][1]);
    }
    EXPECT_AS_BEFORE(&before);
}

/* kmem, spawned with arg; its first word read into b (n bytes) and checked. */
static int64_t spawn_kmem(const char *arg, const char *says)
{
    static const char name[] = "kmem";
    char b[16] = { 0 };
    int64_t h = sys_spawn(name, sizeof name - 1, arg, strlen(arg));
    if (h < 0)
        return h;
    if (says)
        EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b - 1, NULL, NULL, 0) == (int64_t)strlen(says) &&
               strcmp(b, says) == 0, "kmem says what it does");
    return h;
}

/* Memory mapped on first touch (kernel/vm.c): kmem's bss, promised when it
 * is spawned. A touch outside it, or a jump into it, kills the app; the
 * kernel's copies map the pages they reach; with every free page promised
 * (spawns refused NO_MEMORY), every child still touches all of its own;
 * a child killed half-way gives back what it took and what it did not. */
static void test_lazy_memory(void)
{
    enum { KIDS = NTASK };
    struct kernel_stats before = kstat();
    static const char *const killed[] = { "outside", "exec" };
    for (int i = 0; i < 2; i++) {
        int64_t h = spawn_kmem(killed[i], killed[i]);
        char b[8];
        EXPECT(h >= 0 && sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED),
               "killed at the touch: its channel closes");
        sys_chan_close((uint32_t)h);
    }
    EXPECT_AS_BEFORE(&before);
    if (!room_for(3, 6, 2, "kmem children"))
        return;
    int64_t h = spawn_kmem("half", "half");
    EXPECT(h >= 0 && kstat().free_pages < before.free_pages, "its memory is promised");
    EXPECT(h >= 0 && sys_kill((uint32_t)h) == 0, "kill it half-way through its memory");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
    /* Children until the pages run out: the spawn that finds too few to
     * promise is refused; those spawned touch all theirs all the same. */
    static int64_t kids[KIDS];
    uint32_t n = 0;
    uint64_t promise = 0;
    int64_t rc = 0;
    while (n < KIDS && n + 2 < MAX_HANDLES) {
        uint64_t free0 = kstat().free_pages;
        if ((rc = spawn_kmem("touch", NULL)) < 0)
            break;
        kids[n++] = rc;
        if (promise == 0)
            promise = free0 - kstat().free_pages;
    }
    struct kernel_stats k = kstat();
    if (rc == ERR(NO_MEMORY) && k.tasks < NTASK)   /* a slot was free: pages, then */
        EXPECT(k.free_pages < promise, "refused only once too few pages are left to promise");
    if (rc == ERR(NO_MEMORY) && k.free_pages < promise) {
        for (uint32_t i = 0; i < n; i++) {
            char b[16] = { 0 };
            EXPECT(sys_chan_send((uint32_t)kids[i], "hi", 2, NULL, 0, 0) == 0, "send into its untouched page");
            EXPECT(sys_chan_recv((uint32_t)kids[i], b, sizeof b - 1, NULL, NULL, 0) == 4 && strcmp(b, "okhi") == 0,
                   "it touched all its pages, zero each, with every free page promised");
        }
    } else {
        printf("ktest:   not run: %u kmem children (handles, task slots) did not use up the pages\n", n);
    }
    for (uint32_t i = 0; i < n; i++)
        sys_chan_close((uint32_t)kids[i]);
    EXPECT(tasks_settle(before.tasks), "they ended");
    EXPECT_AS_BEFORE(&before);
}

/* A chan_io over len bytes at buf. */
static struct chan_io io(const void *buf, uint64_t len)
{
    return (struct chan_io){ .buf = (uint64_t)(uintptr_t)buf, .len = len };
}

/* call and reply_recv: round trips with a server in reply_recv (handed
 * over and queued), and every abuse: a closed end, the server gone
 * mid-call, a deadline, nothing polled, a reply on no end, bad pointers,
 * a reply too long, a closed polled end, kill of an app blocked in call. */
static void test_call(void)
{
    static uint8_t kbig[REG_MSG_BYTES + 1], buf2[REG_MSG_BYTES + 8];
    for (unsigned i = 0; i < sizeof kbig; i++)
        kbig[i] = (uint8_t)(i * 7 + 1);
    struct kernel_stats before = kstat();
    if (!room_for(3, 4, 2, "a child and a pair") || !helper_fits(2, 2, 1, "calling"))
        return;
    uint8_t buf[16];
    char b[8];
    struct chan_io q = io("ping", 4), r = io(buf, sizeof buf);
    int64_t h = spawn_helper("serve");
    for (int i = 0; i < 200; i++) {   /* the chan_io form, then the register form (chan_call) */
        r = io(buf, sizeof buf);
        memset(buf, 0, sizeof buf);
        int64_t got = i < 100 ? sys_call((uint32_t)h, &q, &r, 0, 0, 0) : chan_call((uint32_t)h, &q, &r, 0);
        EXPECT(got == 4 && r.len == 4 && r.status == 0 && memcmp(buf, "ping", 4) == 0, "call: the server's answer");
    }
    struct chan_io big = io(kbig, REG_MSG_BYTES + 1);
    r = io(buf2, sizeof buf2);
    EXPECT(chan_call((uint32_t)h, &big, &r, 0) == REG_MSG_BYTES + 1 && memcmp(buf2, kbig, REG_MSG_BYTES + 1) == 0,
           "a request longer than the registers, queued, and its answer");
    EXPECT(sys_call((uint32_t)h, &q, &r, 0, CHAN_REG_OUT | 4 << CHAN_REG_LEN_SHIFT | ((uint64_t)CHAN_REG_LEN_MASK + 1) << CHAN_REG_LEN_SHIFT, 0) == ERR(INVALID),
           "flags out of range");
    if (CHAN_QUEUE_DEPTH >= 2) {   /* the server's replies never wait: both must fit our queue */
        EXPECT(sys_chan_send((uint32_t)h, "abc", 3, NULL, 0, 0) == 0 && sys_chan_send((uint32_t)h, "de", 2, NULL, 0, 0) == 0,
               "two requests queued by chan_send");
        EXPECT(sys_chan_recv((uint32_t)h, buf, sizeof buf, NULL, NULL, 0) == 3 &&
               sys_chan_recv((uint32_t)h, buf, sizeof buf, NULL, NULL, 0) == 2, "answered in order");
    }
    struct chan_io die = io("die", 3);
    r = io(buf, sizeof buf);
    EXPECT(sys_call((uint32_t)h, &die, &r, 0, 0, 0) == ERR(CLOSED), "the server gone mid-call: CLOSED");
    sys_chan_close((uint32_t)h);

    uint32_t p[2];
    EXPECT(r.len == 0 && r.status == ERR(CLOSED), "the reply's io says so");
    r = io(buf, sizeof buf);
    EXPECT(sys_chan_create(p) == 0, "a pair");
    EXPECT(sys_call(p[0], &q, &r, time_now() + 10 * MS * TICKS_PER_US, 0, 0) == ERR(WOULD_BLOCK), "call past its deadline");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 4, "the request was sent");
    EXPECT(sys_chan_send(p[1], "long reply", 10, NULL, 0, 0) == 0, "a reply too long for a 4-byte buffer");
    struct chan_io small = io(buf, 4);
    EXPECT(sys_call(p[0], &q, &small, 0, 0, 0) == ERR(BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL");
    EXPECT(sys_chan_recv(p[0], buf, sizeof buf, NULL, NULL, 0) == 10, "left queued");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 4, "the second request was sent");
    EXPECT(sys_call(p[0], (const void *)0x80200000UL, &r, 0, 0, 0) == ERR(BAD_ADDRESS), "a request in kernel memory");
    struct chan_io bad = io((void *)0x80200000UL, 8);
    EXPECT(sys_call(p[0], &q, &bad, 0, 0, 0) == ERR(BAD_ADDRESS), "a reply buffer in kernel memory");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, CHAN_NONBLOCK) == ERR(WOULD_BLOCK), "neither sent anything");
    EXPECT(sys_call(MAX_HANDLES, &q, &r, 0, 0, 0) == ERR(BAD_HANDLE), "call on no handle");
    if (room_for(5, 6, 2, "a reply carrying a handle")) {   /* the reply's handle comes back in both forms */
        for (int form = 0; form < 2; form++) {
            uint32_t x[2], got[MAX_CAPS] = { 0 };
            EXPECT(sys_chan_create(x) == 0 && sys_chan_send(p[1], "cap", 3, &x[0], 1, 0) == 0, "a reply with a handle, queued");
            r = io(buf, sizeof buf);
            r.caps = (uint64_t)(uintptr_t)got;
            EXPECT((form ? chan_call(p[0], &q, &r, 0) : sys_call(p[0], &q, &r, 0, 0, 0)) == 3 && r.ncaps == 1 &&
                       r.status == 0 && sys_chan_close(got[0]) == 0, "call: the reply and its handle");
            EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 4, "the request was sent");
            sys_chan_close(x[1]);
        }
    }
    EXPECT(sys_reply_recv(p[0], &q, &r, 0, 0, 0) == ERR(INVALID), "reply_recv with nothing polled: INVALID");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, CHAN_NONBLOCK) == ERR(WOULD_BLOCK), "and nothing sent");
    EXPECT(sys_chan_poll_add(p[1]) == 0, "poll the other end");
    EXPECT(sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0 &&
               sys_reply_recv(0, NULL, (void *)0x80200000UL, 0, CHAN_REG_IN, 16) == ERR(BAD_ADDRESS),
           "register form: a queued request into a chan_io in kernel memory: BAD_ADDRESS");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 1, "and it stays queued");
    EXPECT(sys_reply_recv(MAX_HANDLES, &q, &r, 0, 0, 0) == ERR(BAD_HANDLE), "a reply on no handle");
    r = io(buf, sizeof buf);
    EXPECT(sys_reply_recv(p[0], &q, &r, 0, 0, 0) == (int64_t)p[1] && r.len == 4 && r.status == 0,
           "our reply, then our own request back from the polled end");
    sys_chan_close(p[0]);
    r = io(buf, sizeof buf);
    EXPECT(sys_reply_recv(0, NULL, &r, 0, 0, 0) == (int64_t)p[1] && r.status == ERR(CLOSED), "a closed polled end: its status");
    sys_chan_close(p[1]);
    EXPECT(sys_chan_create(p) == 0 && sys_chan_close(p[1]) == 0, "a pair, one end closed");
    EXPECT(sys_call(p[0], &q, &r, 0, 0, 0) == ERR(CLOSED), "call on a closed channel");
    sys_chan_close(p[0]);

    h = spawn_helper("callstuck");
    EXPECT(helper_answer(h, b, 6), "the helper is about to block in call");
    EXPECT(sys_kill((uint32_t)h) == 0, "kill it, blocked in call");
    EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "it ended");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

/* What khelper "regpeek=M" marks its t0..t5 with (M + i) before it waits. */
#define REGPEEK_MARK 0x5e5e5e5e00000000ULL

/* A call in the register form: len bytes of w out in t0..t5, the answer
 * into r (a chan_io, as a queued message longer than the registers comes
 * back), deadline as call's. */
static int64_t raw_call(uint32_t h, const uint64_t w[6], uint64_t len, struct chan_io *r, uint64_t deadline)
{
    uint64_t words[6], a1;
    memcpy(words, w, sizeof words);
    return reg_ecall(SYS_call, h, 0, (uint64_t)(uintptr_t)r, deadline,
                     CHAN_REG_IN | CHAN_REG_OUT | len << CHAN_REG_LEN_SHIFT, REG_MSG_BYTES, words, &a1);
}

/* call's fast path (a message in registers to an app waiting in
 * reply_recv in registers): exactly the message's bytes cross, nothing of
 * the caller's registers past them (the last word's other bytes are
 * cleared, the words after it are the receiver's own), with a deadline
 * or without; a receiver killed while it waits leaves the caller CLOSED;
 * nothing is left behind. */
static void test_fast_path(void)
{
    static const uint64_t secret = 0xdeadbeefcafef00dULL;
    struct kernel_stats before = kstat();
    if (!room_for(1, 2, 1, "a register server") || !helper_fits(1, 0, 1, "a register server"))
        return;
    if (REG_MSG_BYTES < 3 || MAX_MSG_SIZE < 7 * 8) {
        printf("ktest:   not run with REG_MSG_BYTES %u, MAX_MSG_SIZE %u: the case sends 3 bytes in registers and "
               "the server answers 56\n", (unsigned)REG_MSG_BYTES, (unsigned)MAX_MSG_SIZE);
        return;
    }
    char arg[40];
    snfmt(arg, sizeof arg, "regpeek=%lu", (unsigned long)REGPEEK_MARK);
    int64_t h = spawn_helper(arg);
    if (h < 0)
        return;
    for (int i = 0; i < 3; i++)
        sys_yield();   /* it runs until it waits in reply_recv */
    static const uint64_t lens[] = { 3, 0, 8, 13, REG_MSG_BYTES };
    for (unsigned k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint64_t len = lens[k], w[6], got[8] = { 0 };
        if (len > REG_MSG_BYTES)
            continue;
        for (int i = 0; i < 6; i++)
            w[i] = secret + (uint64_t)i;
        struct chan_io r = io(got, sizeof got);
        uint64_t deadline = k == 2 ? time_now() + 3 * MS * TICKS_PER_US : 0;
        EXPECT(raw_call((uint32_t)h, w, len, &r, deadline) == 7 * 8 && r.status == 0, "fast call: the peek comes back");
        for (uint64_t i = 0; i < 6; i++) {
            uint64_t at = 8 * i;
            uint64_t want = len >= at + 8 ? w[i] : len > at ? w[i] & ~(~0ULL << 8 * (len - at)) : REGPEEK_MARK + i;
            EXPECT(got[i] == want, "the receiver sees the message's bytes and its own registers past them");
        }
        EXPECT(got[6] == (len << CHAN_REG_LEN_SHIFT | CHAN_REG_IN), "a1: the length, in registers");
        for (int i = 0; i < 3; i++)
            sys_yield();   /* it answered with chan_send and waits again */
    }
    EXPECT(sys_kill((uint32_t)h) == 0, "kill the server while it waits in reply_recv");
    uint64_t w[6] = { 1, 2, 3, 4, 5, 6 }, got[8];
    struct chan_io r = io(got, sizeof got);
    EXPECT(raw_call((uint32_t)h, w, 8, &r, 0) == ERR(CLOSED), "then a call to it is CLOSED");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

/* With no handle free, a connect is refused (Error quota) instead of
 * leaving its reply's end queued for the next connect to read. */
static void test_connect_no_handle(void)
{
    static uint32_t full[MAX_HANDLES / 2 + 1][2], extra[2];
    struct tclient c;
    if (room_for(MAX_HANDLES - 1, MAX_HANDLES, 0, "filling the handle table")) {
        struct kernel_stats before = kstat();
        uint32_t n = 0;
        bool have_extra = false;
        while (n < MAX_HANDLES / 2 + 1 && sys_chan_create(full[n]) == 0)
            n++;
        if (n > 0 && kstat().app_handles == MAX_HANDLES - 1) {   /* one left: make it none */
            sys_chan_close(full[n - 1][1]);
            full[n - 1][1] = MAX_HANDLES;   /* closed */
            have_extra = sys_chan_create(extra) == 0;
        }
        EXPECT(kstat().app_handles == MAX_HANDLES, "the handle table full");
        EXPECT(connect_service(TIMER_SERVICE_NAME, true) < 0 && boot_error_is(connect_error(), "quota"),
               "no handle free: Error quota");
        sys_chan_close(full[0][0]);
        EXPECT(tconnect(&c), "a handle free: connected, the refusal left nothing queued");
        tclose(&c);
        for (uint32_t i = 0; i < n; i++) {
            sys_chan_close(full[i][0]);   /* full[0][0] again: BAD_HANDLE, harmless */
            sys_chan_close(full[i][1]);
        }
        if (have_extra) {
            sys_chan_close(extra[0]);
            sys_chan_close(extra[1]);
        }
        EXPECT_AS_BEFORE(&before);
    }
}

#define FLOOD_ENDS 5

/* Timer channels we connected, given to a child that floods After { 0 }
 * and never reads: the replies are charged to the child (it asked for
 * them), never to us, and our own sends still go. */
static void test_others_replies(void)
{
    struct kernel_stats before = kstat();
    struct tclient c[FLOOD_ENDS];
    uint32_t n = 0, r[2] = { 0, 0 }, p[2];
    if (!room_for(4, 6, 2, "a child and a pair") || !helper_fits(1, 0, 3, "flooding timer channels"))
        return;
    /* as many as our handles and ends and the child's handles hold */
    uint32_t most = MIN(MIN(FLOOD_ENDS, MY_TIMERS_MAX), MIN(MAX_HANDLES - 4, MIN(MAX_HANDLES - 2, (APP_MAX_ENDS - 6) / 2)));
    while (n < most && tconnect(&c[n]))
        n++;
    char arg[16];
    snfmt(arg, sizeof arg, "flood=%u", (unsigned)n);
    int64_t h = spawn_helper(arg);
    for (uint32_t i = 0; i < n; i++)
        EXPECT(give((uint32_t)h, (uint32_t)c[i].h), "a timer channel to the child");
    EXPECT(n > 0 && helper_answer(h, r, sizeof r) && r[0] > 0, "the child flooded");
    EXPECT(r[1] > 0, "the replies it asked for are on its account");
    struct kernel_stats k = kstat();
    EXPECT(k.app_queued == before.app_queued, "none on ours");
    EXPECT(k.services[SERVICE_ID_timer].app_clients == before.services[SERVICE_ID_timer].app_clients + n,
           "the clients stay ours, as we connected them");
    EXPECT(sys_chan_create(p) == 0 && sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0, "our sends still go");
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    EXPECT(sys_kill((uint32_t)h) == 0, "kill the child");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

/* A child's boot channel in our hands: the timer clients we connect
 * through it are on our quota (we asked), none on the child's. */
static void test_others_boot(void)
{
    struct kernel_stats before = kstat();
    static int64_t t[MY_TIMERS_MAX];
    uint32_t boot = 0, n = 0, got = 0, r[2] = { 1, 0 };
    char b[8];
    if (!room_for(3, 4, 1, "another app's boot channel") || !helper_fits(0, 0, 1, "giving its boot channel"))
        return;
    /* our quota, or what our handles and ends hold */
    const uint32_t want = MIN(MY_TIMERS_MAX, MIN(MAX_HANDLES - 3, (APP_MAX_ENDS - 4) / 2));
    int64_t h = spawn_helper("giveboot");
    EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, &boot, &n, 0) == 4 && n == 1, "the child's boot channel");
    while (got < want && (t[got] = connect_service_at(boot, TIMER_SERVICE_NAME, true)) >= 0)
        got++;
    EXPECT(got == want, "as many timers as our quota (and room) allow, through its boot channel");
    EXPECT(kstat().services[SERVICE_ID_timer].app_clients == before.services[SERVICE_ID_timer].app_clients + got,
           "on our quota");
    EXPECT(sys_chan_send((uint32_t)h, "?", 1, NULL, 0, 0) == 0 && helper_answer(h, r, sizeof r), "the child answers");
    EXPECT(r[0] == 0, "none on the child's");
    for (uint32_t i = 0; i < got; i++)
        sys_chan_close((uint32_t)t[i]);
    sys_chan_close(boot);
    EXPECT(sys_kill((uint32_t)h) == 0, "kill the child");
    sys_chan_close((uint32_t)h);
    EXPECT_AS_BEFORE(&before);
}

/* A kernel service that waits with nothing queued takes a request in the
 * sender's own send, with no queue and no switch: floods, garbage, a
 * request at the queued-message quota, one with a cap (which takes the
 * queue) and a close right after a request all end as through the queue,
 * with the same answers, counters and charges. */
static void test_direct_requests(void)
{
    struct kernel_stats before = kstat();
    enum { QUEUES = APP_MAX_QUEUED / CHAN_QUEUE_DEPTH + 2 };
    static uint32_t q[QUEUES][2];
    static uint8_t junk[MAX_MSG_SIZE];
    struct tclient c;
    uint32_t p[2];
    if (!room_for(3, 4, 1, "a timer client and a pair"))
        return;
    EXPECT(tconnect(&c), "connect");
    /* A flood of After { 0 } that we never read: each expires at once, its
     * Expired queued on our end and charged to us, until that queue (or our
     * quota) is full; past the queue the service's replies fail (counted),
     * past our quota our sends are refused. */
    const uint32_t room = MIN(CHAN_QUEUE_DEPTH, APP_MAX_QUEUED - before.app_queued), n = room + 8;
    struct service_stats s0 = kstat().services[SERVICE_ID_timer];
    uint32_t sent = 0, refused = 0;
    for (uint32_t i = 0; i < n; i++) {
        int rc = timer_after_send(&c.t, 0);
        sent += rc == 0;
        refused += rc == ERR(QUOTA);
    }
    struct kernel_stats k = kstat();
    struct service_stats s1 = k.services[SERVICE_ID_timer];
    EXPECT(sent + refused == n && s1.served == s0.served + sent, "each After sent is served, the others QUOTA");
    EXPECT(refused == (APP_MAX_QUEUED - before.app_queued <= CHAN_QUEUE_DEPTH ? n - room : 0),
           "QUOTA only past our queued-message quota");
    EXPECT(s1.replies == s0.replies + room && s1.send_failed == s0.send_failed + (sent - room),
           "as many Expired as our queue holds, the rest counted as failed");
    EXPECT(k.app_queued == before.app_queued + room && k.msgs_queued == before.msgs_queued + room,
           "the Expired queued are charged to us");
    uint32_t got = 0;
    while (sys_chan_recv((uint32_t)c.h, junk, sizeof junk, NULL, NULL, CHAN_NONBLOCK) == 1 &&
           junk[0] == TimerResponse_Expired_tag)
        got++;
    EXPECT(got == room, "every queued Expired received");
    /* Garbage of every shape: counted as malformed, never answered. */
    uint32_t bad = 0;
    s0 = kstat().services[SERVICE_ID_timer];
    memset(junk, 0, sizeof junk);
    for (uint32_t len = 0; len <= MAX_MSG_SIZE; len += len < 16 ? 1 : 97, bad++) {
        junk[0] = len % 2 && len != TimerRequest_MAX_SIZE ? TimerRequest_After_tag : 0xee;   /* wrong length or tag */
        EXPECT(sys_chan_send((uint32_t)c.h, junk, len, NULL, 0, 0) == 0, "garbage sent");
    }
    EXPECT(kstat().services[SERVICE_ID_timer].malformed == s0.malformed + bad, "all of it counted as malformed");
    EXPECT(silent_for(c.h, 5 * MS), "no reply to garbage");
    AFTER_ON_TIME(&c, 1 * MS, "the client still works, on time");
    /* At our queued-message quota a request is refused as a queued one
     * would be, and not served. */
    if (room_for(2 * QUEUES + 1, 2 * QUEUES + 2, APP_MAX_QUEUED, "a timer client beside full queues")) {
        int pairs = 0;
        int64_t rc = 0;
        for (; pairs < QUEUES && rc != ERR(QUOTA) && sys_chan_create(q[pairs]) == 0; pairs++)
            while ((rc = sys_chan_send(q[pairs][0], "m", 1, NULL, 0, CHAN_NONBLOCK)) == 0)
                ;
        s0 = kstat().services[SERVICE_ID_timer];
        EXPECT(rc == ERR(QUOTA) && timer_after_send(&c.t, 0) == ERR(QUOTA), "After at our quota: QUOTA");
        EXPECT(kstat().services[SERVICE_ID_timer].served == s0.served, "and not served");
        for (int i = 0; i < pairs; i++) {
            sys_chan_close(q[i][0]);
            sys_chan_close(q[i][1]);
        }
    }
    /* A request with a cap takes the queue (the service runs before the
     * send returns to us): the service closes the cap and serves the bytes. */
    static const uint8_t after1ms[] = { TimerRequest_After_tag, 0xe8, 0x03, 0, 0, 0, 0, 0, 0 };
    s0 = kstat().services[SERVICE_ID_timer];
    EXPECT(sys_chan_create(p) == 0 && sys_chan_send((uint32_t)c.h, after1ms, sizeof after1ms, &p[1], 1, 0) == 0,
           "an After(1 ms) with a cap");
    EXPECT(sys_chan_recv(p[0], junk, sizeof junk, NULL, NULL, CHAN_NONBLOCK) == ERR(CLOSED), "the cap was closed");
    EXPECT(kstat().services[SERVICE_ID_timer].served == s0.served + 1, "the request served");
    EXPECT(timer_after_recv(&c.t) == 0, "its Expired");
    sys_chan_close(p[0]);
    /* A long timer, then the channel closed at once: nothing is left. */
    EXPECT(timer_after_send(&c.t, 1000 * MS) == 0, "After(1 s)");
    EXPECT(kstat().services[SERVICE_ID_timer].pending == before.services[SERVICE_ID_timer].pending + 1,
           "armed in the send");
    tclose(&c);
    for (int tries = 0; tries < 100 && kstat().ends_in_use != before.ends_in_use; tries++)
        sys_block(time_now() + 1000 * TICKS_PER_US);
    EXPECT_AS_BEFORE(&before);
}

/* A service's reply to an app that waits in call or reply_recv for it is
 * handed straight over (kernel/service.c, svc_send), as the fast path
 * hands over an app's: in registers (a1 says CHAN_REG_IN), or into the
 * chan_io, nothing queued. A wait it cannot complete (on another end, a
 * buffer too small) leaves it to the queue; an app killed while it waits
 * leaves nothing. */
static void test_service_hand_over(void)
{
    struct kernel_stats before = kstat();
    /* After { 1000 us }, and the flags of a register-form call sending it */
    static const uint8_t after1ms[] = { TimerRequest_After_tag, 0xe8, 0x03, 0, 0, 0, 0, 0, 0 };
    const uint64_t reg = CHAN_REG_IN | CHAN_REG_OUT | (uint64_t)sizeof after1ms << CHAN_REG_LEN_SHIFT;
    const uint64_t expired = (uint64_t)1 << CHAN_REG_LEN_SHIFT | CHAN_REG_IN;
    struct tclient a, b;
    uint32_t p[2];
    uint8_t buf[8];
    uint64_t w[6], a1;
    if (REG_MSG_BYTES < sizeof after1ms) {
        printf("ktest:   not run with REG_MSG_BYTES %u: an After in registers needs %u\n", (unsigned)REG_MSG_BYTES,
               (unsigned)sizeof after1ms);
        return;
    }
    if (!room_for(4, 6, 2, "two timer clients and a pair") || !timers_for(2, "two timer clients"))
        return;
    EXPECT(tconnect(&a) && tconnect(&b), "two timer clients");
    sys_chan_poll_add((uint32_t)a.h);
    sys_chan_poll_add((uint32_t)b.h);
    /* reply_recv (no chan_io: a queued reply would be BAD_ADDRESS) */
    memset(w, 0, sizeof w);
    memcpy(w, after1ms, sizeof after1ms);
    uint64_t t0 = time_now();
    int64_t rc = reg_ecall(SYS_reply_recv, (uint64_t)b.h, 0, 0, 0, reg, 8, w, &a1);
    EXPECT(rc == b.h && a1 == expired && (w[0] & 0xff) == TimerResponse_Expired_tag &&
           on_time(time_now() - t0, 1 * MS), "reply_recv: Expired handed over in registers, on b, on time");
    /* call */
    memset(w, 0, sizeof w);
    memcpy(w, after1ms, sizeof after1ms);
    rc = reg_ecall(SYS_call, (uint64_t)a.h, 0, 0, 0, reg, 8, w, &a1);
    EXPECT(rc == 1 && a1 == expired && (w[0] & 0xff) == TimerResponse_Expired_tag,
           "call: Expired handed over in registers");
    /* call with chan_io */
    struct chan_io q = { .buf = (uint64_t)(uintptr_t)after1ms, .len = sizeof after1ms },
                   r = { .buf = (uint64_t)(uintptr_t)buf, .len = sizeof buf };
    buf[0] = 0xee;
    EXPECT(sys_call((uint32_t)a.h, &q, &r, 0, 0, 0) == 1 && r.len == 1 && r.status == 0 &&
           buf[0] == TimerResponse_Expired_tag, "call with a chan_io: Expired handed over into it");
    EXPECT(kstat().msgs_queued == before.msgs_queued, "nothing left queued");
    /* waiting on another end: the Expired takes the queue */
    EXPECT(sys_chan_create(p) == 0, "a pair");
    EXPECT(timer_after_send(&a.t, 1 * MS) == 0, "After(1 ms) on a");
    q = (struct chan_io){ .buf = (uint64_t)(uintptr_t)"x", .len = 1 };
    r = (struct chan_io){ .buf = (uint64_t)(uintptr_t)buf, .len = sizeof buf };
    EXPECT(sys_call(p[0], &q, &r, time_now() + 3 * MS * TICKS_PER_US, 0, 0) == ERR(WOULD_BLOCK),
           "a call on the pair times out");
    EXPECT(sys_chan_recv(p[1], buf, sizeof buf, NULL, NULL, 0) == 1, "(its request)");
    EXPECT(sys_chan_recv((uint32_t)a.h, buf, sizeof buf, NULL, NULL, CHAN_NONBLOCK) == 1 &&
           buf[0] == TimerResponse_Expired_tag, "a's Expired was queued meanwhile");
    /* a buffer too small: queued, then BUFFER_TOO_SMALL with its length */
    memset(w, 0, sizeof w);
    memcpy(w, after1ms, sizeof after1ms);
    r = (struct chan_io){ .buf = (uint64_t)(uintptr_t)buf, .len = 0 };
    rc = reg_ecall(SYS_reply_recv, (uint64_t)b.h, 0, (uint64_t)(uintptr_t)&r, 0, reg, 0, w, &a1);
    EXPECT(rc == b.h && r.status == ERR(BUFFER_TOO_SMALL) && r.len == 1 && !(a1 & CHAN_REG_IN),
           "no room: queued, then BUFFER_TOO_SMALL in its chan_io");
    EXPECT(sys_chan_recv((uint32_t)b.h, buf, sizeof buf, NULL, NULL, CHAN_NONBLOCK) == 1, "and still queued");
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    tclose(&a);
    tclose(&b);
    /* killed while it waits in call for its timer, which expires after */
    int64_t h = spawn_helper("sleep=5");
    char says[8] = { 0 };
    EXPECT(h >= 0 && sys_chan_recv((uint32_t)h, says, sizeof says, NULL, NULL, 0) == 6 &&
           memcmp(says, "asleep", 6) == 0, "a child waits in call for a 5 ms timer");
    EXPECT(h >= 0 && sys_kill((uint32_t)h) == 0, "killed before it expires");
    sys_chan_close((uint32_t)h);
    sys_block(time_now() + 10 * MS * TICKS_PER_US);   /* past its deadline */
    EXPECT_AS_BEFORE(&before);
}

static void soak_messages(uint32_t n, uint32_t len)
{
    static uint8_t buf[MAX_MSG_SIZE];
    struct kernel_stats before = kstat();
    uint32_t p[2], moved = 0;
    EXPECT(sys_chan_create(p) == 0, "a pair");
    while (moved < n) {
        uint32_t batch = MIN(n - moved, MIN(CHAN_QUEUE_DEPTH, APP_MAX_QUEUED)), ok = 0;
        for (uint32_t i = 0; i < batch; i++)
            ok += sys_chan_send(p[0], buf, len, NULL, 0, CHAN_NONBLOCK) == 0;
        for (uint32_t i = 0; i < batch; i++)
            ok += sys_chan_recv(p[1], buf, sizeof buf, NULL, NULL, CHAN_NONBLOCK) == (int64_t)len;
        if (ok != 2 * batch) {
            EXPECT(false, "every message through");
            break;
        }
        moved += batch;
    }
    sys_chan_close(p[0]);
    sys_chan_close(p[1]);
    EXPECT_AS_BEFORE(&before);
}

static void test_soak_small_messages(void)
{
    soak_messages(1000000, 8);
}

static void test_soak_big_messages(void)
{
    soak_messages(100000, MAX_MSG_SIZE);
}

static void test_soak_channels(void)
{
    struct kernel_stats before = kstat();
    for (int i = 0; i < 10000; i++) {
        uint32_t p[2];
        if (sys_chan_create(p) != 0) {
            EXPECT(false, "chan_create");
            break;
        }
        sys_chan_close(p[i & 1]);
        sys_chan_close(p[!(i & 1)]);
    }
    EXPECT_AS_BEFORE(&before);
}

static void test_soak_timer_clients(void)
{
    struct kernel_stats before = kstat();
    for (int i = 0; i < 10000; i++) {
        struct tclient c;
        if (!tconnect(&c)) {
            EXPECT(false, "connect");
            break;
        }
        if (i % 2)
            EXPECT(timer_after_send(&c.t, 1000 * MS) == 0, "closed with a timer pending");
        tclose(&c);
    }
    EXPECT_AS_BEFORE(&before);
}

/* Children that exit, exit holding handles, messages and a timer, or are
 * killed while blocked. */
static void test_soak_spawns(void)
{
    static const char *const kinds[3] = { "drain=0", "litter", "stuck" };
    struct kernel_stats before = kstat();
    for (int i = 0; i < 1000; i++) {
        int64_t h = spawn_helper(kinds[i % 3]);
        char b[8];
        if (h < 0 || sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) <= 0) {
            EXPECT(false, "the child answers");
            break;
        }
        if (i % 3 == 2)
            EXPECT(sys_kill((uint32_t)h) == 0, "kill");
        EXPECT(sys_chan_recv((uint32_t)h, b, sizeof b, NULL, NULL, 0) == ERR(CLOSED), "it ended");
        sys_chan_close((uint32_t)h);
    }
    EXPECT_AS_BEFORE(&before);
}

/* The test schemas' suites built into this image (configure.lua names them
 * from the probe schema's manifest: the schema that covers every wire type
 * and extensible messages); none when the limits refuse the probe schema. */
#ifdef KTEST_TEST_SUITES
#define X(suite) extern const proto_vector_suite suite;
KTEST_TEST_SUITES
#undef X
#define X(suite) &suite,
static const proto_vector_suite *const test_suites[] = { KTEST_TEST_SUITES };
#undef X
#define TEST_SUITES (sizeof test_suites / sizeof test_suites[0])
#else
static const proto_vector_suite *const test_suites[1];
#define TEST_SUITES 0
#endif

/* The conformance vectors of the Lua reference codec (gen/wire_ref.lua) on
 * the RISC-V build of the generated codecs, every protocol's (the generated
 * registry) and the test schemas': the same tables the host runs. Among
 * them, an extensible message's from an older peer (shorter than its
 * re-encoding: trailing opt fields absent) and from a newer one (longer:
 * bytes after the known fields skipped). */
static void test_conformance_vectors(void)
{
    /* The decoders read each input where it is (an input may be longer than
     * MAX_MSG_SIZE: a trailing byte after a message of MAX_MSG_SIZE); what
     * they re-encode is a message of this side's, within it. */
    static uint8_t out[MAX_MSG_SIZE];
    unsigned ran = 0, want = 0, older = 0, newer = 0;
    for (unsigned s = 0; s < PROTO_VECTOR_SUITES + TEST_SUITES; s++) {
        const proto_vector_suite *suite = s < PROTO_VECTOR_SUITES ? proto_vector_suites[s]
                                                                  : test_suites[s - PROTO_VECTOR_SUITES];
        want += suite->count;
        for (size_t i = 0; i < suite->count; i++) {
            const proto_vector *v = &suite->vectors[i];
            proto_err got;
            EXPECT(v->max_size <= sizeof out, "a message within MAX_MSG_SIZE");
            const char *why = proto_vector_run(v, v->in, out, sizeof out, &got);
            EXPECT(why == NULL, "a conformance vector");
            if (why != NULL)
                printf("ktest:   %s \"%s\": %s (expected %s, decoder gave %s)\n", v->message, v->name, why,
                       proto_strerror(v->expect), proto_strerror(got));
            older += why == NULL && v->expect == PROTO_OK && v->in_len < v->out_len;
            newer += why == NULL && v->expect == PROTO_OK && v->in_len > v->out_len;
            ran++;
        }
    }
    EXPECT(ran == want && ran > 0, "every vector ran");
    printf("ktest:   %u conformance vectors of %u protocols (%u of them the test schemas'); extensible messages: "
           "%u read from an older peer, %u from a newer one\n",
           ran, (unsigned)(PROTO_VECTOR_SUITES + TEST_SUITES), (unsigned)TEST_SUITES, older, newer);
    if (TEST_SUITES == 0)
        printf("ktest:   not run: the test schemas' vectors (the probe schema is refused under these limits)\n");
    else
        EXPECT(older > 0 && newer > 0, "extensible messages read both ways");
}

/* Takes every reply queued on h, closing the caps that came with them. */
static void drop_replies(uint32_t h)
{
    static uint8_t buf[MAX_MSG_SIZE];
    uint32_t caps[MAX_CAPS], ncaps;
    while (sys_chan_recv(h, buf, sizeof buf, caps, &ncaps, CHAN_NONBLOCK) >= 0)
        for (uint32_t i = 0; i < ncaps; i++)
            sys_chan_close(caps[i]);
}

/* Every service of the generated registry, each reached as an app reaches
 * it (its attach handle, or connect_service by name), is sent every request
 * vector of its protocol: those that decode are served, the others counted
 * as malformed, nothing is left behind. With `trace-ipc`, each service's
 * requests show in the trace (tests/kernel/trace-test). */
static void test_services(void)
{
    struct kernel_stats before = kstat();
    for (uint32_t id = 0; id < SERVICE_COUNT; id++) {
        const struct service_info *si = service_info(id);
        const proto_vector_suite *suite = NULL;
        for (uint32_t s = 0; s < PROTO_VECTOR_SUITES; s++)
            if (strcmp(proto_vector_suites[s]->protocol, si->protocol) == 0)
                suite = proto_vector_suites[s];
        EXPECT(suite != NULL, "the service's protocol has conformance vectors");
        int64_t h = si->attach >= 0 ? si->attach : connect_service(si->name, false);
        EXPECT(h >= 0, "the service is reached as an app reaches it");
        if (suite == NULL || h < 0)
            continue;
        struct kernel_stats k0 = kstat();
        uint64_t ok = 0, bad = 0;
        for (size_t i = 0; i < suite->count; i++) {
            const proto_vector *v = &suite->vectors[i];
            if (strcmp(v->message, si->request) != 0 || v->ncaps > 0)
                continue;   /* a service's requests carry no caps */
            EXPECT(sys_chan_send((uint32_t)h, v->in, v->in_len, NULL, 0, 0) == 0, "a request vector sent");
            ok += v->expect == PROTO_OK;
            bad += v->expect != PROTO_OK;
            sys_yield();   /* the service runs */
            drop_replies((uint32_t)h);
        }
        struct kernel_stats k = kstat();
        for (int tries = 0; tries < 100 && k.services[id].served + k.services[id].malformed <
                                              k0.services[id].served + k0.services[id].malformed + ok + bad; tries++) {
            sys_block(time_now() + 1000 * TICKS_PER_US);
            k = kstat();
        }
        EXPECT(ok > 0 && bad > 0, "valid and malformed vectors");
        EXPECT(k.services[id].served == k0.services[id].served + ok, "every valid request served");
        EXPECT(k.services[id].malformed == k0.services[id].malformed + bad, "every malformed one counted");
        printf("ktest:   %s: %lu requests served, %lu malformed\n", si->name, (unsigned long)ok, (unsigned long)bad);
        drop_replies((uint32_t)h);
        if (si->attach < 0)
            sys_chan_close((uint32_t)h);
    }
    for (int tries = 0; tries < 100 && kstat().ends_in_use != before.ends_in_use; tries++)
        sys_block(time_now() + 1000 * TICKS_PER_US);
    EXPECT_AS_BEFORE(&before);
}

struct test {
    const char *name;
    void (*fn)(void);
};

static const struct test tests[] = {
    { "one-shot timer", test_one_shot },
    { "repeated timers on one channel", test_repeated },
    { "replace: long then short fires once, at the short deadline", test_replace },
    { "0 us and 1 us", test_zero_and_one },
    { "UINT64_MAX then a short After", test_saturation },
    { "two clients, 5 ms and 50 ms, both send orders", test_two_clients },
    { "every timer client at once (MAX_TIMER_CLIENTS), the next refused, close frees the slot", test_all_clients },
    { "garbage, truncated, unknown-tag requests ignored", test_malformed },
    { "reactor: chan_poll_add + block", test_reactor },
    { "channels: limits, errors, handles carried", test_channels },
    { "blocking send waits for room", test_blocking_send },
    { "boot channel errors", test_boot_errors },
    { "an app touching kernel memory is killed", test_fault_killed },
    { "preemption: timer wake-ups and round-robin between spinners", test_preemption },
    { "hostile: a deep chain of ends inside ends closes without recursion", test_cap_chain },
    { "hostile: capability cycles are refused and leak nothing", test_cap_cycles },
    { "hostile: a spawned app cannot power off", test_shutdown_denied },
    { "hostile: block(0) on nothing, kill a stuck child", test_block_and_kill },
    { "hostile: an always-ready channel does not starve another", test_block_fair },
    { "hostile: quotas on ends, messages, timers", test_quotas },
    { "hostile: 64-bit handles, partial ranges, NUL names, unknown calls", test_small_abuses },
    { "capabilities through the generated stubs: extra, missing, right", test_stub_caps },
    { "call and reply_recv: round trips, and every abuse", test_call },
    { "call's fast path: only the message's bytes cross, a receiver killed", test_fast_path },
    { "registers: a syscall keeps every register but a0, across switches", test_registers_kept },
    { "hostile: a child kills itself with our end of its spawn channel", test_kill_self },
    { "hostile: a child's spawn end moved away is cut when it is killed or exits", test_moved_spawn_end },
    { "hostile: what ended children leave is their parent's, never a task slot", test_leftovers },
    { "hostile: memory mapped on first touch: outside it killed, all promised, never short", test_lazy_memory },
    { "hostile: a connect with no handle free is refused, nothing left queued", test_connect_no_handle },
    { "hostile: replies to timer channels we gave away are charged to who asked", test_others_replies },
    { "hostile: timers connected through another app's boot channel are the asker's", test_others_boot },
    { "hostile: requests a waiting service takes in the sender's send", test_direct_requests },
    { "a service's reply handed to an app waiting for it; else queued; killed waiting", test_service_hand_over },
    { "soak: 1M small messages, kernel as before", test_soak_small_messages },
    { "soak: 100k messages of MAX_MSG_SIZE, kernel as before", test_soak_big_messages },
    { "soak: 10k channel create/close, kernel as before", test_soak_channels },
    { "soak: 10k timer connect/close, kernel as before", test_soak_timer_clients },
    { "soak: 1k spawns (exit, exit holding handles, killed), kernel as before", test_soak_spawns },
    { "conformance vectors", test_conformance_vectors },
    { "services: every request vector of every service", test_services },
};

/* name contains word (an empty word is in every name). */
static bool has_word(const char *name, const char *word)
{
    size_t n = strlen(word);
    for (; *name; name++)
        if (strncmp(name, word, n) == 0)
            return true;
    return n == 0;
}

/* ktest runs every test; ktest=WORD those whose name contains WORD. */
int main(const char *arg)
{
    unsigned n = 0, bad = 0;
    for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (!has_word(tests[i].name, arg))
            continue;
        n++;
        test_failed = 0;
        tests[i].fn();
        bad += test_failed != 0;
        printf("ktest: %s %s\n", test_failed ? "FAIL" : "ok  ", tests[i].name);
    }
    printf("ktest: %u/%u tests passed, %d/%d checks failed\n", n - bad, n, failed, checks);
    printf("ktest: %u passed, %u failed\n", n - bad, bad);
    sys_shutdown(bad ? 1 : 0);
    return 0;
}
