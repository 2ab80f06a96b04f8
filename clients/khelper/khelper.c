/* khelper: the app ktest spawns to check what one app cannot see from
 * inside itself. It reports on handle SPAWN_HANDLE (the channel to its
 * parent).
 *   ""          says "about to fault", then reads kernel memory: the kernel
 *               must kill it, and the parent sees the channel close.
 *   "spin=MS"   burns the CPU for MS milliseconds without a syscall, then
 *               sends its start and end rdtime (two u64).
 *   "drain=N"   receives N messages, then answers with the count (u32).
 *   "timers=N"  connects up to N timer clients, answers how many it got
 *               (u32), and holds them until the parent closes the channel.
 *   "chain=N"   makes N channel pairs (x_i, y_i) and sends y_i+1 through x_i,
 *               so each y_i holds the next in its queue; sends the root y_0
 *               and the deepest writer x_N-1 to the parent (one message,
 *               or one each when MAX_CAPS is 1), then exits.
 *   "shutdown"  tries to power the machine off and answers the result (i64).
 *   "stuck"     blocks forever on a channel only it could write to.
 *   "pair"      answers the results (two i64) of chan_create and of a
 *               timer connect: a sibling's exhaustion must not reach it
 *               (the channel is closed first when the limits leave room
 *               for one of them at a time).
 *   "litter"    exits holding what it made: channels with messages and
 *               handles queued, a timer client with an After pending. */
#include "timer.h"   /* generated: TICKS_PER_US, TIMER_SERVICE_NAME */
#include "ulib.h"

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
    while ((span[1] = time_now()) < until)
        ;
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
    if (MAX_CAPS >= 2)
        return sys_chan_send(SPAWN_HANDLE, "chain", 5, out, 2, 0) < 0;
    return sys_chan_send(SPAWN_HANDLE, "chain", 5, &out[0], 1, 0) < 0 ||   /* one a message */
           sys_chan_send(SPAWN_HANDLE, "chain", 5, &out[1], 1, 0) < 0;
}

static int stuck(void)
{
    uint32_t pair[2];
    sys_chan_create(pair);
    sys_chan_poll_add(pair[1]);
    answer("stuck", 6);
    sys_block(0);
    return 1;   /* never reached: killed */
}

static int pair(void)
{
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

static int litter(void)
{
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

int main(const char *arg)
{
    if (strncmp(arg, "spin=", 5) == 0)
        return spin(arg + 5);
    if (strncmp(arg, "drain=", 6) == 0)
        return drain(arg + 6);
    if (strncmp(arg, "timers=", 7) == 0)
        return timers(arg + 7);
    if (strncmp(arg, "chain=", 6) == 0)
        return chain(arg + 6);
    if (strcmp(arg, "shutdown") == 0) {
        int64_t r = sys_shutdown(0);
        answer(&r, sizeof r);
        return 0;
    }
    if (strcmp(arg, "stuck") == 0)
        return stuck();
    if (strcmp(arg, "pair") == 0)
        return pair();
    if (strcmp(arg, "litter") == 0)
        return litter();
    answer("about to fault", 15);
    volatile uint64_t *kernel = (volatile uint64_t *)0x80200000UL;   /* the kernel's entry */
    uint64_t v = *kernel;
    answer(&v, sizeof v);   /* must never run */
    return 0;
}
