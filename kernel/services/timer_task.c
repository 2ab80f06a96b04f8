/* The timer service as a kernel task: binds timer_svc to real channels and
 * rdtime, and sleeps with sched_block until a request or the earliest
 * deadline, never polling. */
#include "timer_task.h"
#include "../printf.h"
#include "../riscv.h"
#include "boot_svc.h"
#include "timer_svc.h"

static struct timer_svc svc;
static struct task *timer_task;

static int send_reply(void *chan, const uint8_t *msg, size_t len)
{
    return chan_send(chan, msg, len, true);   /* never wait on a client */
}

/* Frees the slot of client slot, whose app closed its end. */
static void drop_client(int slot)
{
    struct chan_end *e = svc.clients[slot].chan;
    timer_svc_disconnect(&svc, slot);
    chan_close(e);
}

/* Called by the boot service for ConnectService { "timer" }. A client that
 * closed but has not been noticed by the service task yet is dropped first,
 * so that a close followed at once by a connect finds the slot free. */
static const char *timer_connect(struct chan_end **client)
{
    struct chan_end *ours, *theirs;
    for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++) {
        struct chan_end *e = svc.clients[i].chan;
        if (svc.clients[i].used && e->peer == NULL)
            drop_client(i);
    }
    if (chan_create(timer_task, &ours, &theirs) < 0)
        return "out of memory";
    int slot = timer_svc_connect(&svc, ours);
    if (slot < 0) {
        chan_close(ours);
        chan_close(theirs);
        return "busy";
    }
    ours->polled = true;
    *client = theirs;
    return NULL;
}

/* Handles everything queued from one client; frees its slot once it closed. */
static void serve(int slot, uint64_t now)
{
    static uint8_t buf[MAX_MSG_SIZE];
    struct chan_end *e = svc.clients[slot].chan;
    uint64_t len;
    while (chan_ready(e)) {
        if (chan_recv(e, buf, sizeof buf, &len, true) < 0) {
            drop_client(slot);
            return;
        }
        (void)timer_svc_handle(&svc, slot, buf, len, now);   /* malformed: counted */
    }
}

static void timer_main(void *arg)
{
    (void)arg;
    for (;;) {
        uint64_t now = r_time();
        for (int i = 0; i < (int)MAX_TIMER_CLIENTS; i++)
            if (svc.clients[i].used)
                serve(i, now);
        uint64_t next = timer_svc_expire(&svc, r_time());
        sched_block(NULL, true, next == TIMER_SVC_NO_DEADLINE ? 0 : next);
    }
}

void timer_task_init(void)
{
    timer_svc_init(&svc, send_reply);
    timer_task = task_alloc("timer");
    if (timer_task == NULL)
        panic("timer_task_init: no task slot");
    task_start_kernel(timer_task, timer_main, NULL);
    boot_svc_register(TIMER_SERVICE_NAME, timer_connect);
}

uint64_t timer_task_malformed(void)
{
    return svc.malformed;
}
