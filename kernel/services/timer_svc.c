/* The timer service's portable logic (see timer_svc.h). */
#include "timer_svc.h"
#include "timer_dispatch.h"   /* generated */

struct after_ctx {
    struct timer_svc *svc;
    int slot;
    uint64_t now;
};

/* ---------------------------------------------------------------- the heap */

/* Whether the deadline at heap index i is due before the one at j. */
static bool heap_before(const struct timer_svc *s, uint32_t i, uint32_t j)
{
    const struct timer_svc_client *a = &s->clients[s->heap[i]];
    const struct timer_svc_client *b = &s->clients[s->heap[j]];
    return a->deadline != b->deadline ? a->deadline < b->deadline : a->seq < b->seq;
}

/* Puts slot at heap index i and records its position there. */
static void heap_set(struct timer_svc *s, uint32_t i, uint32_t slot)
{
    s->heap[i] = slot;
    s->clients[slot].heap_pos = i;
}

static void heap_swap(struct timer_svc *s, uint32_t i, uint32_t j)
{
    uint32_t slot = s->heap[i];
    heap_set(s, i, s->heap[j]);
    heap_set(s, j, slot);
}

/* Moves the entry at i towards the root until its parent is due first;
 * returns where it ends. */
static uint32_t heap_up(struct timer_svc *s, uint32_t i)
{
    while (i > 0 && heap_before(s, i, (i - 1) / 2)) {
        heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return i;
}

/* Moves the entry at i towards the leaves until both children are due later. */
static void heap_down(struct timer_svc *s, uint32_t i)
{
    for (;;) {
        uint32_t first = i, l = 2 * i + 1, r = l + 1;
        if (l < s->heap_len && heap_before(s, l, first))
            first = l;
        if (r < s->heap_len && heap_before(s, r, first))
            first = r;
        if (first == i)
            return;
        heap_swap(s, i, first);
        i = first;
    }
}

/* Restores the heap order around index i after its key changed. */
static void heap_fix(struct timer_svc *s, uint32_t i)
{
    heap_down(s, heap_up(s, i));
}

/* Takes slot's pending deadline out of the heap. */
static void heap_remove(struct timer_svc *s, uint32_t slot)
{
    uint32_t i = s->clients[slot].heap_pos;
    s->clients[slot].pending = false;
    if (i != --s->heap_len) {
        heap_set(s, i, s->heap[s->heap_len]);
        heap_fix(s, i);
    }
}

/* Gives slot the deadline, due after every equal deadline armed before;
 * replaces a pending one. */
static void heap_arm(struct timer_svc *s, uint32_t slot, uint64_t deadline)
{
    struct timer_svc_client *c = &s->clients[slot];
    c->deadline = deadline;
    c->seq = s->next_seq++;
    if (!c->pending) {
        c->pending = true;
        heap_set(s, s->heap_len++, slot);
    }
    heap_fix(s, c->heap_pos);
}

/* ---------------------------------------------------------------- clients */

void timer_svc_init(struct timer_svc *s, timer_svc_send_fn send)
{
    *s = (struct timer_svc){ .send = send };
    while (s->free_len < MAX_TIMER_CLIENTS) {
        s->free_slots[s->free_len] = MAX_TIMER_CLIENTS - 1 - s->free_len;
        s->free_len++;
    }
}

int timer_svc_connect(struct timer_svc *s, void *chan)
{
    if (s->free_len == 0) {
        s->refused++;
        return -1;
    }
    uint32_t slot = s->free_slots[--s->free_len];
    s->clients[slot] = (struct timer_svc_client){ .used = true, .chan = chan };
    return (int)slot;
}

void timer_svc_disconnect(struct timer_svc *s, int slot)
{
    if (slot < 0 || slot >= (int)MAX_TIMER_CLIENTS || !s->clients[slot].used)
        return;
    if (s->clients[slot].pending)
        heap_remove(s, (uint32_t)slot);
    s->clients[slot] = (struct timer_svc_client){ .used = false };
    s->free_slots[s->free_len++] = (uint32_t)slot;
}

uint32_t timer_svc_connected(const struct timer_svc *s)
{
    return MAX_TIMER_CLIENTS - s->free_len;
}

uint32_t timer_svc_pending(const struct timer_svc *s)
{
    return s->heap_len;
}

/* ---------------------------------------------------------------- requests */

uint64_t timer_svc_deadline(uint64_t now, uint64_t duration_us)
{
    if (duration_us > UINT64_MAX / TICKS_PER_US)
        return UINT64_MAX;
    uint64_t ticks = duration_us * TICKS_PER_US;
    return ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks;
}

int TimerRequest_handle_After(void *ctx, const TimerRequest_After *m)
{
    struct after_ctx *a = ctx;
    heap_arm(a->svc, (uint32_t)a->slot, timer_svc_deadline(a->now, m->duration_us));
    return 0;
}

proto_err timer_svc_handle(struct timer_svc *s, int slot, const uint8_t *msg, size_t len, uint64_t now)
{
    struct after_ctx ctx = { s, slot, now };
    proto_err err = TimerRequest_dispatch(&ctx, msg, len, NULL);
    if (err != PROTO_OK)
        s->malformed++;
    else
        s->served++;
    return err;
}

/* ---------------------------------------------------------------- expiry */

static void send_expired(struct timer_svc *s, struct timer_svc_client *c)
{
    TimerResponse r = TimerResponse_init_zero;
    uint8_t buf[TimerResponse_MAX_SIZE];
    size_t len;
    r.tag = TimerResponse_Expired_tag;
    if (TimerResponse_encode(&r, buf, sizeof buf, &len) != PROTO_OK || s->send(c->chan, buf, len) < 0)
        s->send_failed++;
    else
        s->expired++;
}

uint64_t timer_svc_next_deadline(const struct timer_svc *s)
{
    return s->heap_len == 0 ? TIMER_SVC_NO_DEADLINE : s->clients[s->heap[0]].deadline;
}

uint64_t timer_svc_expire(struct timer_svc *s, uint64_t now)
{
    while (s->heap_len > 0 && s->clients[s->heap[0]].deadline <= now) {
        uint32_t slot = s->heap[0];
        heap_remove(s, slot);   /* before the send: the heap is whole if it re-enters */
        send_expired(s, &s->clients[slot]);
    }
    return timer_svc_next_deadline(s);
}
