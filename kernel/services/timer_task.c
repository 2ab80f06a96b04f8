/* The timer service as a kernel task: binds timer_svc to real channels and
 * rdtime, and sleeps in the service loop until a client end is ready or the
 * earliest deadline, never polling. Each client is charged to the app it
 * was connected for (APP_MAX_TIMERS). */
#include "timer_task.h"
#include "../printf.h"
#include "../riscv.h"
#include "boot_svc.h"
#include "service.h"
#include "timer_svc.h"
#include "../trace.h"

static struct timer_svc svc;
static struct task *timer_task;
static struct task *charged[MAX_TIMER_CLIENTS];   /* the app each slot is charged to */
static uint64_t quota_refused;

static int send_reply(void *chan, const uint8_t *msg, size_t len)
{
    return chan_send(chan, msg, len, true);   /* never wait on a client */
}

/* Frees the slot of client slot, whose app closed its end. */
static void drop_client(int slot)
{
    struct chan_end *e = svc.clients[slot].chan;
    timer_svc_disconnect(&svc, slot);
    charged[slot]->use.timers--;
    charged[slot] = NULL;
    chan_close(e);
}

/* Handles everything queued from one client; frees its slot once it closed. */
static void serve(struct chan_end *e)
{
    static uint8_t buf[MAX_MSG_SIZE];
    int slot = (int)e->handle;
    uint64_t len;
    while (chan_ready(e)) {
        if (chan_recv(e, buf, sizeof buf, &len, true) < 0) {
            drop_client(slot);
            return;
        }
        (void)timer_svc_handle(&svc, slot, buf, len, r_time());   /* malformed: counted */
    }
}

static uint64_t tick(void)
{
    uint64_t next = timer_svc_expire(&svc, r_time());
    return next == TIMER_SVC_NO_DEADLINE ? 0 : next;
}

/* Called by the boot service for ConnectService { "timer" } from app.
 * Clients that closed but have not been served yet are dropped first, so
 * that a close followed at once by a connect finds the slot free. */
static int timer_connect(struct task *app, struct chan_end **client)
{
    service_drain(timer_task, serve);
    struct chan_end *ours, *theirs;
    if (app->use.timers >= APP_MAX_TIMERS || chan_create(timer_task, app, &ours, &theirs) < 0) {
        quota_refused++;
        return -KERNEL_ERROR_QUOTA;
    }
    int slot = timer_svc_connect(&svc, ours);
    if (slot < 0) {
        chan_close(ours);
        chan_close(theirs);
        return slot;
    }
    ours->handle = (uint32_t)slot;
    ours->speaks = TRACE_TIMER_RESPONSE;
    theirs->speaks = TRACE_TIMER_REQUEST;
    chan_set_polled(ours, true);
    app->use.timers++;
    charged[slot] = app;
    *client = theirs;
    return 0;
}

static void timer_main(void *arg)
{
    (void)arg;
    service_run(serve, tick);
}

void timer_task_init(void)
{
    timer_svc_init(&svc, send_reply);
    timer_task = service_start("timer", timer_main);
    boot_svc_register(TIMER_SERVICE_NAME, timer_connect);
}

void timer_task_stats(struct kernel_stats *s)
{
    s->timer_clients = timer_svc_connected(&svc);
    s->timer_pending = timer_svc_pending(&svc);
    s->timer_served = svc.served;
    s->timer_expired = svc.expired;
    s->timer_malformed = svc.malformed;
    s->timer_refused = svc.refused + quota_refused;
    s->timer_send_failed = svc.send_failed;
}
