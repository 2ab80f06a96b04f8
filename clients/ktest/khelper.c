/* khelper: the app ktest spawns to check what one app cannot see from
 * inside itself. It reports on handle 1 (the channel to its parent).
 *   ""        says "about to fault", then reads kernel memory: the kernel
 *             must kill it, and the parent sees the channel close.
 *   "spin=MS" burns the CPU for MS milliseconds without a syscall, then
 *             sends its start and end rdtime (two u64): the parent's timers
 *             must stay on time meanwhile, and two spinners must overlap.
 *   "drain=N" receives N messages on handle 1, then answers with the
 *             count it got (u32): the parent's blocking sends must wait
 *             for room and go on as it drains. */
#include "timer.h"   /* generated: TICKS_PER_US */
#include "ulib.h"

#define PARENT_HANDLE 1

static void say(const char *s)
{
    sys_chan_send(PARENT_HANDLE, s, strlen(s) + 1, NULL, 0, 0);
}

int main(const char *arg)
{
    if (strncmp(arg, "spin=", 5) == 0) {
        const char *p = arg + 5;
        uint64_t span[2] = { time_now(), 0 };
        uint64_t until = span[0] + parse_u64(&p, 0) * 1000 * TICKS_PER_US;
        while ((span[1] = time_now()) < until)
            ;
        sys_chan_send(PARENT_HANDLE, span, sizeof span, NULL, 0, 0);
        return 0;
    }
    if (strncmp(arg, "drain=", 6) == 0) {
        const char *p = arg + 6;
        uint32_t n = (uint32_t)parse_u64(&p, 0), got = 0;
        char b[16];
        while (got < n && sys_chan_recv(PARENT_HANDLE, b, sizeof b, NULL, NULL, 0) >= 0)
            got++;
        sys_chan_send(PARENT_HANDLE, &got, sizeof got, NULL, 0, 0);
        return 0;
    }
    say("about to fault");
    volatile uint64_t *kernel = (volatile uint64_t *)0x80200000UL;   /* the kernel's entry */
    uint64_t v = *kernel;
    sys_chan_send(PARENT_HANDLE, &v, sizeof v, NULL, 0, 0);   /* must never run */
    return 0;
}
