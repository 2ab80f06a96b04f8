/* The timer service's portable logic (see timer_svc.h). */
#include "timer_svc.h"
#include "timer_dispatch.h"   /* generated */

struct after_ctx {
    struct timer_svc *svc;
    int slot;
    uint64_t now;
};

void timer_svc_init(struct timer_svc *s, timer_svc_send_fn send)
{
    *s = (struct timer_svc){ .send = send };
}

int timer_svc_connect(struct timer_svc *s, void *chan)
{
    for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++) {
        if (!s->clients[i].used) {
            s->clients[i] = (struct timer_svc_client){ .used = true, .chan = chan };
            return i;
        }
    }
    return -1;
}

void timer_svc_disconnect(struct timer_svc *s, int slot)
{
    s->clients[slot] = (struct timer_svc_client){ .used = false };
}

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
    c->deadline = timer_svc_deadline(a->now, m->duration_us);
    c->pending = true;   /* replaces any earlier deadline */
    return 0;
}

proto_err timer_svc_handle(struct timer_svc *s, int slot, const uint8_t *msg, size_t len, uint64_t now)
{
    struct after_ctx ctx = { s, slot, now };
    proto_err err = TimerRequest_dispatch(&ctx, msg, len, NULL);
    if (err != PROTO_OK)
        s->malformed++;
    return err;
}

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

uint64_t timer_svc_expire(struct timer_svc *s, uint64_t now)
{
    uint64_t next = TIMER_SVC_NO_DEADLINE;
    for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++) {
        struct timer_svc_client *c = &s->clients[i];
        if (!c->used || !c->pending)
            continue;
        if (c->deadline <= now) {
            c->pending = false;
            send_expired(s, c);
        } else if (c->deadline < next) {
            next = c->deadline;
        }
    }
    return next;
}
