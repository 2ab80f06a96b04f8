/* The kernel services' common loop (see service.h). */
#include "service.h"
#include "../printf.h"

void service_drain(struct task *t, service_serve_fn serve)
{
    for (struct chan_end *e; (e = chan_ready_take(t)) != NULL;)
        serve(e);
}

void service_run(service_serve_fn serve, service_tick_fn tick)
{
    for (;;) {
        service_drain(current, serve);
        sched_block(NULL, true, tick ? tick() : 0);
    }
}

struct task *service_start(const char *name, void (*entry)(void *))
{
    struct task *t = task_alloc(name);
    if (t == NULL)
        panic("service_start: no task slot for %s", name);
    task_start_kernel(t, entry, NULL);
    return t;
}
