/* demo: the main job. Starts the reactor app next to itself, then drives
 * three timer clients: one-shot timers, repeated timers on one channel, then
 * all three pending at once and woken in deadline order. Prints requested
 * and measured microseconds per request, waits for the reactor's result,
 * then powers the machine off: pass when every timer fired, none early,
 * and the reactor passed. */
#include "timer_client.h"   /* generated */
#include "ulib.h"

static int failures;

static void check(const char *what, uint64_t requested, uint64_t start, uint64_t end)
{
    uint64_t measured = ticks_to_us(end - start);
    bool early = end - start < requested * TICKS_PER_US;
    printf("demo: %-10s requested %6lu us  measured %6lu us%s\n", what, requested, measured,
           early ? "  EARLY" : "");
    failures += early;
}

/* One blocking timer_after on t. */
static void one(proto_transport *t, const char *what, uint64_t us)
{
    uint64_t start = time_now();
    int rc = timer_after(t, us);
    uint64_t end = time_now();
    if (rc != 0) {
        printf("demo: %s: timer_after: %s\n", what, proto_strerror(rc));
        failures++;
        return;
    }
    check(what, us, start, end);
}

/* Three requests pending at once on three channels, received as they expire. */
static void together(proto_transport *t, int64_t *h)
{
    static const uint64_t us[3] = { 30000, 10000, 20000 };
    uint64_t start = time_now();
    for (int i = 0; i < 3; i++) {
        if (timer_after_send(&t[i], us[i]) != 0 || sys_chan_poll_add((uint32_t)h[i]) < 0)
            failures++;
    }
    for (int got = 0; got < 3; got++) {
        int64_t ready = sys_block(0);
        int i = ready == h[0] ? 0 : ready == h[1] ? 1 : ready == h[2] ? 2 : -1;
        if (i < 0 || timer_after_recv(&t[i]) != 0) {
            printf("demo: together: block returned %ld\n", ready);
            failures++;
            continue;
        }
        char what[16];
        snfmt(what, sizeof what, "client%d", i);
        check(what, us[i], start, time_now());
    }
}

/* Starts the reactor app; returns the channel it reports on, or -1. */
static int64_t start_reactor(void)
{
    static const char name[] = "reactor";
    int64_t h = sys_spawn(name, sizeof name - 1, "", 0);
    if (h < 0)
        printf("demo: spawn reactor: %ld\n", h);
    return h;
}

/* The reactor's one-byte result (0 = pass), or 1 if it died without one. */
static int reactor_result(int64_t h)
{
    uint8_t rc = 1;
    if (h < 0 || sys_chan_recv((uint32_t)h, &rc, 1, NULL, NULL, 0) != 1) {
        printf("demo: the reactor ended without a result\n");
        return 1;
    }
    printf("demo: reactor %s\n", rc == 0 ? "passed" : "FAILED");
    return rc != 0;
}

int main(const char *arg)
{
    (void)arg;
    int64_t reactor = start_reactor();
    struct chan_transport ct[3];
    proto_transport t[3];
    int64_t h[3];
    printf("demo: connecting three clients to \"timer\"\n");
    for (int i = 0; i < 3; i++) {
        if ((h[i] = connect_service(TIMER_SERVICE_NAME, false)) < 0)
            sys_shutdown(1);
        t[i] = chan_transport(&ct[i], (uint32_t)h[i]);
    }
    one(&t[0], "one-shot", 50000);
    one(&t[0], "one-shot", 1000);
    for (int i = 0; i < 5; i++)
        one(&t[1], "repeat", 10000);
    one(&t[2], "zero", 0);
    together(t, h);
    failures += reactor_result(reactor);
    printf("demo: %s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
    sys_shutdown(failures ? 1 : 0);
    return 0;
}
