/* The service binding's client table and counters (see svc.h). */
#include "svc.h"

void svc_init(struct svc *s)
{
    uint32_t n = s->desc->max_clients;
    s->stats = (struct service_stats){ 0 };
    for (uint32_t i = 0; i < n; i++) {
        s->clients[i] = (struct svc_client){ .svc = s, .slot = i };
        s->free_slots[i] = n - 1 - i;
    }
    s->free_len = n;
    s->desc->init();
}

int svc_connect(struct svc *s, void *chan, void *app, struct svc_client **out)
{
    if (s->free_len == 0) {
        s->stats.refused++;
        return -(int)KERNEL_ERROR_NO_MEMORY;
    }
    struct svc_client *c = &s->clients[s->free_slots[--s->free_len]];
    c->used = true;
    c->chan = chan;
    c->app = app;
    c->asker = NULL;
    c->asker_tag = 0;
    int rc = s->desc->connect(c);
    if (rc < 0) {
        *c = (struct svc_client){ .svc = s, .slot = c->slot };
        s->free_slots[s->free_len++] = c->slot;
        s->stats.refused++;
        return rc;
    }
    *out = c;
    return 0;
}

void svc_disconnect(struct svc_client *c)
{
    struct svc *s = c->svc;
    if (!c->used)
        return;
    s->desc->disconnect(c);
    *c = (struct svc_client){ .svc = s, .slot = c->slot };
    s->free_slots[s->free_len++] = c->slot;
}

int svc_handle(struct svc_client *c, const uint8_t *msg, size_t len)
{
    struct svc *s = c->svc;
    int result = 0;
    proto_err err = s->desc->dispatch(c, msg, len, &result);
    if (err == PROTO_OK) {
        s->stats.served++;
        return result;
    }
    s->stats.malformed++;
    s->desc->malformed(c, err);
    return 0;
}

/* caps names each of the nends ends exactly once. */
static bool caps_cover(const proto_caps *caps, uint32_t nends)
{
    uint32_t seen = 0;
    if ((caps ? caps->n : 0) != nends || nends > 32)
        return false;
    for (uint32_t i = 0; i < nends; i++) {
        if (caps->h[i] >= nends || (seen & (1u << caps->h[i])))
            return false;
        seen |= 1u << caps->h[i];
    }
    return true;
}

int svc_reply_msg(struct svc_client *c, proto_err enc, const uint8_t *msg, size_t len, const proto_caps *caps,
                  void *const *ends, uint32_t nends)
{
    void *moved[MAX_CAPS];
    int rc = -(int)KERNEL_ERROR_INVALID;
    if (enc == PROTO_OK && nends <= MAX_CAPS && caps_cover(caps, nends)) {
        for (uint32_t i = 0; i < nends; i++)
            moved[i] = ends[caps->h[i]];
        rc = svc_send(c, msg, len, moved, nends);   /* closes them on an error */
    } else {
        for (uint32_t i = 0; i < nends; i++)
            svc_close_end(ends[i]);
    }
    if (rc < 0)
        c->svc->stats.send_failed++;
    else
        c->svc->stats.replies++;
    return rc;
}

uint32_t svc_connected(const struct svc *s)
{
    return s->desc->max_clients - s->free_len;
}

struct svc_client *svc_client_at(const struct svc *s, uint32_t slot)
{
    return slot < s->desc->max_clients && s->clients[slot].used ? &s->clients[slot] : NULL;
}
