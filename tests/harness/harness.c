/* The service harness (see harness.h). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct harness_client **pool;   /* every client made since harness_start, by id */
static uint32_t pool_size, pool_used;
static uint64_t now;
static bool refuse;
static uint32_t not_implemented;
static uint64_t queued;   /* replies queued since harness_start */
static uint64_t next_deadline[SERVICE_COUNT];
static uint32_t app_clients[HARNESS_APPS][SERVICE_COUNT];

static void tick(struct svc *s)
{
    next_deadline[s->desc->id] = s->desc->tick(now);
}

static void drop(struct harness_client *h)
{
    if (h->c == NULL)
        return;
    struct svc *s = h->svc;
    svc_disconnect(h->c);
    app_clients[h->app][s->desc->id]--;
    h->c = NULL;
    h->closed = true;
    tick(s);
}

/* The transport of the generated stubs: a request is handled at once. */
static int loop_send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    struct harness_client *h = ctx;
    if (caps && caps->n)
        return -(int)KERNEL_ERROR_INVALID;   /* a service's requests carry none */
    if (h->c == NULL)
        return -(int)KERNEL_ERROR_CLOSED;
    if (len > MAX_MSG_SIZE)
        return -(int)KERNEL_ERROR_TOO_BIG;
    if (svc_handle(h->c, msg, len) < 0)
        drop(h);
    else
        tick(h->svc);
    return 0;
}

static int loop_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    struct harness_client *h = ctx;
    if (h->count == 0 && h->c != NULL && next_deadline[h->svc->desc->id] > now)
        harness_set_time(next_deadline[h->svc->desc->id]);
    if (h->count == 0)
        return -(int)(h->c == NULL ? KERNEL_ERROR_CLOSED : KERNEL_ERROR_WOULD_BLOCK);
    uint32_t i = h->head;
    if (h->len[i] > cap)
        return -(int)KERNEL_ERROR_BUFFER_TOO_SMALL;
    memcpy(buf, h->msg[i], h->len[i]);
    *len = h->len[i];
    *caps = h->caps[i];
    h->head = (h->head + 1) % HARNESS_DEPTH;
    h->count--;
    h->received++;
    return 0;
}

static void loop_close(void *ctx, uint32_t cap)
{
    (void)ctx;
    harness_close(harness_client(cap));
}

void harness_start(void)
{
    /* Clients left connected by a run before: their services' disconnect
     * hooks release what they hold for them, so that init starts clean
     * (the kernel runs init once, before any client). */
    for (uint32_t i = 0; i < pool_used; i++) {
        if (pool[i]->c != NULL)
            svc_disconnect(pool[i]->c);
        free(pool[i]);
    }
    pool_used = 0;
    now = HARNESS_T0;
    refuse = false;
    not_implemented = 0;
    queued = 0;
    memset(app_clients, 0, sizeof app_clients);
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        svc_init(service_registry[i]);
        next_deadline[i] = 0;
    }
}

struct svc *harness_service(const char *name)
{
    for (uint32_t i = 0; i < SERVICE_COUNT; i++)
        if (strcmp(service_registry[i]->desc->name, name) == 0)
            return service_registry[i];
    return NULL;
}

int harness_connect(struct svc *s, int app, struct harness_client **out)
{
    const struct svc_desc *d = s->desc;
    if (app < 0 || app >= HARNESS_APPS)
        return -(int)KERNEL_ERROR_INVALID;
    if (d->app_quota && app_clients[app][d->id] >= d->app_quota) {
        s->stats.refused++;
        return -(int)KERNEL_ERROR_QUOTA;
    }
    if (pool_used == pool_size) {
        pool_size = pool_size ? 2 * pool_size : 64;
        pool = realloc(pool, pool_size * sizeof *pool);
    }
    struct harness_client *h = calloc(1, sizeof *h);
    if (pool == NULL || h == NULL)
        abort();
    *h = (struct harness_client){ .id = pool_used, .svc = s, .app = app };
    int rc = svc_connect(s, h, (void *)(uintptr_t)(app + 1), &h->c);
    if (rc < 0) {
        free(h);
        return rc;
    }
    pool[pool_used++] = h;
    h->t = (proto_transport){ h, loop_send, loop_recv, loop_close, NULL };   /* no call: the stubs send, then recv */
    app_clients[app][d->id]++;
    *out = h;
    return 0;
}

void harness_close(struct harness_client *h)
{
    if (h == NULL)
        return;
    drop(h);
    h->closed = true;
}

struct harness_client *harness_client(uint32_t id)
{
    return id < pool_used ? pool[id] : NULL;
}

uint64_t harness_now(void)
{
    return now;
}

void harness_set_time(uint64_t t)
{
    if (t > now)
        now = t;
    for (uint32_t i = 0; i < SERVICE_COUNT; i++)
        tick(service_registry[i]);
}

void harness_refuse_sends(bool r)
{
    refuse = r;
}

uint32_t harness_not_implemented(void)
{
    return not_implemented;
}

uint64_t harness_next_deadline(const struct svc *s)
{
    return next_deadline[s->desc->id];
}

/* ---------------------------------------------------------------- svc.h's platform part */

uint64_t svc_now(void)
{
    return now;
}

int svc_send(struct svc_client *c, const uint8_t *msg, size_t len, void *const *caps, uint32_t ncaps)
{
    struct harness_client *h = c->chan;
    int rc = 0;
    if (refuse)
        rc = -(int)KERNEL_ERROR_QUOTA;
    else if (h->count == HARNESS_DEPTH)
        rc = -(int)KERNEL_ERROR_WOULD_BLOCK;
    else if (len > MAX_MSG_SIZE || ncaps > MAX_CAPS)
        rc = -(int)KERNEL_ERROR_TOO_BIG;
    if (rc < 0) {
        for (uint32_t i = 0; i < ncaps; i++)
            svc_close_end(caps[i]);
        return rc;
    }
    uint32_t i = (h->head + h->count++) % HARNESS_DEPTH;
    memcpy(h->msg[i], msg, len);
    h->len[i] = len;
    h->last_order = ++queued;
    h->caps[i].n = ncaps;
    for (uint32_t k = 0; k < ncaps; k++)
        h->caps[i].h[k] = ((struct harness_client *)caps[k])->id;
    return 0;
}

int svc_open(struct svc_client *c, const char *name, size_t len, void **end)
{
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        struct svc *s = service_registry[i];
        if (s->desc->attach >= 0 || strlen(s->desc->name) != len || memcmp(s->desc->name, name, len) != 0)
            continue;
        struct harness_client *h;
        int rc = harness_connect(s, (int)((uintptr_t)c->app - 1), &h);
        if (rc == 0)
            *end = h;
        return rc;
    }
    return -(int)KERNEL_ERROR_NOT_FOUND;
}

void svc_close_end(void *end)
{
    harness_close(end);
}

int svc_not_implemented(struct svc_client *c, const char *what)
{
    not_implemented++;
    fprintf(stderr, "%s: %s is not implemented (kernel/services/%s.c): client %u dropped\n", c->svc->desc->name, what,
            c->svc->desc->name, c->slot);
    return -(int)KERNEL_ERROR_NO_SYSCALL;
}
