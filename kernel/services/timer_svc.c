/* The timer service's portable logic (see timer_svc.h). */
#include "timer_svc.h"
#include "timer_dispatch.h"   /* generated */

struct after_ctx {
    struct timer_svc *svc;
    int slot;
    uint64_t now;
};

/* The client whose deadline node n is. */
static struct timer_svc_client *client_of(struct heap_node *n)
{
    return container_of(n, struct timer_svc_client, node);
}

/* ---------------------------------------------------------------- clients */

void timer_svc_init(struct timer_svc *s, timer_svc_send_fn send)
{
    *s = (struct timer_svc){ .send = send };
    heap_init(&s->heap, s->heap_slots, MAX_TIMER_CLIENTS);
    while (s->free_len < MAX_TIMER_CLIENTS) {
        s->free_slots[s->free_len] = MAX_TIMER_CLIENTS - 1 - s->free_len;
        s->free_len++;
    }
}

int timer_svc_connect(struct timer_svc *s, void *chan)
{
    if (s->free_len == 0) {
        s->refused++;
        return -(int)KERNEL_ERROR_NO_MEMORY;
    }
    uint32_t slot = s->free_slots[--s->free_len];
    s->clients[slot] = (struct timer_svc_client){ .used = true, .chan = chan };
    return (int)slot;
}

void timer_svc_disconnect(struct timer_svc *s, int slot)
{
    if (slot < 0 || slot >= (int)MAX_TIMER_CLIENTS || !s->clients[slot].used)
        return;
    heap_remove(&s->heap, &s->clients[slot].node);
    s->clients[slot] = (struct timer_svc_client){ .used = false };
    s->free_slots[s->free_len++] = (uint32_t)slot;
}

uint32_t timer_svc_connected(const struct timer_svc *s)
{
    return MAX_TIMER_CLIENTS - s->free_len;
}

uint32_t timer_svc_pending(const struct timer_svc *s)
{
    return s->heap.n;
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
    struct timer_svc_client *c = &a->svc->clients[a->slot];
    c->pending = true;   /* replaces any earlier deadline */
    c->deadline = timer_svc_deadline(a->now, m->duration_us);
    heap_set(&a->svc->heap, &c->node, c->deadline);   /* one node per slot: never full */
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
    struct heap_node *n = heap_min(&s->heap);
    return n ? n->key : TIMER_SVC_NO_DEADLINE;
}

uint64_t timer_svc_expire(struct timer_svc *s, uint64_t now)
{
    for (struct heap_node *n; (n = heap_min(&s->heap)) && n->key <= now;) {
        struct timer_svc_client *c = client_of(n);
        heap_remove(&s->heap, n);   /* before the send: the heap is whole if it re-enters */
        c->pending = false;
        send_expired(s, c);
    }
    return timer_svc_next_deadline(s);
}
