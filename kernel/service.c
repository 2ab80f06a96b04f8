/* The kernel's side of the service binding (see service.h and svc.h). */
#include "service.h"
#include "chan.h"
#include "handle.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"
#include "services/svc.h"
#include "syscall.h"

static struct task *task_of(const struct svc *s)
{
    return s->platform;
}

/* Frees client c, whose app closed its end (or that its handler dropped). */
static void drop(struct svc_client *c)
{
    struct chan_end *e = c->chan;
    struct task *app = c->app;
    uint32_t id = c->svc->desc->id;
    svc_disconnect(c);
    if (app) {
        app->use.service_clients[id]--;
        app->use.clients--;
    }
    chan_close(e);
}

/* The request c is served now came from sender: it pays for the answer. */
static void asked_by(struct svc_client *c, struct task *sender)
{
    c->asker = sender;
    c->asker_tag = sender ? sender->serial : 0;
}

/* Handles everything queued on one client's end; drops the client once its
 * app closed the channel or a handler refused it. */
static void serve(struct svc *s, struct chan_end *e)
{
    /* One buffer for every service: a handler's request is decoded out of
     * it before the handler runs, so a serve nested in a handler (svc_open
     * drains the service it connects to) may reuse it. */
    static uint8_t buf[MAX_MSG_SIZE];
    struct svc_client *c = svc_client_at(s, e->handle);
    uint64_t len;
    while (chan_ready(e)) {
        struct chan_msg *m = chan_head(e);
        if (m)
            asked_by(c, m->acct);
        if (chan_recv(e, buf, sizeof buf, &len, true) < 0 || svc_handle(c, buf, len) < 0) {
            drop(c);
            return;
        }
    }
}

/* A request for s, which blocks waiting with nothing queued, sent on its
 * end e (struct task's on_message): served here, in the sender's call, as
 * the service's own loop would serve it right after waking, with no
 * switch to the service and back. Then its tick runs, as after every
 * pass of the loop, and its deadline follows the tick's answer. */
static void service_message(void *arg, struct chan_end *e, const uint8_t *msg, uint32_t len, struct task *sender)
{
    struct svc *s = arg;
    struct svc_client *c = svc_client_at(s, e->handle);
    asked_by(c, sender);
    if (svc_handle(c, msg, len) < 0)
        drop(c);
    sched_set_deadline(task_of(s), s->desc->tick(r_time()));
}

/* Serves s's ready client ends until none is ready. */
static void drain(struct svc *s)
{
    for (struct chan_end *e; (e = chan_ready_take(task_of(s))) != NULL;)
        serve(s, e);
}

static void service_main(void *arg)
{
    struct svc *s = arg;
    for (;;) {
        drain(s);
        sched_block(NULL, true, s->desc->tick(r_time()));
    }
}

/* s's deadline passed while it blocks: its tick runs from the timer
 * interrupt (sched.h, on_deadline). */
static uint64_t service_deadline(void *arg, uint64_t now)
{
    struct svc *s = arg;
    return s->desc->tick(now);
}

void services_start(void)
{
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        struct svc *s = service_registry[i];
        struct task *t = task_alloc(s->desc->name);
        if (t == NULL)
            panic("services_start: no task slot for %s", s->desc->name);
        s->platform = t;
        svc_init(s);
        task_start_kernel(t, service_main, s);
        t->on_deadline = service_deadline;
        t->on_message = service_message;
    }
}

/* A new client of s for app: the app's end in *client. With drain_first,
 * clients that closed but have not been served yet are dropped first, so
 * that a close followed at once by a connect finds the slot free (an app
 * being started has no client to wait for). */
static int connect(struct svc *s, struct task *app, bool drain_first, struct chan_end **client)
{
    const struct svc_desc *d = s->desc;
    struct chan_end *ours, *theirs;
    struct svc_client *c;
    if (drain_first)
        drain(s);
    if ((d->app_quota && app->use.service_clients[d->id] >= d->app_quota) ||
        chan_create(task_of(s), app, &ours, &theirs) < 0) {
        s->stats.refused++;
        return -KERNEL_ERROR_QUOTA;
    }
    int rc = svc_connect(s, ours, app, &c);
    if (rc < 0) {
        chan_close(ours);
        chan_close(theirs);
        return rc;
    }
    ours->handle = c->slot;
    ours->speaks = service_speaks(d->id, true);
    theirs->speaks = service_speaks(d->id, false);
    chan_set_polled(ours, true);
    app->use.service_clients[d->id]++;
    app->use.clients++;
    *client = theirs;
    return 0;
}

int services_attach(struct task *t)
{
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        struct svc *s = service_registry[i];
        struct chan_end *end;
        if (s->desc->attach < 0)
            continue;
        int rc = connect(s, t, false, &end);
        if (rc < 0)
            return rc;
        handle_install_at(t, (uint32_t)s->desc->attach, end);
    }
    return 0;
}

void services_pass(struct task *from, struct task *to)
{
    for (struct list_node *n = from->use.end_list.head; n; n = n->next) {
        struct chan_end *e = container_of(n, struct chan_end, acct_link);
        if (e->owner == NULL || e->owner->pt != NULL)
            continue;   /* not a service's end of a client channel */
        struct svc_client *c = svc_client_at(e->owner->arg, e->handle);
        if (c == NULL || c->app != from)
            continue;
        uint32_t id = c->svc->desc->id;
        from->use.service_clients[id]--;
        from->use.clients--;
        c->app = to;
        if (to) {
            to->use.service_clients[id]++;
            to->use.clients++;
        }
    }
}

void services_stats(const struct task *caller, struct kernel_stats *k)
{
    k->services_count = SERVICE_COUNT;
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        const struct svc *s = service_registry[i];
        struct service_stats st = s->stats;
        st.clients = svc_connected(s);
        st.app_clients = caller->use.service_clients[i];
        st.pending = s->desc->pending();
        k->services[i] = st;
    }
}

/* ---------------------------------------------------------------- svc.h's platform part */

/* Who pays for a reply to c: the app that sent the request it answers (it
 * held the client's end then), while it runs; else the app holding the
 * client's end now; else, the end being in flight, nobody (at most
 * CHAN_QUEUE_DEPTH such replies per client). Never the app the client was
 * first connected for, unless it is one of those. */
static struct task *payer(const struct svc_client *c)
{
    struct task *asker = c->asker;
    if (task_runs(asker, c->asker_tag))
        return asker;
    struct chan_end *p = ((struct chan_end *)c->chan)->peer;
    return p && p->owner && p->owner->pt ? p->owner : NULL;
}

uint64_t svc_now(void)
{
    return r_time();
}

int svc_send(struct svc_client *c, const uint8_t *msg, size_t len, void *const *caps, uint32_t ncaps)
{
    struct chan_end *e = c->chan;
    if (ncaps == 0 && syscall_hand_over(e, msg, len))   /* its app waits in call or reply_recv */
        return 0;
    int rc = chan_wait_writable(e, true);   /* never wait on a client */
    if (rc == 0)
        rc = chan_push(e, msg, len, (struct chan_end *const *)caps, ncaps, payer(c));
    if (rc < 0)
        for (uint32_t i = 0; i < ncaps; i++)
            chan_close(caps[i]);
    return rc;
}

int svc_open(struct svc_client *c, const char *name, size_t len, void **end)
{
    struct task *asker = c->asker;   /* the new client is the asker's, not the boot channel's maker's */
    if (!task_runs(asker, c->asker_tag))
        return -KERNEL_ERROR_CLOSED;
    /* An app with no handle free could not take the reply's end: the reply
     * would stay queued and the next connect would read it instead of its own. */
    if (asker->nhandles >= MAX_HANDLES)
        return -KERNEL_ERROR_QUOTA;
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        struct svc *s = service_registry[i];
        /* By length: a name with a NUL inside must not match a prefix. */
        if (s->desc->attach >= 0 || strlen(s->desc->name) != len || memcmp(s->desc->name, name, len) != 0)
            continue;
        return connect(s, asker, true, (struct chan_end **)end);
    }
    return -KERNEL_ERROR_NOT_FOUND;
}

void svc_close_end(void *end)
{
    chan_close(end);
}

int svc_not_implemented(struct svc_client *c, const char *what)
{
    kprintf("%s: %s is not implemented (kernel/services/%s.c): client %u dropped\n", c->svc->desc->name, what,
            c->svc->desc->name, c->slot);
    return -KERNEL_ERROR_NO_SYSCALL;
}
