/* ktest: the in-guest test suite. Runs under -icount (ninja ktest), where
 * guest time is exact, so "on time" means no earlier than asked and at most
 * LATE_US later. Prints one line per test and a summary, then powers off
 * with code 0 only if every check passed. */
#include "boot_client.h"    /* generated */
#include "timer_client.h"   /* generated */
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
    expect(rc == 0 && on_time(time_now() - t0, us), line, what);
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

/* Two clients, deadlines first_us then second_us, sent in that order. */
static void two_clients(uint64_t first_us, uint64_t second_us)
{
    struct tclient a, b;
    EXPECT(tconnect(&a) && tconnect(&b), "connect two");
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

static void test_all_clients(void)
{
    static struct tclient c[MAX_TIMER_CLIENTS];
    int connected = 0;
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        connected += tconnect(&c[i]);
    EXPECT(connected == (int)MAX_TIMER_CLIENTS, "MAX_TIMER_CLIENTS connect");
    int64_t extra = connect_service(TIMER_SERVICE_NAME, true);
    EXPECT(extra < 0 && strcmp(connect_error(), "busy") == 0, "the next one is refused: busy");
    uint64_t t0 = time_now();
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        EXPECT(timer_after_send(&c[i].t, 10 * MS + i * 100) == 0, "send");
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++) {
        EXPECT(timer_after_recv(&c[i].t) == 0, "Expired");
        EXPECT(on_time(time_now() - t0, 10 * MS + i * 100), "each of 32 on time");
    }
    /* A client closing with a pending timer frees its slot and its timer. */
    EXPECT(timer_after_send(&c[7].t, 5 * MS) == 0, "send, then close");
    tclose(&c[7]);
    EXPECT(tconnect(&c[7]), "the freed slot is reused");
    EXPECT(silent_for(c[7].h, 20 * MS), "the closed client's timer does not reach the new one");
    AFTER_ON_TIME(&c[7], 1 * MS, "the new client works, on time");
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
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
    EXPECT(sent == (int)CHAN_QUEUE_DEPTH, "queue depth CHAN_QUEUE_DEPTH");
    EXPECT(sys_chan_send(p[0], "m", 1, NULL, 0, CHAN_NONBLOCK) == ERR(WOULD_BLOCK), "full: WOULD_BLOCK");
    EXPECT(sys_chan_send(77, "m", 1, NULL, 0, 0) == ERR(BAD_HANDLE), "bad handle");
    EXPECT(sys_chan_send(p[0], (void *)0x80200000UL, 4, NULL, 0, CHAN_NONBLOCK) == ERR(BAD_ADDRESS),
           "kernel pointer: BAD_ADDRESS");
    EXPECT(sys_console_write((void *)0x80200000UL, 4) == ERR(BAD_ADDRESS), "console_write checks too");
    EXPECT(sys_chan_create((void *)0x80200000UL) == ERR(BAD_ADDRESS), "chan_create checks ends");
    /* Carry q[1] across p; the receiver gets a working handle. */
    EXPECT(sys_chan_create(q) == 0, "second channel");
    for (int i = 0; i < sent; i++)
        sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0);
    EXPECT(sys_chan_send(p[0], "x", 1, NULL, 0, 0) == 0, "a message to receive");
    EXPECT(sys_chan_recv(p[1], (void *)0x80200000UL, 8, NULL, NULL, 0) == ERR(BAD_ADDRESS),
           "recv into kernel memory: BAD_ADDRESS");
    EXPECT(sys_chan_recv(p[1], (void *)(USER_TEXT), 8, NULL, NULL, 0) == ERR(BAD_ADDRESS),
           "recv into read-only app text: BAD_ADDRESS");
    EXPECT(sys_chan_recv(p[1], b, sizeof b, NULL, NULL, 0) == 1, "the message stayed queued");
    uint32_t caps[MAX_CAPS], ncaps = 0;
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
    EXPECT(connect_service("no-such-service", true) < 0 && strcmp(connect_error(), "not found") == 0,
           "unknown name: Error not found");
    static const uint8_t junk[] = { 9, 9, 9 };
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, BOOT_HANDLE);
    BootResponse r;
    EXPECT(t.send(t.ctx, junk, sizeof junk) == 0, "send junk to boot");
    EXPECT(boot_connect_service_recv(&t, &r) == 0 && r.tag == BootResponse_Error_tag, "junk: an Error reply");
    /* ConnectService { "timer\0x" }: a NUL inside the name must not match "timer". */
    static const uint8_t nul_name[] = { BootRequest_ConnectService_tag, 7, 0, 't', 'i', 'm', 'e', 'r', 0, 'x' };
    EXPECT(t.send(t.ctx, nul_name, sizeof nul_name) == 0, "send a name with a NUL inside");
    EXPECT(boot_connect_service_recv(&t, &r) == 0 && r.tag == BootResponse_Error_tag &&
           strcmp(r.u.Error.message.data, "not found") == 0, "name with a NUL inside: Error not found");
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
    { "32 clients at once, 33rd refused, close frees the slot", test_all_clients },
    { "garbage, truncated, unknown-tag requests ignored", test_malformed },
    { "reactor: chan_poll_add + block", test_reactor },
    { "channels: limits, errors, handles carried", test_channels },
    { "blocking send waits for room", test_blocking_send },
    { "boot channel errors", test_boot_errors },
    { "an app touching kernel memory is killed", test_fault_killed },
    { "preemption: timer wake-ups and round-robin between spinners", test_preemption },
};

int main(const char *arg)
{
    (void)arg;
    unsigned n = sizeof tests / sizeof tests[0], bad = 0;
    for (unsigned i = 0; i < n; i++) {
        test_failed = 0;
        tests[i].fn();
        bad += test_failed != 0;
        printf("ktest: %s %s\n", test_failed ? "FAIL" : "ok  ", tests[i].name);
    }
    printf("ktest: %u/%u tests passed, %d/%d checks failed\n", n - bad, n, failed, checks);
    sys_shutdown(bad ? 1 : 0);
    return 0;
}
