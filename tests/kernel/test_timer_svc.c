/* Host tests of the timer service logic (kernel/services/timer_svc.c) with
 * a fake clock and a loopback transport: the generated client stubs talk to
 * the service directly, and the service's replies queue up per client. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "timer_client.h"   /* generated */
#include "timer_svc.h"

#define QUEUE 8

/* One client: its slot, its transport, and the replies sent to it. */
struct loop {
    struct timer_svc *svc;
    int slot;
    proto_transport t;
    uint8_t replies[QUEUE][16];
    size_t lens[QUEUE];
    int count;
};

static struct timer_svc svc;
static uint64_t fake_now;
static bool refuse_sends;

static int svc_send(void *chan, const uint8_t *msg, size_t len)
{
    struct loop *l = chan;
    if (refuse_sends || l->count == QUEUE || len > sizeof l->replies[0])
        return -1;
    memcpy(l->replies[l->count], msg, len);
    l->lens[l->count++] = len;
    return 0;
}

static int loop_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct loop *l = ctx;
    (void)timer_svc_handle(l->svc, l->slot, msg, len, fake_now);   /* malformed: counted */
    return 0;
}

/* The loopback never blocks: an empty queue is the transport error -1. */
static int loop_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
    struct loop *l = ctx;
    if (l->count == 0 || l->lens[0] > cap)
        return -1;
    memcpy(buf, l->replies[0], l->lens[0]);
    *len = l->lens[0];
    memmove(l->replies, l->replies + 1, sizeof l->replies[0] * (QUEUE - 1));
    memmove(l->lens, l->lens + 1, sizeof l->lens[0] * (QUEUE - 1));
    l->count--;
    return 0;
}

static void connect(struct loop *l)
{
    memset(l, 0, sizeof *l);
    l->svc = &svc;
    l->slot = timer_svc_connect(&svc, l);
    cr_assert_geq(l->slot, 0, "connect refused");
    l->t = (proto_transport){ l, loop_send, loop_recv };
}

static void setup(void)
{
    timer_svc_init(&svc, svc_send);
    fake_now = 1000;
    refuse_sends = false;
}

TestSuite(timer_svc, .init = setup);

Test(timer_svc, one_shot_fires_at_its_deadline_not_before)
{
    struct loop c;
    connect(&c);
    cr_assert_eq(timer_after_send(&c.t, 50000), 0);
    uint64_t deadline = 1000 + 50000 * TICKS_PER_US;
    cr_assert_eq(timer_svc_expire(&svc, deadline - 1), deadline, "the earliest deadline is reported");
    cr_assert_eq(c.count, 0, "not before the deadline");
    cr_assert_eq(timer_svc_expire(&svc, deadline), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c.count, 1);
    cr_assert_eq(timer_after_recv(&c.t), 0, "the reply decodes as Expired");
    cr_assert_eq(svc.expired, 1);
    cr_assert_eq(timer_svc_expire(&svc, deadline * 2), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c.count, 0, "one After, one Expired");
}

Test(timer_svc, repeated_timers_on_one_channel)
{
    struct loop c;
    connect(&c);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(timer_after_send(&c.t, 10), 0);
        fake_now += 10 * TICKS_PER_US;
        timer_svc_expire(&svc, fake_now);
        cr_assert_eq(timer_after_recv(&c.t), 0, "round %d", i);
    }
    cr_assert_eq(svc.expired, 5);
}

Test(timer_svc, new_after_replaces_the_pending_one)
{
    struct loop c;
    connect(&c);
    cr_assert_eq(timer_after_send(&c.t, 1000000), 0);
    cr_assert_eq(timer_after_send(&c.t, 10000), 0);
    timer_svc_expire(&svc, 1000 + 10000 * TICKS_PER_US);
    cr_assert_eq(c.count, 1, "fires at the short deadline");
    cr_assert_eq(timer_svc_expire(&svc, 1000 + 2000000 * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c.count, 1, "the replaced long deadline never fires");
}

Test(timer_svc, zero_duration_is_due_at_once)
{
    struct loop c;
    connect(&c);
    cr_assert_eq(timer_after_send(&c.t, 0), 0);
    timer_svc_expire(&svc, fake_now);
    cr_assert_eq(timer_after_recv(&c.t), 0);
}

Test(timer_svc, deadline_saturates_at_uint64_max)
{
    cr_assert_eq(timer_svc_deadline(5, 7), 5 + 7 * TICKS_PER_US);
    cr_assert_eq(timer_svc_deadline(0, UINT64_MAX), UINT64_MAX);
    cr_assert_eq(timer_svc_deadline(0, UINT64_MAX / TICKS_PER_US + 1), UINT64_MAX, "multiply overflow");
    cr_assert_eq(timer_svc_deadline(UINT64_MAX - 5, 1), UINT64_MAX, "add overflow");
    cr_assert_eq(timer_svc_deadline(UINT64_MAX - 10, 1), UINT64_MAX);
    cr_assert_eq(timer_svc_deadline(UINT64_MAX - 11, 1), UINT64_MAX - 1);

    struct loop c;
    connect(&c);
    fake_now = UINT64_MAX - 5;
    cr_assert_eq(timer_after_send(&c.t, UINT64_MAX), 0);
    cr_assert(svc.clients[c.slot].pending);
    cr_assert_eq(svc.clients[c.slot].deadline, UINT64_MAX);
    timer_svc_expire(&svc, UINT64_MAX - 1);
    cr_assert_eq(c.count, 0, "UINT64_MAX never wraps into the past");
}

Test(timer_svc, uint64_max_then_short_replaces_it)
{
    struct loop c;
    connect(&c);
    cr_assert_eq(timer_after_send(&c.t, UINT64_MAX), 0);
    timer_svc_expire(&svc, fake_now + 1000000);
    cr_assert_eq(c.count, 0);
    cr_assert_eq(timer_after_send(&c.t, 3), 0);
    cr_assert_eq(timer_svc_expire(&svc, fake_now + 3 * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c.count, 1);
}

Test(timer_svc, earliest_of_several_deadlines)
{
    struct loop c[3];
    static const uint64_t us[3] = { 30, 10, 20 };
    for (int i = 0; i < 3; i++) {
        connect(&c[i]);
        cr_assert_eq(timer_after_send(&c[i].t, us[i]), 0);
    }
    cr_assert_eq(timer_svc_expire(&svc, fake_now), fake_now + 10 * TICKS_PER_US);
    cr_assert_eq(timer_svc_expire(&svc, fake_now + 10 * TICKS_PER_US), fake_now + 20 * TICKS_PER_US);
    cr_assert_eq(c[1].count, 1);
    cr_assert_eq(c[0].count + c[2].count, 0);
    cr_assert_eq(timer_svc_expire(&svc, fake_now + 30 * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c[0].count + c[2].count, 2);
}

Test(timer_svc, max_clients_then_refused)
{
    static struct loop c[MAX_TIMER_CLIENTS];
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++) {
        connect(&c[i]);
        cr_assert_eq(c[i].slot, (int)i);
    }
    struct loop extra;
    cr_assert_eq(timer_svc_connect(&svc, &extra), -1, "client %u is refused", MAX_TIMER_CLIENTS + 1);
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        cr_assert_eq(timer_after_send(&c[i].t, i), 0);
    timer_svc_expire(&svc, fake_now + MAX_TIMER_CLIENTS * TICKS_PER_US);
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        cr_assert_eq(c[i].count, 1, "client %u", i);
}

Test(timer_svc, close_frees_the_slot_and_its_timer)
{
    static struct loop c[MAX_TIMER_CLIENTS];
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        connect(&c[i]);
    cr_assert_eq(timer_after_send(&c[5].t, 10), 0);
    timer_svc_disconnect(&svc, 5);
    struct loop fresh;
    connect(&fresh);
    cr_assert_eq(fresh.slot, 5, "the freed slot is reused");
    cr_assert_eq(timer_svc_expire(&svc, UINT64_MAX - 1), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(fresh.count + c[5].count, 0, "the closed client's timer went with it");
}

Test(timer_svc, malformed_requests_are_dropped_and_counted)
{
    struct loop c;
    connect(&c);
    static const uint8_t unknown_tag[] = { 7, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t truncated[] = { 0, 1, 2, 3 };
    static const uint8_t trailing[] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
    cr_assert_eq(timer_svc_handle(&svc, c.slot, unknown_tag, sizeof unknown_tag, fake_now), PROTO_ERR_UNKNOWN_TAG);
    cr_assert_eq(timer_svc_handle(&svc, c.slot, truncated, sizeof truncated, fake_now), PROTO_ERR_SHORT_BUFFER);
    cr_assert_eq(timer_svc_handle(&svc, c.slot, trailing, sizeof trailing, fake_now), PROTO_ERR_TRAILING_BYTES);
    cr_assert_eq(timer_svc_handle(&svc, c.slot, NULL, 0, fake_now), PROTO_ERR_SHORT_BUFFER);
    cr_assert_eq(svc.malformed, 4);
    cr_assert_not(svc.clients[c.slot].pending, "nothing was armed");
    cr_assert_eq(timer_svc_expire(&svc, UINT64_MAX - 1), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(c.count, 0, "no reply to a malformed request");
    cr_assert_eq(timer_after_send(&c.t, 1), 0);
    timer_svc_expire(&svc, fake_now + TICKS_PER_US);
    cr_assert_eq(timer_after_recv(&c.t), 0, "the service still answers");
}

Test(timer_svc, refused_reply_is_counted_not_retried)
{
    struct loop c;
    connect(&c);
    refuse_sends = true;
    cr_assert_eq(timer_after_send(&c.t, 1), 0);
    cr_assert_eq(timer_svc_expire(&svc, fake_now + TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    cr_assert_eq(svc.send_failed, 1);
    cr_assert_eq(svc.expired, 0);
}
