/* reactor: one loop waiting on two channels at once with chan_poll_add +
 * block: a timer channel and a plain channel pair. Shows the three ways
 * block returns: a message on the plain channel, Expired on the timer
 * channel, and the block deadline passing with nothing ready. Started by
 * demo (sys_spawn), it reports its result as one byte on handle 1. */
#include "timer_client.h"   /* generated */
#include "ulib.h"


static int reactor(void);

int main(const char *arg)
{
    (void)arg;
    uint8_t rc = (uint8_t)reactor();
    sys_chan_send(SPAWN_HANDLE, &rc, 1, NULL, 0, 0);   /* BAD_HANDLE when not spawned */
    return rc;
}

static int reactor(void)
{
    int64_t timer = connect_service(TIMER_SERVICE_NAME, false);
    uint32_t pair[2];
    if (timer < 0 || sys_chan_create(pair) < 0)
        return 1;
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, (uint32_t)timer);
    sys_chan_poll_add((uint32_t)timer);
    sys_chan_poll_add(pair[1]);

    uint64_t start = time_now();
    if (timer_after_send(&t, 20000) != 0)
        return 1;
    static const char ping[] = "ping";
    sys_chan_send(pair[0], ping, sizeof ping, NULL, 0, 0);
    int seen_msg = 0, seen_timer = 0, seen_deadline = 0;
    while (!(seen_msg && seen_timer && seen_deadline)) {
        uint64_t deadline = seen_timer ? time_now() + 5000 * TICKS_PER_US : 0;
        int64_t h = sys_block(deadline);
        uint64_t at = ticks_to_us(time_now() - start);
        if (h == pair[1]) {
            char buf[16];
            int64_t n = sys_chan_recv(pair[1], buf, sizeof buf, NULL, NULL, 0);
            printf("reactor: +%6lu us  message on channel %u (%ld bytes: %s)\n", at, pair[1], n, buf);
            seen_msg = 1;
        } else if (h == timer) {
            int rc = timer_after_recv(&t);
            printf("reactor: +%6lu us  timer channel %ld: %s (asked 20000 us)\n", at, timer,
                   rc == 0 ? "Expired" : proto_strerror(rc));
            if (rc != 0 || at < 20000)
                return 1;
            seen_timer = 1;
        } else if (h == -(int64_t)KERNEL_ERROR_WOULD_BLOCK) {
            printf("reactor: +%6lu us  block deadline passed, nothing ready\n", at);
            seen_deadline = 1;
        } else {
            printf("reactor: unexpected block result %ld\n", h);
            return 1;
        }
    }
    printf("reactor: PASS\n");
    return 0;
}
