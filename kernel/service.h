/* The kernel's side of the service binding (svc.h): each service in the
 * generated registry (generated/services.h) runs as a kernel task that
 * polls its clients' ends, serves the ready ones oldest-ready first, runs
 * its tick hook and sleeps until an end is ready or the tick's deadline.
 * The cost of a pass follows the ready clients, never the number connected.
 *
 * A client is charged to the app that asked for it: its channel's ends
 * (APP_MAX_ENDS) and a place in the service's app_quota; when that app
 * ends, to its heir (services_pass). */
#ifndef KERNEL_SERVICES_SERVICE_H
#define KERNEL_SERVICES_SERVICE_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"     /* generated: struct kernel_stats */
#include "services.h"   /* generated: SERVICE_COUNT */

struct task;

/* Starts every service's task (its init hook runs first). */
void services_start(void);
/* Gives app t a client of every service that attaches (boot: BOOT_HANDLE),
 * charged to t: 0, or -QUOTA / -NO_MEMORY. */
int services_attach(struct task *t);
/* The clients charged to from are charged to to instead (NULL: nobody),
 * before from's ends pass (chan_pass); O(the ends charged to from). */
void services_pass(struct task *from, struct task *to);
/* The services' counters as the caller sees them (kstat). */
void services_stats(const struct task *caller, struct kernel_stats *k);

/* What a channel end sends, for the IPC trace (struct chan_end's speaks):
 * 0 is raw bytes; each service's two directions follow. */
#define SPEAKS_RAW 0
static inline uint8_t service_speaks(uint32_t id, bool response)
{
    return (uint8_t)(1 + 2 * id + (response ? 1 : 0));
}
#endif
