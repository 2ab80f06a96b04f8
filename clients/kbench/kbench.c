/* kbench: the kernel's costs per operation, measured with rdtime from inside
 * an app (ninja bench-kernel-micro). Each measurement runs BATCHES batches
 * of N operations and prints the median batch's ns per operation, with the
 * fastest and slowest batch:
 *   kbench: NAME ns_per_op=M min=A max=B batches=K ops=N (what it does)
 * and for the 1 KB stream also mb_per_s (10^6 bytes per second). Then
 *   kbench: done
 * and the app powers off: status 0, or 1 when a syscall failed.
 * kbench also serves as its own partner, spawned with an argument:
 *   "yield=N"  yields N times, then exits;
 *   "echo"     sends back every message on handle 1 until it closes;
 *   "exit"     exits at once.
 * "kbench=only:NAME" runs the measurement NAME alone (with what it needs
 * set up), e.g. to trace one path instruction by instruction. */
#include "timer.h"   /* generated: TICKS_PER_US */
#include "ulib.h"

#define BATCHES 11
#define STREAM_BURST CHAN_QUEUE_DEPTH   /* 1 KB messages queued before draining */
#define NS_PER_TICK (1000 / TICKS_PER_US)

_Static_assert(1000 % TICKS_PER_US == 0, "a tick must be a whole number of ns");

static const char self[] = "kbench";
static bool failed;
static uint32_t ends[2];   /* the channel pair of the one-app measurements */
static int64_t child;      /* handle to the spawned partner */
static uint8_t kbuf[MAX_MSG_SIZE];
static const char *only;   /* "only:NAME": the one measurement to run */
static bool measured;      /* ... and it ran */

/* A syscall's result: a negative one marks the run failed. */
static int64_t check(int64_t rc, const char *what)
{
    if (rc < 0 && !failed) {
        printf("kbench: %s failed: %ld\n", what, rc);
        failed = true;
    }
    return rc;
}

static int64_t spawn_self(const char *arg)
{
    return check(sys_spawn(self, sizeof self - 1, arg, strlen(arg)), "spawn");
}

/* Waits until the child's end of h closes, then closes h. */
static void wait_closed(uint32_t h)
{
    uint64_t m;
    while (sys_chan_recv(h, &m, sizeof m, NULL, NULL, 0) >= 0)
        ;
    sys_chan_close(h);
}

/* ---- the operations, one call each ---- */

static void op_syscall(void)
{
    sys_time_now();
}

static void op_yield(void)
{
    sys_yield();
}

static void op_chan(void)
{
    uint32_t e[2];
    if (check(sys_chan_create(e), "chan_create") < 0)
        return;
    check(sys_chan_close(e[0]), "chan_close");
    check(sys_chan_close(e[1]), "chan_close");
}

/* One message from end a to end b. */
static void hop(uint32_t a, uint32_t b, uint64_t len)
{
    check(sys_chan_send(a, kbuf, len, NULL, 0, 0), "chan_send");
    check(sys_chan_recv(b, kbuf, sizeof kbuf, NULL, NULL, 0), "chan_recv");
}

static void op_ipc_pair(void)
{
    hop(ends[0], ends[1], 8);
    hop(ends[1], ends[0], 8);
}

static void op_stream(void)
{
    for (uint32_t i = 0; i < STREAM_BURST; i++)
        check(sys_chan_send(ends[0], kbuf, sizeof kbuf, NULL, 0, 0), "chan_send 1 KB");
    for (uint32_t i = 0; i < STREAM_BURST; i++)
        check(sys_chan_recv(ends[1], kbuf, sizeof kbuf, NULL, NULL, 0), "chan_recv 1 KB");
}

static void op_spawn(void)
{
    int64_t h = spawn_self("exit");
    if (h >= 0)
        wait_closed((uint32_t)h);
}

static void op_ipc_apps(void)
{
    hop((uint32_t)child, (uint32_t)child, 8);
}

/* call: 8 bytes to the child waiting in reply_recv, its 8 back, one entry each. */
static void op_call_apps(void)
{
    static uint8_t in[16];
    struct chan_io q = { .buf = (uint64_t)(uintptr_t)kbuf, .len = 8 }, r = { .buf = (uint64_t)(uintptr_t)in, .len = sizeof in };
    check(chan_call((uint32_t)child, &q, &r, 0), "call");
}

/* ---- timing and reporting ---- */

/* The k-th smallest of v[0..n) (k from 0), without reordering v. */
static uint64_t kth(const uint64_t *v, int n, int k)
{
    for (int i = 0; i < n; i++) {
        int below = 0, same = 0;
        for (int j = 0; j < n; j++) {
            below += v[j] < v[i];
            same += v[j] == v[i];
        }
        if (below <= k && k < below + same)
            return v[i];
    }
    return v[0];
}

/* Tenths of a ns per operation for a batch of ticks over ops operations. */
static uint64_t tenth_ns(uint64_t ticks, uint64_t ops)
{
    return (ticks * NS_PER_TICK * 10 + ops / 2) / ops;
}

static void print_tenths(const char *label, uint64_t t)
{
    printf(" %s=%lu.%lu", label, t / 10, t % 10);
}

/* Runs BATCHES batches of calls calls to op, each call doing per operations;
 * prints the figures and returns the median batch in tenths of a ns per op. */
static uint64_t measure(const char *name, void (*op)(void), uint32_t calls, uint32_t per, const char *what)
{
    uint64_t ticks[BATCHES];
    if (only && strcmp(only, name) != 0)
        return 0;
    measured = true;
    op();   /* warm up */
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = time_now();
        for (uint32_t i = 0; i < calls; i++)
            op();
        ticks[b] = time_now() - t0;
    }
    uint64_t ops = (uint64_t)calls * per;
    uint64_t med = tenth_ns(kth(ticks, BATCHES, BATCHES / 2), ops);
    printf("kbench: %s", name);
    print_tenths("ns_per_op", med);
    print_tenths("min", tenth_ns(kth(ticks, BATCHES, 0), ops));
    print_tenths("max", tenth_ns(kth(ticks, BATCHES, BATCHES - 1), ops));
    printf(" batches=%d ops=%lu (%s)\n", BATCHES, ops, what);
    return med;
}

/* ---- the measurements ---- */

static void bench_yield(void)
{
    enum { CALLS = 2000 };
    char arg[32];
    snfmt(arg, sizeof arg, "yield=%u", (unsigned)(CALLS * (BATCHES + 1) + 100));
    int64_t h = spawn_self(arg);
    if (h < 0)
        return;
    measure("yield", op_yield, CALLS, 1,
            "sys_yield with a partner app yielding in a loop: one call = both apps' turns");
    wait_closed((uint32_t)h);
}

static void bench_channels(void)
{
    measure("chan_create_close", op_chan, 1000, 1, "sys_chan_create, then close both ends");
    if (check(sys_chan_create(ends), "chan_create") < 0)
        return;
    measure("ipc_pair", op_ipc_pair, 1000, 1, "8 bytes end 0 -> end 1 and back, one app");
    uint64_t t = measure("ipc_1k", op_stream, 20, STREAM_BURST, "1024-byte messages through a pair, one app, "
                         "64 sent then 64 received; ns per message");
    uint64_t mbps10 = t ? (uint64_t)MAX_MSG_SIZE * 10000 * 10 / t : 0;   /* bytes/ns * 1000, in tenths */
    if (t > 0) {   /* measured */
        printf("kbench: ipc_1k");
        print_tenths("mb_per_s", mbps10);
        printf(" (10^6 bytes per second)\n");
    }
    sys_chan_close(ends[0]);
    sys_chan_close(ends[1]);
}

static void bench_apps(void)
{
    measure("spawn", op_spawn, 10, 1, "spawn kbench=exit, wait for its channel to close");
    if ((child = spawn_self("echo")) < 0)
        return;
    measure("ipc_apps", op_ipc_apps, 1000, 1, "8 bytes to a spawned app over handle 1 and back");
    sys_chan_close((uint32_t)child);
    if ((child = spawn_self("serve")) < 0)
        return;
    measure("call_apps", op_call_apps, 1000, 1, "call: 8 bytes to a spawned app in reply_recv and back");
    sys_chan_close((uint32_t)child);
}

/* ---- the partner modes ---- */

static int child_main(const char *arg)
{
    if (strncmp(arg, "yield=", 6) == 0) {
        const char *p = arg + 6;
        for (uint64_t n = parse_u64(&p, 0); n > 0; n--)
            sys_yield();
        return 0;
    }
    if (strcmp(arg, "echo") == 0) {
        int64_t len;
        while ((len = sys_chan_recv(SPAWN_HANDLE, kbuf, sizeof kbuf, NULL, NULL, 0)) >= 0)
            sys_chan_send(SPAWN_HANDLE, kbuf, (uint64_t)len, NULL, 0, 0);
        return 0;
    }
    if (strcmp(arg, "serve") == 0) {   /* a server's loop: reply_recv answers each request with itself */
        static uint8_t buf[MAX_MSG_SIZE];
        struct chan_io q = { .buf = (uint64_t)(uintptr_t)buf, .len = sizeof buf }, r = q;
        int64_t h = -1;
        sys_chan_poll_add(SPAWN_HANDLE);
        for (;;) {
            h = chan_reply_recv((uint32_t)h, h < 0 ? NULL : &r, &q, 0);
            if (h < 0 || q.status != 0)
                return 0;
            r.len = q.len;
            q.len = sizeof buf;
        }
    }
    return strcmp(arg, "exit") == 0 ? 0 : 1;
}

int main(const char *arg)
{
    if (strncmp(arg, "only:", 5) == 0)
        only = arg + 5;
    else if (*arg)
        return child_main(arg);
    printf("kbench: rdtime at %u ticks per us; median of %d batches\n", (unsigned)TICKS_PER_US, BATCHES);
    measure("syscall", op_syscall, 5000, 1, "sys_time_now, nothing else runnable");
    bench_yield();
    bench_channels();
    bench_apps();
    if (only && !measured) {
        printf("kbench: no measurement is named %s\n", only);
        failed = true;
    }
    printf("kbench: %s\n", failed ? "FAILED" : "done");
    sys_shutdown(failed ? 1 : 0);
    return failed;
}
