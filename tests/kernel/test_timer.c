/* Host tests of the timer service logic (kernel/services/timer_svc.c) with
 * a fake clock and a loopback transport: the generated client stubs talk to
 * the service directly, and the service's replies queue up per client. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
/* Every client sent an Expired, in the order the service sent them. */
static struct loop *sent[MAX_TIMER_CLIENTS];
static uint32_t sent_count;

static int svc_send(void *chan, const uint8_t *msg, size_t len)
{
    struct loop *l = chan;
    if (sent_count < MAX_TIMER_CLIENTS)
        sent[sent_count++] = l;
    if (refuse_sends || l->count == QUEUE || len > sizeof l->replies[0])
        return -1;
    memcpy(l->replies[l->count], msg, len);
    l->lens[l->count++] = len;
    return 0;
}

/* The timer protocol carries no capabilities: any would be a test bug. */
static int loop_send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    struct loop *l = ctx;
    cr_assert(caps == NULL || caps->n == 0, "a timer request with capabilities");
    (void)timer_svc_handle(l->svc, l->slot, msg, len, fake_now);   /* malformed: counted */
    return 0;
}

/* The loopback never blocks: an empty queue is the transport error -1. */
static int loop_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    struct loop *l = ctx;
    caps->n = 0;
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
    l->t = (proto_transport){ l, loop_send, loop_recv, NULL };
}

static void setup(void)
{
    timer_svc_init(&svc, svc_send);
    fake_now = 1000;
    refuse_sends = false;
    sent_count = 0;
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
    cr_assert_eq(timer_svc_connect(&svc, &extra), -(int)KERNEL_ERROR_NO_MEMORY, "client %u is refused", MAX_TIMER_CLIENTS + 1);
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

Test(timer_svc, counts_served_refused_connected_and_pending)
{
    static struct loop c[MAX_TIMER_CLIENTS];
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        connect(&c[i]);
    cr_assert_eq(timer_svc_connect(&svc, NULL), -(int)KERNEL_ERROR_NO_MEMORY);
    cr_assert_eq(timer_svc_connect(&svc, NULL), -(int)KERNEL_ERROR_NO_MEMORY);
    cr_assert_eq(svc.refused, 2);
    cr_assert_eq(timer_svc_connected(&svc), MAX_TIMER_CLIENTS);
    cr_assert_eq(timer_after_send(&c[0].t, 5), 0);
    cr_assert_eq(timer_after_send(&c[0].t, 6), 0);
    cr_assert_eq(timer_after_send(&c[1].t, 7), 0);
    static const uint8_t junk[] = { 9 };
    cr_assert_eq(timer_svc_handle(&svc, c[2].slot, junk, sizeof junk, fake_now), PROTO_ERR_UNKNOWN_TAG);
    cr_assert_eq(svc.served, 3, "a replacing After is served too");
    cr_assert_eq(svc.malformed, 1, "a malformed request is not served");
    cr_assert_eq(timer_svc_pending(&svc), 2);
    timer_svc_disconnect(&svc, c[1].slot);
    timer_svc_disconnect(&svc, c[1].slot);
    timer_svc_disconnect(&svc, -1);
    timer_svc_disconnect(&svc, (int)MAX_TIMER_CLIENTS);
    cr_assert_eq(timer_svc_connected(&svc), MAX_TIMER_CLIENTS - 1, "a second disconnect is a no-op");
    cr_assert_eq(timer_svc_pending(&svc), 1);
    cr_assert_eq(timer_svc_connect(&svc, NULL), c[1].slot, "the slot is free once, not twice");
    cr_assert_eq(timer_svc_connect(&svc, NULL), -(int)KERNEL_ERROR_NO_MEMORY);
}

/* ---------------------------------------------------------------- heap edge cases */

/* The heap's promises: every parent due no later than its children (by
 * deadline, then arm order), every entry a pending client that knows its
 * position, one entry per pending client. */
/* The slot at heap index i. */
static uint32_t heap_slot(const struct timer_svc *s, uint32_t i)
{
    return (uint32_t)(container_of(s->heap.a[i], struct timer_svc_client, node) - s->clients);
}

static bool heap_whole(const struct timer_svc *s)
{
    uint32_t pending = 0;
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        pending += s->clients[i].pending && s->clients[i].used;
    if (pending != s->heap.n)
        return false;
    for (uint32_t i = 0; i < s->heap.n; i++) {
        const struct timer_svc_client *c = &s->clients[heap_slot(s, i)];
        const struct timer_svc_client *p = &s->clients[heap_slot(s, i > 0 ? (i - 1) / 2 : 0)];
        if (!c->used || !c->pending || c->node.pos != i + 1 || c->node.key != c->deadline)
            return false;
        if (p->deadline > c->deadline || (p->deadline == c->deadline && p->node.seq > c->node.seq))
            return false;
    }
    return true;
}

/* Connects n clients in slots 0..n-1 and arms client i for us[i]. */
static void arm_all(struct loop *c, const uint64_t *us, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        connect(&c[i]);
        cr_assert_eq(c[i].slot, (int)i);
        cr_assert_eq(timer_after_send(&c[i].t, us[i]), 0);
        cr_assert(heap_whole(&svc), "after arming client %u", i);
    }
}

/* The service sent Expired to want[0..n-1], in that order, and nothing else. */
static void expect_sent(struct loop *const *want, uint32_t n)
{
    cr_assert_eq(sent_count, n, "%u replies sent, %u expected", sent_count, n);
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(sent[i], want[i], "reply %u went to slot %d, not slot %d", i, sent[i]->slot, want[i]->slot);
}

Test(timer_svc, replace_an_armed_deadline_with_a_sooner_and_a_later_one)
{
    static const uint64_t us[5] = { 10, 20, 30, 40, 50 };
    struct loop c[5];
    arm_all(c, us, 5);
    cr_assert_eq(timer_after_send(&c[2].t, 5), 0);
    cr_assert(heap_whole(&svc));
    cr_assert_eq(timer_svc_next_deadline(&svc), fake_now + 5 * TICKS_PER_US, "the sooner one is due first");
    cr_assert_eq(timer_after_send(&c[0].t, 60), 0);
    cr_assert(heap_whole(&svc));
    cr_assert_eq(timer_svc_next_deadline(&svc), fake_now + 5 * TICKS_PER_US);
    cr_assert_eq(timer_svc_pending(&svc), 5, "a replacement adds no deadline");
    cr_assert_eq(timer_svc_expire(&svc, fake_now + 60 * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    struct loop *want[5] = { &c[2], &c[1], &c[3], &c[4], &c[0] };
    expect_sent(want, 5);
}

/* Deadlines armed in this order make the heap [1 10 2 11 12 3 4]: taking
 * out index 3 (11) moves the last entry (4) up past 10, not down. */
Test(timer_svc, disconnect_with_a_pending_timer_at_leaf_middle_and_root)
{
    static const uint64_t us[7] = { 1, 10, 2, 11, 12, 3, 4 };
    struct loop c[7];
    arm_all(c, us, 7);
    for (uint32_t i = 0; i < 7; i++)
        cr_assert_eq(heap_slot(&svc, i), i, "heap index %u holds slot %u", i, i);
    timer_svc_disconnect(&svc, 3);   /* a leaf whose replacement moves up */
    cr_assert(heap_whole(&svc));
    cr_assert_eq(heap_slot(&svc, 1), 6, "4 moved up to index 1");
    timer_svc_disconnect(&svc, 6);   /* the middle */
    cr_assert(heap_whole(&svc));
    timer_svc_disconnect(&svc, (int)heap_slot(&svc, 0));   /* the root: slot 0 */
    cr_assert(heap_whole(&svc));
    cr_assert_eq(timer_svc_pending(&svc), 4);
    cr_assert_eq(timer_svc_next_deadline(&svc), fake_now + 2 * TICKS_PER_US);
    cr_assert_eq(timer_svc_expire(&svc, UINT64_MAX - 1), TIMER_SVC_NO_DEADLINE);
    struct loop *want[4] = { &c[2], &c[5], &c[1], &c[4] };
    expect_sent(want, 4);
}

Test(timer_svc, all_max_clients_pending_expire_by_deadline)
{
    static struct loop c[MAX_TIMER_CLIENTS];
    static uint64_t us[MAX_TIMER_CLIENTS];
    static struct loop *want[MAX_TIMER_CLIENTS];
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++) {
        us[i] = MAX_TIMER_CLIENTS - i;   /* armed latest first */
        want[i] = &c[MAX_TIMER_CLIENTS - 1 - i];
    }
    arm_all(c, us, MAX_TIMER_CLIENTS);
    cr_assert_eq(timer_svc_pending(&svc), MAX_TIMER_CLIENTS);
    uint32_t half = MAX_TIMER_CLIENTS / 2;
    cr_assert_eq(timer_svc_expire(&svc, fake_now + half * TICKS_PER_US), fake_now + (half + 1) * TICKS_PER_US);
    cr_assert(heap_whole(&svc));
    expect_sent(want, half);
    cr_assert_eq(timer_svc_pending(&svc), MAX_TIMER_CLIENTS - half);
    cr_assert_eq(timer_svc_expire(&svc, fake_now + MAX_TIMER_CLIENTS * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    expect_sent(want, MAX_TIMER_CLIENTS);
    cr_assert_eq(svc.expired, MAX_TIMER_CLIENTS);
}

Test(timer_svc, equal_deadlines_fire_in_the_order_they_were_armed)
{
    struct loop c[4];
    for (int i = 0; i < 4; i++)
        connect(&c[i]);
    static const int order[4] = { 2, 0, 3, 1 };
    for (int i = 0; i < 4; i++)
        cr_assert_eq(timer_after_send(&c[order[i]].t, 10), 0);
    cr_assert_eq(timer_after_send(&c[0].t, 10), 0);   /* re-armed: now the last of the four */
    cr_assert(heap_whole(&svc));
    cr_assert_eq(timer_svc_expire(&svc, fake_now + 10 * TICKS_PER_US), TIMER_SVC_NO_DEADLINE);
    struct loop *want[4] = { &c[2], &c[3], &c[1], &c[0] };
    expect_sent(want, 4);
}

Test(timer_svc, saturated_deadlines_wait_for_uint64_max_in_arm_order)
{
    struct loop c[3];
    for (int i = 0; i < 3; i++)
        connect(&c[i]);
    fake_now = UINT64_MAX - 5;
    cr_assert_eq(timer_after_send(&c[1].t, UINT64_MAX), 0);
    cr_assert_eq(timer_after_send(&c[0].t, UINT64_MAX / TICKS_PER_US + 1), 0);
    cr_assert_eq(timer_after_send(&c[2].t, 1), 0);   /* now + 10 ticks saturates too */
    cr_assert_eq(timer_svc_pending(&svc), 3);
    cr_assert_eq(timer_svc_next_deadline(&svc), TIMER_SVC_NO_DEADLINE, "UINT64_MAX reads as no deadline");
    cr_assert_eq(timer_svc_expire(&svc, UINT64_MAX - 1), TIMER_SVC_NO_DEADLINE);
    expect_sent(NULL, 0);
    cr_assert_eq(timer_svc_expire(&svc, UINT64_MAX), TIMER_SVC_NO_DEADLINE);
    struct loop *want[3] = { &c[1], &c[0], &c[2] };
    expect_sent(want, 3);
}

/* ---------------------------------------------------------------- against a reference model
 *
 * Random sequences of connect, disconnect, After, junk requests, clock steps,
 * expiry and refusing transports, run on the service and on a model that
 * keeps a plain array and scans it. After every step both must have sent the
 * same Expired replies to the same clients in the same order and agree on
 * the next deadline, the counters and the counts. Each sequence has its own
 * seed; TIMER_SVC_SEED=s TIMER_SVC_SEQUENCES=1 replays the one a failure names. */

#define PEERS (MAX_TIMER_CLIENTS + 4)

/* A client of the random test: chan is a pointer to it. */
struct peer {
    int slot;          /* -1 while not connected */
    bool refusing;     /* its transport refuses replies */
};

struct model_client {
    bool used, pending;
    uint64_t deadline, seq;
    struct peer *peer;
};

struct model {
    struct model_client c[MAX_TIMER_CLIENTS];
    uint32_t connected;
    uint64_t seq, served, malformed, refused, expired, send_failed;
};

static struct peer peers[PEERS];
static struct model model;
static struct peer *peer_sent[MAX_TIMER_CLIENTS];   /* the service's replies this step */
static uint32_t peer_sent_count;
static uint64_t rng_state;

/* splitmix64: the same numbers on every host. */
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t n)
{
    return rng() % n;
}

static int peer_send(void *chan, const uint8_t *msg, size_t len)
{
    struct peer *p = chan;
    (void)msg;
    (void)len;
    cr_assert_lt(peer_sent_count, MAX_TIMER_CLIENTS, "more replies in one step than clients");
    peer_sent[peer_sent_count++] = p;
    return p->refusing ? -1 : 0;
}

/* The model's deadline: exact arithmetic in 128 bits, then clamped. */
static uint64_t model_deadline(uint64_t now, uint64_t us)
{
    unsigned __int128 d = (unsigned __int128)us * TICKS_PER_US + now;
    return d > UINT64_MAX ? UINT64_MAX : (uint64_t)d;
}

/* The model's pending client due first (by deadline, then arm order), or -1. */
static int model_first(const struct model *m)
{
    int first = -1;
    for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++) {
        const struct model_client *c = &m->c[i];
        if (!c->pending)
            continue;
        if (first < 0 || c->deadline < m->c[first].deadline ||
            (c->deadline == m->c[first].deadline && c->seq < m->c[first].seq))
            first = i;
    }
    return first;
}

static uint64_t model_next(const struct model *m)
{
    int first = model_first(m);
    return first < 0 ? TIMER_SVC_NO_DEADLINE : m->c[first].deadline;
}

/* The model's expiry: appends the clients it replies to to want. */
static void model_expire(struct model *m, uint64_t now, struct peer **want, uint32_t *n)
{
    for (int i = model_first(m); i >= 0 && m->c[i].deadline <= now; i = model_first(m)) {
        m->c[i].pending = false;
        want[(*n)++] = m->c[i].peer;
        if (m->c[i].peer->refusing)
            m->send_failed++;
        else
            m->expired++;
    }
}

/* One request of len bytes from p, on the service and on the model: the
 * model decodes only the one shape a valid After has (any other tag is
 * valid when the generated decoder says so: a variant added to the schema). */
static void step_request(struct peer *p, const uint8_t *msg, size_t len, uint64_t now, const char *where)
{
    bool after = len > 0 && msg[0] == TimerRequest_After_tag;
    TimerRequest other;
    bool valid = after ? len == TimerRequest_After_MAX_SIZE : TimerRequest_decode(&other, msg, len) == PROTO_OK;
    proto_err err = timer_svc_handle(&svc, p->slot, msg, len, now);
    cr_assert_eq(err == PROTO_OK, valid, "%s: request of %zu bytes, tag %d: err %d", where, len, len ? msg[0] : -1, err);
    if (!valid) {
        model.malformed++;
        return;
    }
    if (!after) { /* a variant the schema has and the model does not know: served, no timer changed */
        model.served++;
        return;
    }
    uint64_t us = 0;
    for (int i = 8; i >= 1; i--)
        us = us << 8 | msg[i];
    struct model_client *c = &model.c[p->slot];
    c->pending = true;
    c->deadline = model_deadline(now, us);
    c->seq = model.seq++;
    model.served++;
}

/* A duration that covers the edges: 0, 1, small, ties, the saturation
 * limits, any 64-bit value. */
static uint64_t random_duration(void)
{
    switch (rng_below(12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: case 3: return rng_below(4);
    case 4: case 5: return rng_below(1000);
    case 6: case 7: return rng_below(100000);
    case 8: return UINT64_MAX / TICKS_PER_US + rng_below(3) - 1;
    case 9: return UINT64_MAX - rng_below(2);
    case 10: return rng() >> rng_below(64);
    default: return rng();
    }
}

static void step_after(struct peer *p, uint64_t now, const char *where)
{
    TimerRequest r = TimerRequest_init_zero;
    uint8_t buf[TimerRequest_MAX_SIZE];
    size_t len;
    r.tag = TimerRequest_After_tag;
    r.u.After.duration_us = random_duration();
    cr_assert_eq(TimerRequest_encode(&r, buf, sizeof buf, &len), PROTO_OK);
    step_request(p, buf, len, now, where);
}

/* Random bytes, often with tag 0 and near the right length: mostly
 * malformed, now and then a valid After. */
static void step_junk(struct peer *p, uint64_t now, const char *where)
{
    uint8_t buf[12];
    size_t len = rng_below(sizeof buf + 1);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rng();
    if (len > 0 && rng_below(2))
        buf[0] = TimerRequest_After_tag;
    step_request(p, buf, len, now, where);
}

static void step_connect(struct peer *p, const char *where)
{
    int slot = timer_svc_connect(&svc, p);
    if (model.connected == MAX_TIMER_CLIENTS) {
        cr_assert_eq(slot, -(int)KERNEL_ERROR_NO_MEMORY, "%s: connect beyond MAX_TIMER_CLIENTS gave slot %d", where, slot);
        model.refused++;
        return;
    }
    cr_assert(slot >= 0 && slot < (int)MAX_TIMER_CLIENTS, "%s: connect gave slot %d", where, slot);
    cr_assert_not(model.c[slot].used, "%s: connect gave slot %d, which is in use", where, slot);
    model.c[slot] = (struct model_client){ .used = true, .peer = p };
    model.connected++;
    p->slot = slot;
}

static void step_disconnect(struct peer *p)
{
    timer_svc_disconnect(&svc, p->slot);
    model.c[p->slot] = (struct model_client){ .used = false };
    model.connected--;
    p->slot = -1;
}

/* Moves the clock forward, saturating: small steps, large ones, and now and
 * then to the last ticks before UINT64_MAX. */
static uint64_t step_clock(uint64_t now)
{
    uint64_t d;
    switch (rng_below(64)) {
    case 0: return UINT64_MAX - rng_below(50);
    case 1: case 2: d = rng() >> rng_below(64); break;
    case 3: case 4: case 5: case 6: return now;
    default: d = rng_below(2) ? rng_below(20) : rng_below(2000000); break;
    }
    return d > UINT64_MAX - now ? UINT64_MAX : now + d;
}

static void step_expire(uint64_t now, const char *where)
{
    static struct peer *want[MAX_TIMER_CLIENTS];
    uint32_t n = 0;
    uint64_t next = timer_svc_expire(&svc, now);
    model_expire(&model, now, want, &n);
    cr_assert_eq(peer_sent_count, n, "%s: %u replies sent, the model sent %u", where, peer_sent_count, n);
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(peer_sent[i], want[i], "%s: reply %u went to peer %td, the model's to peer %td",
                     where, i, peer_sent[i] - peers, want[i] - peers);
    cr_assert_eq(next, model_next(&model), "%s: expire returned %lu, the model %lu",
                 where, (unsigned long)next, (unsigned long)model_next(&model));
    peer_sent_count = 0;   /* compared: consumed */
}

/* The service and the model agree on everything either reports. */
static void check_agree(const char *where)
{
    cr_assert_eq(peer_sent_count, 0, "%s: replies outside expire", where);
    cr_assert_eq(timer_svc_next_deadline(&svc), model_next(&model), "%s: next deadline", where);
    cr_assert_eq(svc.served, model.served, "%s: served", where);
    cr_assert_eq(svc.malformed, model.malformed, "%s: malformed", where);
    cr_assert_eq(svc.refused, model.refused, "%s: refused", where);
    cr_assert_eq(svc.expired, model.expired, "%s: expired", where);
    cr_assert_eq(svc.send_failed, model.send_failed, "%s: send_failed", where);
    cr_assert_eq(timer_svc_connected(&svc), model.connected, "%s: connected", where);
    uint32_t pending = 0;
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        pending += model.c[i].pending;
    cr_assert_eq(timer_svc_pending(&svc), pending, "%s: pending", where);
    cr_assert(heap_whole(&svc), "%s: the heap is broken", where);
}

/* A peer, picked at random, that is connected (or not): NULL if none is. */
static struct peer *random_peer(bool connected)
{
    uint32_t start = (uint32_t)rng_below(PEERS);
    for (uint32_t i = 0; i < PEERS; i++) {
        struct peer *p = &peers[(start + i) % PEERS];
        if ((p->slot >= 0) == connected)
            return p;
    }
    return NULL;
}

enum op { OP_CONNECT, OP_DISCONNECT, OP_AFTER, OP_JUNK, OP_CLOCK, OP_EXPIRE, OP_REFUSE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "connect", "disconnect", "after", "junk", "clock", "expire", "refuse" };

/* An op drawn with this sequence's weights. */
static enum op random_op(const uint32_t *weight, uint32_t total)
{
    uint64_t r = rng_below(total);
    enum op op = OP_CONNECT;
    while (r >= weight[op])
        r -= weight[op++];
    return op;
}

/* One op on the service and the model; returns the clock after it. */
static uint64_t run_op(enum op op, uint64_t now, const char *where)
{
    struct peer *p = random_peer(op != OP_CONNECT);
    if (op == OP_CLOCK)
        return step_clock(now);
    if (op == OP_EXPIRE)
        step_expire(now, where);
    else if (p == NULL)
        return now;
    else if (op == OP_CONNECT)
        step_connect(p, where);
    else if (op == OP_DISCONNECT)
        step_disconnect(p);
    else if (op == OP_AFTER)
        step_after(p, now, where);
    else if (op == OP_JUNK)
        step_junk(p, now, where);
    else
        p->refusing = !p->refusing;
    return now;
}

/* One sequence from seed: its own op weights (some fill the table, some
 * churn), a clock that starts anywhere, steps enough to fill and drain. */
static void run_sequence(uint64_t seed)
{
    rng_state = seed;
    timer_svc_init(&svc, peer_send);
    model = (struct model){ 0 };
    for (uint32_t i = 0; i < PEERS; i++)
        peers[i] = (struct peer){ .slot = -1 };
    uint32_t weight[OP_COUNT], total = 0;
    for (int op = 0; op < OP_COUNT; op++)
        total += weight[op] = 1 + (uint32_t)rng_below(op == OP_REFUSE ? 2 : 8);
    uint64_t now = rng_below(4) ? rng_below(1u << 20) : rng();
    int steps = 6 * (int)MAX_TIMER_CLIENTS + 64;
    for (int step = 0; step < steps; step++) {
        enum op op = random_op(weight, total);
        char where[96];
        snprintf(where, sizeof where, "seed %llu step %d (%s)", (unsigned long long)seed, step, op_names[op]);
        peer_sent_count = 0;
        now = run_op(op, now, where);
        check_agree(where);
    }
}

static uint64_t env_or(const char *name, uint64_t fallback)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? strtoull(v, NULL, 0) : fallback;
}

/* A sequence costs about MAX_TIMER_CLIENTS squared (its length times the
 * model's scan): 3000 sequences at 32 clients, fewer in a larger schema. */
#define SEQUENCES (MAX_TIMER_CLIENTS <= 32 ? 3000 : 96000 / MAX_TIMER_CLIENTS + 100)

Test(timer_svc_model, random_sequences_match_the_reference_model, .timeout = 120)
{
    uint64_t base = env_or("TIMER_SVC_SEED", 20261123);
    uint64_t sequences = env_or("TIMER_SVC_SEQUENCES", SEQUENCES);
    for (uint64_t i = 0; i < sequences; i++)
        run_sequence(base + i);
}
