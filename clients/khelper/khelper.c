/* khelper: the app ktest spawns to check what one app cannot see from
 * inside itself. It reports on handle SPAWN_HANDLE (the channel to its
 * parent).
 *   ""          says "about to fault", then reads kernel memory: the kernel
 *               must kill it, and the parent sees the channel close.
 *   "spin=MS"   burns the CPU for MS milliseconds without a syscall, gp and
 *               tp set to values of its own, then sends its start and end
 *               rdtime (two u64).
 *   "drain=N"   receives N messages, then answers with the count (u32).
 *   "timers=N"  connects up to N timer clients, answers how many it got
 *               (u32), and holds them until the parent closes the channel.
 *   "chain=N"   makes N channel pairs (x_i, y_i) and sends y_i+1 through x_i,
 *               so each y_i holds the next in its queue; sends the root y_0
 *               and the deepest writer x_N-1 to the parent (one message,
 *               or one each when MAX_CAPS is 1), then holds (what it made
 *               stays on its account) until the parent closes the channel.
 *   "shutdown"  tries to power the machine off and answers the result (i64).
 *   "stuck"     blocks forever on a channel only it could write to.
 *   "pair"      answers the results (two i64) of chan_create and of a
 *               timer connect: a sibling's exhaustion must not reach it
 *               (the channel is closed first when the limits leave room
 *               for one of them at a time).
 *   "litter"    exits holding what it made: channels with messages and
 *               handles queued, a timer client with an After pending.
 *   "killself"  takes a side channel from the parent, then through it the
 *               parent's end of its own spawn channel, and kills itself
 *               with it; if kill returns, sends its result (i64) on the
 *               side channel.
 *   "move=exit", "move=stay"   takes a side channel from the parent and
 *               sends its own SPAWN_HANDLE end through it, then exits, or
 *               blocks forever.
 *   "flood=N"   takes N timer channels from the parent (one per message),
 *               sends each After { 0 } until the kernel refuses, at most
 *               FLOOD_MAX, never reading (until its account, where the
 *               replies pile up, has room for the answer only), and
 *               answers the count sent and its own queued messages (two
 *               u32); holds.
 *   "leave"     makes a channel, sends one end to the parent, then "bye",
 *               and exits: what it leaves passes to the parent.
 *   "serve"     a server on reply_recv (chan_reply_recv, the register form
 *               where a message fits): answers each request on SPAWN_HANDLE
 *               with its own bytes; "die" makes it exit without answering.
 *   "callstuck" says "stuck", then calls on a channel only it holds: blocked
 *               in call until killed.
 *   "sleep=MS"  connects a timer client, says "asleep", then waits in call
 *               for an After of MS milliseconds (timer_after), and says
 *               "woke".
 *   "giveboot"  sends its boot channel's end to the parent; on the next
 *               message answers its own timer clients and ends (two u32)
 *               as kstat reports them; holds.
 *   "regpeek=M" waits in reply_recv in the register form, its t0..t5 set to
 *               marks of its own (M + i, M from the parent), and answers with
 *               chan_send what it found in t0..t5 and a1 (seven u64) once
 *               each request arrives; ends when the channel closes. */
#include "kernel.h"     /* generated: struct kernel_stats */
#include "services.h"   /* generated: SERVICE_ID_timer */
#include "timer_client.h"   /* generated: TICKS_PER_US, TIMER_SERVICE_NAME, timer_after */
#include "ulib.h"

#define FLOOD_MAX 400

static void answer(const void *v, uint64_t len)
{
    sys_chan_send(SPAWN_HANDLE, v, len, NULL, 0, 0);
}

/* Waits until the parent closes the spawn channel. */
static void hold(void)
{
    char b[8];
    while (sys_chan_recv(SPAWN_HANDLE, b, sizeof b, NULL, NULL, 0) >= 0)
        ;
}

static int spin(const char *p)
{
    uint64_t span[2] = { time_now(), 0 };
    uint64_t until = span[0] + parse_u64(&p, 0) * 1000 * TICKS_PER_US;
    /* with gp and tp of its own meanwhile: an app preempted here must not
     * pass them on to the next (ktest's registers test) */
    __asm__ volatile("mv t1, gp\n mv t2, tp\n li gp, -0x1234\n li tp, -0x4321\n"
                     "1: rdtime t0\n bltu t0, %0, 1b\n"
                     "mv gp, t1\n mv tp, t2\n"
                     : : "r"(until) : "t0", "t1", "t2");
    span[1] = time_now();
    answer(span, sizeof span);
    return 0;
}

static int drain(const char *p)
{
    uint32_t n = (uint32_t)parse_u64(&p, 0), got = 0;
    char b[16];
    while (got < n && sys_chan_recv(SPAWN_HANDLE, b, sizeof b, NULL, NULL, 0) >= 0)
        got++;
    answer(&got, sizeof got);
    return 0;
}

static int timers(const char *p)
{
    uint32_t n = (uint32_t)parse_u64(&p, 0), got = 0;
    while (got < n && connect_service(TIMER_SERVICE_NAME, true) >= 0)
        got++;
    answer(&got, sizeof got);
    hold();
    return 0;
}

static int chain(const char *p)
{
    uint32_t n = (uint32_t)parse_u64(&p, 0), pair[2], prev[2] = { 0, 0 };
    for (uint32_t i = 0; i < n; i++) {
        if (sys_chan_create(pair) < 0)
            return 1;
        if (i == 0) {
            prev[1] = pair[1];          /* the root, y_0 */
        } else {
            if (sys_chan_send(prev[0], "link", 4, &pair[1], 1, 0) < 0)
                return 1;
            sys_chan_close(prev[0]);    /* x_i-1 is no longer needed */
        }
        prev[0] = pair[0];
    }
    uint32_t out[2] = { prev[1], prev[0] };
    if (MAX_CAPS >= 2 ? sys_chan_send(SPAWN_HANDLE, "chain", 5, out, 2, 0) < 0
                      : sys_chan_send(SPAWN_HANDLE, "chain", 5, &out[0], 1, 0) < 0 ||   /* one a message */
                            sys_chan_send(SPAWN_HANDLE, "chain", 5, &out[1], 1, 0) < 0)
        return 1;
    hold();   /* the segment stays on this app's account until the parent lets go */
    return 0;
}

static int stuck(const char *unused)
{
    (void)unused;
    uint32_t pair[2];
    sys_chan_create(pair);
    sys_chan_poll_add(pair[1]);
    answer("stuck", 6);
    sys_block(0);
    return 1;   /* never reached: killed */
}

static int pair(const char *unused)
{
    (void)unused;
    uint32_t ends[2];
    int64_t r[2] = { sys_chan_create(ends), -1 };
    /* Both at once when its handles (beside BOOT_HANDLE and SPAWN_HANDLE)
     * and its ends (beside the boot channel's) hold them, else one after
     * the other. */
    if (r[0] == 0 && (MAX_HANDLES < 5 || APP_MAX_ENDS < 6)) {
        sys_chan_close(ends[0]);
        sys_chan_close(ends[1]);
    }
    r[1] = connect_service(TIMER_SERVICE_NAME, true);
    answer(r, sizeof r);
    hold();
    return 0;
}

static int litter(const char *unused)
{
    (void)unused;
    uint32_t a[2], b[2];
    sys_chan_create(a);
    sys_chan_create(b);
    sys_chan_send(a[0], "x", 1, &b[1], 1, 0);
    sys_chan_send(b[0], "y", 1, NULL, 0, 0);
    int64_t t = connect_service(TIMER_SERVICE_NAME, true);
    uint8_t after[9] = { 0, 0x40, 0x42, 0x0f };   /* After { 1 s }, encoded by hand: no stub needed */
    if (t >= 0)
        sys_chan_send((uint32_t)t, after, sizeof after, NULL, 0, 0);
    answer("litter", 7);
    return 0;
}

/* The one end the parent sends in a message on ch (0 on failure). */
static uint32_t take_end(uint32_t ch)
{
    uint32_t end = 0, n = 0;
    char b[8];
    if (sys_chan_recv(ch, b, sizeof b, &end, &n, 0) < 0 || n != 1)
        return 0;
    return end;
}

static int killself(const char *unused)
{
    (void)unused;
    uint32_t side = take_end(SPAWN_HANDLE), mine = side ? take_end(side) : 0;
    if (mine == 0)
        return 1;
    int64_t r = sys_kill(mine);   /* ends this app: never returns */
    sys_chan_send(side, &r, sizeof r, NULL, 0, 0);
    return 1;
}

static int move(const char *how)
{
    uint32_t side = take_end(SPAWN_HANDLE), spawn = SPAWN_HANDLE, pair[2];
    if (side == 0 || sys_chan_create(pair) < 0 || sys_chan_poll_add(pair[1]) < 0 ||
        sys_chan_send(side, "spawn", 5, &spawn, 1, 0) < 0)
        return 1;
    if (strcmp(how, "exit") == 0)
        return 0;
    sys_block(0);   /* nothing writes to pair[1]: until killed */
    return 1;
}

static struct kernel_stats my_stats(void)
{
    struct kernel_stats k;
    memset(&k, 0, sizeof k);
    sys_kstat(&k, sizeof k);
    return k;
}

static int flood(const char *p)
{
    uint32_t n = (uint32_t)parse_u64(&p, 0), ends[MAX_HANDLES], got = 0, sent = 0;
    while (got < n && got < MAX_HANDLES && (ends[got] = take_end(SPAWN_HANDLE)) != 0)
        got++;
    _Static_assert(TimerRequest_After_tag == 0, "After { 0 } is all zeros");
    static const uint8_t after0[TimerRequest_After_MAX_SIZE];
    /* Leaves room on its account for the answer (the replies pile up on it). */
    for (uint32_t i = 0; i < got; i++)
        for (int k = 0; k < FLOOD_MAX && my_stats().app_queued + 2 < APP_MAX_QUEUED &&
                        sys_chan_send(ends[i], after0, sizeof after0, NULL, 0, CHAN_NONBLOCK) == 0; k++)
            sent++;
    uint32_t r[2] = { sent, my_stats().app_queued };
    answer(r, sizeof r);
    hold();
    return 0;
}

static int leave(const char *unused)
{
    (void)unused;
    uint32_t pair[2];
    if (sys_chan_create(pair) < 0 || sys_chan_send(SPAWN_HANDLE, "end", 3, &pair[0], 1, 0) < 0)
        return 1;
    answer("bye", 3);
    return 0;
}

static int serve(const char *unused)
{
    (void)unused;
    static uint8_t buf[64];
    struct chan_io q = { .buf = (uint64_t)(uintptr_t)buf, .len = sizeof buf }, r = q;
    int64_t h = -1;
    if (sys_chan_poll_add(SPAWN_HANDLE) < 0)
        return 1;
    for (;;) {
        h = chan_reply_recv((uint32_t)h, h < 0 ? NULL : &r, &q, 0);
        if (h < 0 || q.status != 0 || (q.len == 3 && memcmp(buf, "die", 3) == 0))
            return 0;
        r.len = q.len;
        q.len = sizeof buf;
    }
}

static int callstuck(const char *unused)
{
    (void)unused;
    uint32_t pair[2];
    uint8_t b[8];
    struct chan_io q = { .buf = (uint64_t)(uintptr_t)"x", .len = 1 }, r = { .buf = (uint64_t)(uintptr_t)b, .len = sizeof b };
    if (sys_chan_create(pair) < 0)
        return 1;
    answer("stuck", 6);
    sys_call(pair[0], &q, &r, 0, 0, 0);   /* nobody answers: until killed */
    return 1;
}

static int sleep_ms(const char *p)
{
    struct chan_transport ct;
    int64_t h = connect_service(TIMER_SERVICE_NAME, false);
    if (h < 0)
        return 1;
    proto_transport t = chan_transport(&ct, (uint32_t)h);
    answer("asleep", 6);
    if (timer_after(&t, parse_u64(&p, 0) * 1000) != 0)
        return 1;
    answer("woke", 4);
    return 0;
}

static int giveboot(const char *unused)
{
    (void)unused;
    uint32_t boot = BOOT_HANDLE;
    char b[8];
    if (sys_chan_send(SPAWN_HANDLE, "boot", 4, &boot, 1, 0) < 0 ||
        sys_chan_recv(SPAWN_HANDLE, b, sizeof b, NULL, NULL, 0) < 0)
        return 1;
    struct kernel_stats k = my_stats();
    uint32_t r[2] = { k.services[SERVICE_ID_timer].app_clients, k.app_ends };
    answer(r, sizeof r);
    hold();
    return 0;
}

static int regpeek(const char *p)
{
    uint64_t mark = parse_u64(&p, 0);
    if (sys_chan_poll_add(SPAWN_HANDLE) < 0)
        return 1;
    for (;;) {
        static uint8_t buf[64];
        struct chan_io q = { .buf = (uint64_t)(uintptr_t)buf, .len = sizeof buf };
        uint64_t got[7] = { mark, mark + 1, mark + 2, mark + 3, mark + 4, mark + 5, 0 };
        int64_t rc = reg_ecall(SYS_reply_recv, 0, 0, (uint64_t)(uintptr_t)&q, 0, CHAN_REG_IN, REG_MSG_BYTES, got,
                               &got[6]);
        uint64_t a1 = got[6];
        if (rc < 0 || (!(a1 & CHAN_REG_IN) && q.status != 0) ||
            sys_chan_send(SPAWN_HANDLE, got, sizeof got, NULL, 0, 0) < 0)
            return 0;
    }
}

static int shutdown(const char *unused)
{
    (void)unused;
    int64_t r = sys_shutdown(0);
    answer(&r, sizeof r);
    return 0;
}

/* The modes by name; a name ending in '=' takes what follows it. */
static const struct mode {
    const char *name;
    int (*run)(const char *arg);
} modes[] = {
    { "spin=", spin }, { "drain=", drain }, { "timers=", timers }, { "chain=", chain }, { "shutdown", shutdown },
    { "stuck", stuck }, { "pair", pair }, { "litter", litter }, { "killself", killself }, { "move=", move },
    { "flood=", flood }, { "serve", serve }, { "callstuck", callstuck }, { "leave", leave }, { "giveboot", giveboot },
    { "regpeek=", regpeek }, { "sleep=", sleep_ms },
};

int main(const char *arg)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        size_t n = strlen(modes[i].name);
        if (modes[i].name[n - 1] == '=' ? strncmp(arg, modes[i].name, n) == 0 : strcmp(arg, modes[i].name) == 0)
            return modes[i].run(arg + n);
    }
    answer("about to fault", 15);
    volatile uint64_t *kernel = (volatile uint64_t *)0x80200000UL;   /* the kernel's entry */
    uint64_t v = *kernel;
    answer(&v, sizeof v);   /* must never run */
    return 0;
}
