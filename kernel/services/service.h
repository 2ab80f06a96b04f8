/* The shape every kernel service shares: its client ends are polled, and
 * the ones with a message or a closed peer are served oldest-ready first;
 * then it sleeps until one is ready again or its next deadline. The cost
 * of a pass follows the ready clients, never the number connected. */
#ifndef KERNEL_SERVICES_SERVICE_H
#define KERNEL_SERVICES_SERVICE_H
#include <stdint.h>
#include "../chan.h"
#include "../sched.h"

/* Handles everything queued on e, or closes e once its peer has gone: it
 * must leave e not ready (or closed). */
typedef void (*service_serve_fn)(struct chan_end *e);
/* The service's next deadline in rdtime ticks, 0 for none, after doing
 * what is due now. */
typedef uint64_t (*service_tick_fn)(void);

/* Serves t's ready client ends until none is ready. */
void service_drain(struct task *t, service_serve_fn serve);
/* The service task's loop: drain, tick, sleep. Never returns. */
void service_run(service_serve_fn serve, service_tick_fn tick) __attribute__((noreturn));
/* Makes a task that runs name's loop. */
struct task *service_start(const char *name, void (*entry)(void *));
#endif
