/* Host tests of the timer service (kernel/services/timer.c) on the service
 * harness (tests/harness/harness.h): clients talk to it through the
 * generated stubs (timer_client.h) over the harness's loopback, and the
 * harness's fake clock runs its tick. The deadline heap is the service's
 * own, so every test checks what clients see: who gets Expired, at which
 * tick and in what order (the harness stamps each reply it queues:
 * harness_client.last_order), and the binding's counters.
 *
 * Sizes come from MAX_TIMER_CLIENTS and APP_MAX_TIMERS: a test written for
 * k clients runs with up_to(k) of them and expects what those do. Client i
 * is charged to app i / APP_MAX_TIMERS, so no quota gets in the way but in
 * the quota's own test. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "timer_client.h"    /* generated: the stubs */
#include "timer_service.h"   /* generated: timer_service, timer_service_pending */

#define T0 HARNESS_T0   /* the clock when a test starts */
#define GONE UINT64_MAX   /* in a table of durations: that client has no timer */

static struct svc *timer;
static struct harness_client *c[MAX_TIMER_CLIENTS + 1];   /* the test's clients, by index */
static uint64_t replies_seen;   /* the Expired replies expect_expired has accounted for */

static void setup(void)
{
    harness_start();
    timer = harness_service("timer");
    cr_assert_eq(timer, &timer_service, "the registry's \"timer\" is the generated binding");
    replies_seen = 0;
}

TestSuite(timer, .init = setup);

/* min(k, MAX_TIMER_CLIENTS): the clients a test written for k gets. */
static uint32_t up_to(uint32_t k)
{
    return k < MAX_TIMER_CLIENTS ? k : MAX_TIMER_CLIENTS;
}

static int app_of(uint32_t i)
{
    return (int)(i / APP_MAX_TIMERS);
}

/* Connects c[i] for its app, which must be served. */
static struct harness_client *join(uint32_t i)
{
    int rc = harness_connect(timer, app_of(i), &c[i]);
    cr_assert_eq(rc, 0, "client %u (app %d) refused: %d", i, app_of(i), rc);
    return c[i];
}

/* Connects c[0 .. n-1]: a fresh service hands them slots 0 .. n-1. */
static void join_all(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(svc_client_slot(join(i)->c), i, "slots are handed out from 0 up");
}

/* h sends After { us }: handled at once, then whatever is due fires. */
static void after(struct harness_client *h, uint64_t us)
{
    cr_assert_eq(timer_after_send(&h->t, us), 0);
}

/* The tick an After { us } sent at T0 fires at. */
static uint64_t at(uint64_t us)
{
    return T0 + us * TICKS_PER_US;
}

/* The Expired replies queued since the last call (or the test's start)
 * went, one each, to the clients of want[0 .. n-1] below k (indices into
 * c[]), in that order, and to no one else. Takes them: each must decode as
 * Expired. */
static void expect_expired(const uint32_t *want, uint32_t n, uint32_t k)
{
    uint64_t last = 0, got = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (want[i] >= k)
            continue;
        struct harness_client *h = c[want[i]];
        cr_assert_eq(h->count, 1, "client %u: %u replies queued, one Expired expected", want[i], h->count);
        cr_assert_gt(h->last_order, last, "client %u got its Expired out of order (expected as reply %lu)", want[i],
                     (unsigned long)got + 1);
        last = h->last_order;
        cr_assert_eq(timer_after_recv(&h->t), 0, "client %u: the reply decodes as Expired", want[i]);
        got++;
    }
    cr_assert_eq(timer->stats.replies, replies_seen + got, "%lu replies sent, %lu expected",
                 (unsigned long)(timer->stats.replies - replies_seen), (unsigned long)got);
    replies_seen += got;
}

static void expect_no_expired(void)
{
    expect_expired(NULL, 0, 0);
}

/* The smallest of us[0 .. k-1]. */
static uint64_t soonest(const uint64_t *us, uint32_t k)
{
    uint64_t min = GONE;
    for (uint32_t i = 0; i < k; i++)
        if (us[i] < min)
            min = us[i];
    return min;
}

/* c[0 .. k-1] armed at T0 with After { us[i] } (distinct, at least 1; GONE:
 * none): steps the clock through their deadlines, soonest first; at each,
 * the service names it as its next, nothing fires one tick before, and its
 * client alone gets Expired at it. */
static void expect_fired_by_deadline(const uint64_t *us, uint32_t k)
{
    uint64_t prev = 0;
    for (;;) {
        uint32_t w = k;
        for (uint32_t i = 0; i < k; i++)
            if (us[i] != GONE && us[i] > prev && (w == k || us[i] < us[w]))
                w = i;
        if (w == k)
            break;
        cr_assert_eq(harness_next_deadline(timer), at(us[w]), "client %u's deadline is the next", w);
        harness_set_time(at(us[w]) - 1);
        expect_no_expired();
        harness_set_time(at(us[w]));
        expect_expired(&w, 1, k);
        prev = us[w];
    }
    cr_assert_eq(harness_next_deadline(timer), 0, "no deadline left");
    cr_assert_eq(timer_service_pending(), 0);
}

/* ---------------------------------------------------------------- one client */

Test(timer, one_shot_fires_at_its_deadline_not_before)
{
    struct harness_client *h = join(0);
    after(h, 50000);
    uint64_t deadline = at(50000);
    cr_assert_eq(harness_next_deadline(timer), deadline, "the deadline is the service's next");
    harness_set_time(deadline - 1);
    cr_assert_eq(h->count, 0, "not before the deadline");
    harness_set_time(deadline);
    cr_assert_eq(h->count, 1, "at the deadline");
    cr_assert_eq(harness_next_deadline(timer), 0);
    cr_assert_eq(timer_after_recv(&h->t), 0, "the reply decodes as Expired");
    cr_assert_eq(timer->stats.replies, 1);
    harness_set_time(deadline * 2);
    cr_assert_eq(h->count, 0, "one After, one Expired");
    cr_assert_eq(timer_after_recv(&h->t), -(int)KERNEL_ERROR_WOULD_BLOCK, "nothing left to wait for");
}

Test(timer, repeated_timers_on_one_channel)
{
    struct harness_client *h = join(0);
    for (int i = 0; i < 5; i++) {
        uint64_t start = harness_now();
        cr_assert_eq(timer_after(&h->t, 10), 0, "round %d", i);   /* the wait moves the clock */
        cr_assert_eq(harness_now(), start + 10 * TICKS_PER_US, "round %d returns at its deadline", i);
    }
    cr_assert_eq(timer->stats.replies, 5);
    cr_assert_eq(h->received, 5);
}

Test(timer, new_after_replaces_the_pending_one)
{
    struct harness_client *h = join(0);
    after(h, 1000000);
    after(h, 10000);
    cr_assert_eq(harness_next_deadline(timer), at(10000));
    harness_set_time(at(10000));
    cr_assert_eq(h->count, 1, "fires at the short deadline");
    harness_set_time(at(2000000));
    cr_assert_eq(h->count, 1, "the replaced long deadline never fires");
    cr_assert_eq(harness_next_deadline(timer), 0);
    cr_assert_eq(timer_service_pending(), 0);
}

Test(timer, zero_duration_is_due_at_once)
{
    struct harness_client *h = join(0);
    after(h, 0);
    cr_assert_eq(h->count, 1, "Expired as the request is handled");
    cr_assert_eq(harness_now(), T0, "without the clock moving");
    cr_assert_eq(timer_after_recv(&h->t), 0);
}

/* The deadline is now + us * TICKS_PER_US, saturating at UINT64_MAX: seen
 * as the next deadline an After arms or, once saturated, as a timer that
 * is pending, reads as no deadline, and fires only when the clock reaches
 * UINT64_MAX. Each After replaces the one before. */
Test(timer, deadline_saturates_at_uint64_max)
{
    struct harness_client *h = join(0);
    after(h, 7);
    cr_assert_eq(harness_next_deadline(timer), T0 + 7 * TICKS_PER_US);

    uint64_t most = (UINT64_MAX - T0) / TICKS_PER_US;   /* the longest that fits */
    after(h, most);
    uint64_t exact = T0 + most * TICKS_PER_US;
    cr_assert_eq(harness_next_deadline(timer), exact == UINT64_MAX ? 0 : exact, "the last deadline that fits");
    after(h, most + 1);
    cr_assert_eq(harness_next_deadline(timer), 0, "add overflow saturates");
    after(h, UINT64_MAX / TICKS_PER_US + 1);   /* wrapped, that would be a few ticks from now */
    cr_assert_eq(harness_next_deadline(timer), 0, "multiply overflow saturates");
    harness_set_time(T0 + 1000 * TICKS_PER_US);
    cr_assert_eq(h->count, 0, "no wrap into a near deadline");
    after(h, UINT64_MAX);
    cr_assert_eq(harness_next_deadline(timer), 0);

    harness_set_time(UINT64_MAX - 11);
    after(h, 1);
    cr_assert_eq(harness_next_deadline(timer), UINT64_MAX - 1, "one below the top still fits");
    harness_set_time(UINT64_MAX - 10);
    after(h, 1);
    cr_assert_eq(harness_next_deadline(timer), 0, "exactly UINT64_MAX");
    harness_set_time(UINT64_MAX - 5);
    after(h, 1);
    cr_assert_eq(harness_next_deadline(timer), 0, "add overflow near the top");
    after(h, UINT64_MAX);
    cr_assert_eq(timer_service_pending(), 1, "a saturated timer is still pending");
    harness_set_time(UINT64_MAX - 1);
    cr_assert_eq(h->count, 0, "UINT64_MAX never wraps into the past");
    harness_set_time(UINT64_MAX);
    cr_assert_eq(h->count, 1);
    cr_assert_eq(timer->stats.replies, 1, "only the last After fired");
}

Test(timer, uint64_max_then_short_replaces_it)
{
    struct harness_client *h = join(0);
    after(h, UINT64_MAX);
    harness_set_time(T0 + 1000000);
    cr_assert_eq(h->count, 0);
    after(h, 3);
    cr_assert_eq(harness_next_deadline(timer), harness_now() + 3 * TICKS_PER_US);
    harness_set_time(harness_now() + 3 * TICKS_PER_US);
    cr_assert_eq(h->count, 1);
    cr_assert_eq(harness_next_deadline(timer), 0);
}

Test(timer, malformed_requests_are_dropped_and_counted)
{
    struct harness_client *h = join(0);
    static const uint8_t unknown_tag[] = { 7, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t truncated[] = { 0, 1, 2, 3 };
    static const uint8_t trailing[] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
    static const struct {
        const uint8_t *msg;
        size_t len;
        proto_err err;
    } bad[] = {
        { unknown_tag, sizeof unknown_tag, PROTO_ERR_UNKNOWN_TAG },
        { truncated, sizeof truncated, PROTO_ERR_SHORT_BUFFER },
        { trailing, sizeof trailing, PROTO_ERR_TRAILING_BYTES },
        { NULL, 0, PROTO_ERR_SHORT_BUFFER },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TimerRequest m;
        cr_assert_eq(TimerRequest_decode(&m, bad[i].msg, bad[i].len), bad[i].err, "request %zu", i);
        cr_assert_eq(h->t.send(h->t.ctx, bad[i].msg, bad[i].len, NULL), 0, "request %zu", i);
    }
    cr_assert_eq(timer->stats.malformed, 4);
    cr_assert_eq(timer->stats.served, 0);
    cr_assert_eq(timer_service_pending(), 0, "nothing was armed");
    cr_assert_not_null(h->c, "the client stays connected");
    harness_set_time(at(1000000));
    cr_assert_eq(h->count, 0, "no reply to a malformed request");
    cr_assert_eq(timer_after(&h->t, 1), 0, "the service still answers");
}

Test(timer, refused_reply_is_counted_not_retried)
{
    struct harness_client *h = join(0);
    harness_refuse_sends(true);
    after(h, 1);
    harness_set_time(at(1));
    cr_assert_eq(timer->stats.send_failed, 1);
    cr_assert_eq(timer->stats.replies, 0);
    cr_assert_eq(timer_service_pending(), 0, "the timer is spent");
    cr_assert_eq(harness_next_deadline(timer), 0);
    harness_refuse_sends(false);
    harness_set_time(at(1000));
    cr_assert_eq(h->count, 0, "not retried");
    cr_assert_eq(timer->stats.send_failed, 1);
    cr_assert_not_null(h->c, "the client stays connected");
    cr_assert_eq(timer_after(&h->t, 1), 0, "and is served again");
}

/* ---------------------------------------------------------------- many clients */

Test(timer, earliest_of_several_deadlines)
{
    uint64_t us[3] = { 30, 10, 20 };
    uint32_t k = up_to(3);
    for (uint32_t i = 0; i < k; i++)
        after(join(i), us[i]);
    expect_fired_by_deadline(us, k);
}

Test(timer, max_clients_then_refused)
{
    uint32_t n = MAX_TIMER_CLIENTS;
    struct harness_client *extra;
    join_all(n);
    cr_assert_eq(harness_connect(timer, app_of(n), &extra), -(int)KERNEL_ERROR_NO_MEMORY, "client %u is refused",
                 n + 1);
    for (uint32_t i = 0; i < n; i++)
        after(c[i], i + 1);
    harness_set_time(at(n));
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(c[i]->count, 1, "client %u", i);
}

Test(timer, close_frees_the_slot_and_its_timer)
{
    uint32_t n = MAX_TIMER_CLIENTS, mid = n / 2;
    join_all(n);
    struct harness_client *closed = c[mid];
    after(closed, 10);
    harness_close(closed);
    cr_assert(closed->closed);
    cr_assert_eq(timer_service_pending(), 0);
    struct harness_client *fresh = join(mid);
    cr_assert_eq(svc_client_slot(fresh->c), mid, "the freed slot is reused");
    harness_set_time(UINT64_MAX - 1);
    cr_assert_eq(fresh->count + closed->count, 0, "the closed client's timer went with it");
    cr_assert_eq(harness_next_deadline(timer), 0);
}

Test(timer, counts_served_refused_connected_and_pending)
{
    uint32_t n = MAX_TIMER_CLIENTS;
    struct harness_client *extra;
    join_all(n);
    cr_assert_eq(harness_connect(timer, app_of(n), &extra), -(int)KERNEL_ERROR_NO_MEMORY);
    cr_assert_eq(harness_connect(timer, app_of(n), &extra), -(int)KERNEL_ERROR_NO_MEMORY);
    cr_assert_eq(timer->stats.refused, 2);
    cr_assert_eq(svc_connected(timer), n);
    struct harness_client *a = c[0], *b = c[n - 1];   /* one client when MAX_TIMER_CLIENTS is 1 */
    uint64_t armed = a == b ? 1 : 2;
    after(a, 5);
    after(a, 6);
    after(b, 7);
    static const uint8_t junk[] = { 9 };
    cr_assert_eq(a->t.send(a->t.ctx, junk, sizeof junk, NULL), 0);
    cr_assert_eq(timer->stats.served, 3, "a replacing After is served too");
    cr_assert_eq(timer->stats.malformed, 1, "a malformed request is not served");
    cr_assert_eq(timer_service_pending(), armed);
    harness_close(b);
    harness_close(b);
    harness_close(NULL);
    cr_assert_eq(svc_connected(timer), n - 1, "a second close is a no-op");
    cr_assert_eq(timer_service_pending(), armed - 1);
    cr_assert_eq(svc_client_slot(join(n - 1)->c), n - 1, "the slot is free once, not twice");
    cr_assert_eq(harness_connect(timer, app_of(n), &extra), -(int)KERNEL_ERROR_NO_MEMORY);
    cr_assert_eq(timer->stats.refused, 3);
}

Test(timer, an_app_past_its_quota_is_refused_while_another_is_served)
{
    uint32_t q = up_to(APP_MAX_TIMERS);   /* what one app can hold */
    struct harness_client *mine[APP_MAX_TIMERS], *other;
    cr_assert_eq(timer->desc->app_quota, APP_MAX_TIMERS);
    for (uint32_t i = 0; i < q; i++)
        cr_assert_eq(harness_connect(timer, 0, &mine[i]), 0, "the app's client %u of %u", i + 1, q);
    if (MAX_TIMER_CLIENTS <= APP_MAX_TIMERS)
        cr_skip_test("one app fills the service (MAX_TIMER_CLIENTS %u <= APP_MAX_TIMERS %u): no other app to serve",
                     MAX_TIMER_CLIENTS, APP_MAX_TIMERS);
    cr_assert_eq(harness_connect(timer, 0, &other), -(int)KERNEL_ERROR_QUOTA, "one over the app's quota");
    cr_assert_eq(timer->stats.refused, 1, "the refusal is counted");
    cr_assert_eq(harness_connect(timer, 1, &other), 0, "another app is still served");
    after(mine[q - 1], 1);
    after(other, 2);
    harness_set_time(at(2));
    cr_assert_eq(mine[q - 1]->count + other->count, 2, "both apps' timers fire");
    harness_close(mine[0]);
    cr_assert_eq(harness_connect(timer, 0, &other), 0, "a closed client gives the app its place back");
}

/* ---------------------------------------------------------------- the order of expiry
 *
 * The service keeps its deadlines in a heap; these arm, replace and drop
 * deadlines at its edges (root, middle, leaf, ties, saturation) and check
 * that Expired still comes by deadline, then arm order. */

Test(timer, replace_an_armed_deadline_with_a_later_and_a_sooner_one)
{
    uint64_t us[5] = { 10, 20, 30, 40, 50 };
    uint32_t k = up_to(5), mid = k / 2;
    join_all(k);
    for (uint32_t i = 0; i < k; i++)
        after(c[i], us[i]);
    us[0] = 60;   /* the soonest, later: it must go down */
    after(c[0], us[0]);
    cr_assert_eq(harness_next_deadline(timer), at(soonest(us, k)));
    us[mid] = 5;   /* one in the middle, sooner: it must come up */
    after(c[mid], us[mid]);
    cr_assert_eq(harness_next_deadline(timer), at(5), "the sooner one is due first");
    cr_assert_eq(timer_service_pending(), k, "a replacement adds no deadline");
    expect_fired_by_deadline(us, k);
}

/* Deadlines armed in this order make the heap [1 10 2 11 12 3 4]: a leaf
 * (11) goes, which moves the last entry (4) up into the middle; then that
 * middle entry (4) and the root (1) go. */
Test(timer, disconnect_with_a_pending_timer_at_leaf_middle_and_root)
{
    uint64_t us[7] = { 1, 10, 2, 11, 12, 3, 4 };
    static const uint32_t closing[3] = { 3, 6, 0 };
    uint32_t k = up_to(7);
    join_all(k);
    for (uint32_t i = 0; i < k; i++)
        after(c[i], us[i]);
    for (uint32_t i = 0; i < 3; i++) {
        if (closing[i] >= k)
            continue;
        harness_close(c[closing[i]]);
        us[closing[i]] = GONE;
    }
    uint32_t left = 0;
    for (uint32_t i = 0; i < k; i++)
        left += us[i] != GONE;
    cr_assert_eq(timer_service_pending(), left);
    expect_fired_by_deadline(us, k);   /* 2 3 10 12 when all 7 are there */
}

/* The same heap with only the leaf (11) taken out: had the last entry (4)
 * stayed in its place instead of moving up, it would sit under 10, and
 * once the three soonest are re-armed later, 10 would come before it. */
Test(timer, disconnect_moves_the_last_deadline_up)
{
    uint64_t us[7] = { 1, 10, 2, 11, 12, 3, 4 };
    static const uint32_t rearming[3] = { 0, 2, 5 };
    uint32_t k = up_to(7);
    join_all(k);
    for (uint32_t i = 0; i < k; i++)
        after(c[i], us[i]);
    if (k > 3) {
        harness_close(c[3]);
        us[3] = GONE;
    }
    for (uint32_t i = 0; i < 3; i++) {
        if (rearming[i] >= k)
            continue;
        us[rearming[i]] = 20 + i;
        after(c[rearming[i]], us[rearming[i]]);
    }
    expect_fired_by_deadline(us, k);   /* 4 10 12 20 21 22 when all 7 are there */
}

Test(timer, all_max_clients_pending_expire_by_deadline)
{
    uint32_t n = MAX_TIMER_CLIENTS, half = n / 2;
    static uint32_t want[MAX_TIMER_CLIENTS];
    join_all(n);
    for (uint32_t i = 0; i < n; i++) {
        after(c[i], n - i);   /* armed latest first */
        want[i] = n - 1 - i;
    }
    cr_assert_eq(timer_service_pending(), n);
    harness_set_time(at(half));
    cr_assert_eq(harness_next_deadline(timer), at(half + 1));
    expect_expired(want, half, n);   /* in one tick, still by deadline */
    cr_assert_eq(timer_service_pending(), n - half);
    harness_set_time(at(n));
    cr_assert_eq(harness_next_deadline(timer), 0);
    expect_expired(want + half, n - half, n);
    cr_assert_eq(timer->stats.replies, n);
}

Test(timer, equal_deadlines_fire_in_the_order_they_were_armed)
{
    static const uint32_t arming[4] = { 2, 0, 3, 1 };
    static const uint32_t want[4] = { 2, 3, 1, 0 };
    uint32_t k = up_to(4);
    join_all(k);
    for (uint32_t i = 0; i < 4; i++)
        if (arming[i] < k)
            after(c[arming[i]], 10);
    after(c[0], 10);   /* re-armed: now the last of them */
    harness_set_time(at(10) - 1);
    expect_no_expired();
    harness_set_time(at(10));
    expect_expired(want, 4, k);
    cr_assert_eq(harness_next_deadline(timer), 0);
}

Test(timer, saturated_deadlines_wait_for_uint64_max_in_arm_order)
{
    static const uint32_t want[3] = { 1, 0, 2 };
    uint32_t k = up_to(3);
    join_all(k);
    harness_set_time(UINT64_MAX - 5);
    if (k > 1)
        after(c[1], UINT64_MAX);
    after(c[0], UINT64_MAX / TICKS_PER_US + 1);
    if (k > 2)
        after(c[2], 1);   /* now + 10 ticks saturates too */
    cr_assert_eq(timer_service_pending(), k);
    cr_assert_eq(harness_next_deadline(timer), 0, "UINT64_MAX reads as no deadline");
    harness_set_time(UINT64_MAX - 1);
    expect_no_expired();
    harness_set_time(UINT64_MAX);
    expect_expired(want, 3, k);
}

/* ---------------------------------------------------------------- against a reference model
 *
 * Random sequences of connect, close, After, junk requests, clock steps,
 * ticks and refusing sends, run on the service (through the harness) and
 * on a model that keeps a plain array and scans it. After every step both
 * must have sent Expired to the same clients in the same order and agree
 * on the next deadline and every counter. Each sequence has its own seed;
 * TIMER_SEED=s TIMER_SEQUENCES=1 replays the one a failure names. */

#define PEERS (MAX_TIMER_CLIENTS + 4)
/* A sequence that has connected this many clients starts the harness (and
 * the model) afresh and goes on: harness.h promises room for at least that
 * many from one harness_start to the next. */
#define CONNECTS_PER_START (2 * (MAX_TIMER_CLIENTS + 1))

/* Peer i connects for app i / APP_MAX_TIMERS: never over its quota. */
struct peer {
    struct harness_client *h;   /* NULL while not connected */
};

struct model_client {
    bool used, pending;
    uint64_t deadline, seq;
    uint32_t peer;
};

struct model {
    struct model_client c[MAX_TIMER_CLIENTS];   /* by slot */
    uint32_t connected, connects;
    bool refusing;
    uint64_t seq, served, malformed, refused, replies, send_failed;
};

static struct peer peers[PEERS];
static struct model model;
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

/* The model's deadline: exact arithmetic in 128 bits, then clamped. */
static uint64_t model_deadline(uint64_t now, uint64_t us)
{
    unsigned __int128 d = (unsigned __int128)us * TICKS_PER_US + now;
    return d > UINT64_MAX ? UINT64_MAX : (uint64_t)d;
}

/* The model's pending client due first (by deadline, then arm order), or -1. */
static int model_first(void)
{
    int first = -1;
    for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++) {
        const struct model_client *m = &model.c[i];
        if (m->pending && (first < 0 || m->deadline < model.c[first].deadline ||
                           (m->deadline == model.c[first].deadline && m->seq < model.c[first].seq)))
            first = i;
    }
    return first;
}

/* The next deadline as the service's tick reports it: 0 for none, and a
 * saturated one reads as none. */
static uint64_t model_next(void)
{
    int first = model_first();
    return first < 0 || model.c[first].deadline == UINT64_MAX ? 0 : model.c[first].deadline;
}

/* The model's tick at now: the peers it sends Expired to, in order, go to
 * want (those a refused send loses are only counted). */
static uint32_t model_tick(uint64_t now, uint32_t *want)
{
    uint32_t n = 0;
    for (int i = model_first(); i >= 0 && model.c[i].deadline <= now; i = model_first()) {
        model.c[i].pending = false;
        if (model.refusing) {
            model.send_failed++;
        } else {
            model.replies++;
            want[n++] = model.c[i].peer;
        }
    }
    return n;
}

static void model_reset(void)
{
    model = (struct model){ 0 };
    for (uint32_t i = 0; i < PEERS; i++)
        peers[i].h = NULL;
}

static void step_connect(uint32_t p, const char *where)
{
    if (model.connects == CONNECTS_PER_START) {
        uint64_t now = harness_now();
        harness_start();
        harness_set_time(now);
        model_reset();
    }
    int rc = harness_connect(timer, (int)(p / APP_MAX_TIMERS), &peers[p].h);
    if (model.connected == MAX_TIMER_CLIENTS) {
        cr_assert_eq(rc, -(int)KERNEL_ERROR_NO_MEMORY, "%s: connect beyond MAX_TIMER_CLIENTS: %d", where, rc);
        peers[p].h = NULL;
        model.refused++;
        return;
    }
    cr_assert_eq(rc, 0, "%s: connect refused: %d", where, rc);
    uint32_t slot = svc_client_slot(peers[p].h->c);
    cr_assert(slot < MAX_TIMER_CLIENTS && !model.c[slot].used, "%s: connect gave slot %u, which is in use", where,
              slot);
    model.c[slot] = (struct model_client){ .used = true, .peer = p };
    model.connected++;
    model.connects++;
}

static void step_close(uint32_t p)
{
    model.c[svc_client_slot(peers[p].h->c)] = (struct model_client){ .used = false };
    model.connected--;
    harness_close(peers[p].h);
    peers[p].h = NULL;
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

static void model_arm(uint32_t p, uint64_t us)
{
    struct model_client *m = &model.c[svc_client_slot(peers[p].h->c)];
    m->pending = true;
    m->deadline = model_deadline(harness_now(), us);
    m->seq = model.seq++;
    model.served++;
}

static void step_after(uint32_t p, const char *where)
{
    uint64_t us = random_duration();
    model_arm(p, us);
    cr_assert_eq(timer_after_send(&peers[p].h->t, us), 0, "%s", where);
}

/* Random bytes, often with tag After and near the right length: mostly
 * malformed, now and then a valid After (any other tag is valid when the
 * generated decoder says so: a variant added to the schema, served, no
 * timer changed). */
static void step_junk(uint32_t p, const char *where)
{
    uint8_t buf[12];
    size_t len = rng_below(sizeof buf + 1);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rng();
    if (len > 0 && rng_below(2))
        buf[0] = TimerRequest_After_tag;
    bool is_after = len > 0 && buf[0] == TimerRequest_After_tag;
    TimerRequest other;
    if (is_after && len == TimerRequest_After_MAX_SIZE) {
        uint64_t us = 0;
        for (int i = 8; i >= 1; i--)
            us = us << 8 | buf[i];
        model_arm(p, us);
    } else if (!is_after && TimerRequest_decode(&other, buf, len) == PROTO_OK) {
        model.served++;
    } else {
        model.malformed++;
    }
    cr_assert_eq(peers[p].h->t.send(peers[p].h->t.ctx, buf, len, NULL), 0, "%s", where);
}

/* Moves the clock forward, saturating: small steps, large ones, now and
 * then to the last ticks before UINT64_MAX, sometimes not at all (a tick
 * with nothing new due). */
static void step_clock(void)
{
    uint64_t now = harness_now(), d;
    switch (rng_below(64)) {
    case 0: harness_set_time(UINT64_MAX - rng_below(50)); return;
    case 1: case 2: d = rng() >> rng_below(64); break;
    case 3: case 4: case 5: case 6: d = 0; break;
    default: d = rng_below(2) ? rng_below(20) : rng_below(2000000); break;
    }
    harness_set_time(d > UINT64_MAX - now ? UINT64_MAX : now + d);
}

/* After a step: the service sent Expired to the peers of want, in that
 * order (taken here), and to no one else, and agrees with the model on
 * everything either reports. */
static void check_step(const uint32_t *want, uint32_t n, const char *where)
{
    uint64_t last = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct harness_client *h = peers[want[i]].h;
        cr_assert_eq(h->count, 1, "%s: peer %u has %u replies, the model sent it one", where, want[i], h->count);
        cr_assert_gt(h->last_order, last, "%s: peer %u got Expired out of the model's order", where, want[i]);
        last = h->last_order;
        cr_assert_eq(timer_after_recv(&h->t), 0, "%s: peer %u: not an Expired", where, want[i]);
    }
    cr_assert_eq(timer->stats.replies, model.replies, "%s: replies", where);
    cr_assert_eq(harness_next_deadline(timer), model_next(), "%s: next deadline %llu, the model's %llu (now %llu)",
                 where, (unsigned long long)harness_next_deadline(timer), (unsigned long long)model_next(),
                 (unsigned long long)harness_now());
    cr_assert_eq(timer->stats.served, model.served, "%s: served", where);
    cr_assert_eq(timer->stats.malformed, model.malformed, "%s: malformed", where);
    cr_assert_eq(timer->stats.refused, model.refused, "%s: refused", where);
    cr_assert_eq(timer->stats.send_failed, model.send_failed, "%s: send_failed", where);
    cr_assert_eq(svc_connected(timer), model.connected, "%s: connected", where);
    uint64_t pending = 0;
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)
        pending += model.c[i].pending;
    cr_assert_eq(timer_service_pending(), pending, "%s: pending", where);
}

/* A peer, picked at random, that is connected (or not), or PEERS if none is. */
static uint32_t random_peer(bool connected)
{
    uint32_t start = (uint32_t)rng_below(PEERS);
    for (uint32_t i = 0; i < PEERS; i++) {
        uint32_t p = (start + i) % PEERS;
        if ((peers[p].h != NULL) == connected)
            return p;
    }
    return PEERS;
}

enum op { OP_CONNECT, OP_CLOSE, OP_AFTER, OP_JUNK, OP_CLOCK, OP_TICK, OP_REFUSE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "connect", "close", "after", "junk", "clock", "tick", "refuse" };

/* An op drawn with this sequence's weights. */
static enum op random_op(const uint32_t *weight, uint32_t total)
{
    uint64_t r = rng_below(total);
    enum op op = OP_CONNECT;
    while (r >= weight[op])
        r -= weight[op++];
    return op;
}

/* One op on the service (whose tick runs after it, as the harness does)
 * and on the model. */
static void run_op(enum op op, const char *where)
{
    uint32_t p = random_peer(op != OP_CONNECT);
    if (op == OP_CLOCK)
        step_clock();
    else if (op == OP_TICK)
        harness_set_time(harness_now());
    else if (op == OP_REFUSE)
        harness_refuse_sends(model.refusing = !model.refusing);
    else if (p == PEERS)
        return;
    else if (op == OP_CONNECT)
        step_connect(p, where);
    else if (op == OP_CLOSE)
        step_close(p);
    else if (op == OP_AFTER)
        step_after(p, where);
    else
        step_junk(p, where);
}

/* One sequence from seed: its own op weights (some fill the table, some
 * churn), a clock that starts anywhere, steps enough to fill and drain. */
static void run_sequence(uint64_t seed)
{
    static uint32_t want[MAX_TIMER_CLIENTS];
    rng_state = seed;
    harness_start();
    model_reset();
    uint32_t weight[OP_COUNT], total = 0;
    for (int op = 0; op < OP_COUNT; op++)
        total += weight[op] = 1 + (uint32_t)rng_below(op == OP_REFUSE ? 2 : 8);
    harness_set_time(rng_below(4) ? rng_below(1u << 20) : rng());   /* not before T0 */
    int steps = 6 * (int)MAX_TIMER_CLIENTS + 64;
    for (int step = 0; step < steps; step++) {
        enum op op = random_op(weight, total);
        char where[96];
        snprintf(where, sizeof where, "seed %llu step %d (%s)", (unsigned long long)seed, step, op_names[op]);
        run_op(op, where);
        check_step(want, model_tick(harness_now(), want), where);
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

Test(timer_model, random_sequences_match_the_reference_model, .init = setup, .timeout = 120)
{
    uint64_t base = env_or("TIMER_SEED", 20261123);
    uint64_t sequences = env_or("TIMER_SEQUENCES", SEQUENCES);
    for (uint64_t i = 0; i < sequences; i++)
        run_sequence(base + i);
}
