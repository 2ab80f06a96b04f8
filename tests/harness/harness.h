/* The service harness: every kernel service of the generated registry
 * (generated/services.h), its generated binding and its hand-written
 * handlers, run on the host with a loopback transport and a fake clock.
 * It is svc.h's platform part for the host, as kernel/service.c is for
 * the kernel, so a service's tests drive the very code the kernel runs.
 *
 * Single-threaded and synchronous: a request a client sends is handled at
 * once (then the service's tick runs, as after each pass in the kernel);
 * replies queue per client (HARNESS_DEPTH; past that svc_send refuses, as a
 * full channel does). A receive on an empty queue moves the clock to the
 * service's next deadline and ticks, so a blocking stub call works; with no
 * deadline it fails with -KERNEL_ERROR_WOULD_BLOCK. Caps are harness
 * client ids: the end svc_open gives a reply is a client of the service it
 * named, found again with harness_client(id). */
#ifndef TESTS_HARNESS_HARNESS_H
#define TESTS_HARNESS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "services.h"   /* generated: the registry */
#include "svc.h"

#define HARNESS_DEPTH 8
#define HARNESS_T0 1000   /* the clock at harness_start */
#define HARNESS_APPS 4096   /* accounts: app ids 0 .. HARNESS_APPS - 1 */

struct harness_client {
    uint32_t id;              /* its cap value */
    struct svc *svc;
    struct svc_client *c;     /* NULL once closed (by either side) */
    int app;
    bool closed;              /* the service dropped it, or harness_close */
    proto_transport t;        /* for the generated client stubs */
    uint8_t msg[HARNESS_DEPTH][MAX_MSG_SIZE];
    size_t len[HARNESS_DEPTH];
    proto_caps caps[HARNESS_DEPTH];
    uint32_t head, count;     /* replies queued */
    uint32_t received;        /* replies taken by recv */
    uint64_t last_order;      /* when its latest reply was queued: the how-manieth
                                 reply the harness queued since harness_start
                                 (from 1, over every client); 0: none yet */
};

/* Starts every service afresh (its init hook runs), the clock at
 * HARNESS_T0, no client, sends accepted. Clients still connected from a
 * run before are disconnected first (their services' disconnect hooks
 * run), as if their apps had closed them. */
void harness_start(void);
/* The service in the registry called name, or NULL. */
struct svc *harness_service(const char *name);
/* A new client of service s for app: 0 and *out, or what the service
 * refused with (-NO_MEMORY full, -QUOTA the app's app_quota, the connect
 * hook's error). Attached services (boot) can be connected here too.
 * -INVALID: app out of range. Every client made stays (closed ones too,
 * so their ids stay valid) until the next harness_start. */
int harness_connect(struct svc *s, int app, struct harness_client **out);
/* The app closes its end: the service disconnects it. */
void harness_close(struct harness_client *h);
/* The client whose cap value is id. */
struct harness_client *harness_client(uint32_t id);
/* The fake clock, in rdtime ticks. */
uint64_t harness_now(void);
/* Moves the clock to t (never back) and runs every service's tick. */
void harness_set_time(uint64_t t);
/* When refuse is true, every svc_send fails with -KERNEL_ERROR_QUOTA. */
void harness_refuse_sends(bool refuse);
/* Handlers answered with svc_not_implemented so far. */
uint32_t harness_not_implemented(void);
/* The service's next deadline as its tick last said (0: none). */
uint64_t harness_next_deadline(const struct svc *s);
#endif
