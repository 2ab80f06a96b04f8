/* The timer service's logic, free of the kernel: a table of clients, one
 * pending deadline each, requests decoded and dispatched by the generated
 * TimerRequest_dispatch, replies encoded by the generated codec. Time is
 * passed in (rdtime ticks), replies leave through a send callback, so the
 * same file runs in the kernel and under Criterion on the host. */
#ifndef KERNEL_SERVICES_TIMER_SVC_H
#define KERNEL_SERVICES_TIMER_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "timer.h"   /* generated: MAX_TIMER_CLIENTS, TICKS_PER_US, messages */

#define TIMER_SVC_NO_DEADLINE UINT64_MAX

struct timer_svc_client {
    bool used;
    bool pending;          /* an After is waiting for its deadline */
    uint64_t deadline;     /* rdtime ticks; valid when pending */
    void *chan;            /* the transport's handle for this client */
};

/* Sends one encoded reply to a client; returns 0 or < 0 (then dropped). */
typedef int (*timer_svc_send_fn)(void *chan, const uint8_t *msg, size_t len);

struct timer_svc {
    struct timer_svc_client clients[MAX_TIMER_CLIENTS];
    timer_svc_send_fn send;
    uint64_t malformed;     /* requests that did not decode: dropped */
    uint64_t expired;       /* Expired replies sent */
    uint64_t send_failed;   /* Expired replies the transport refused */
};

void timer_svc_init(struct timer_svc *s, timer_svc_send_fn send);
/* A new client on chan: its slot, or -1 when MAX_TIMER_CLIENTS are connected. */
int timer_svc_connect(struct timer_svc *s, void *chan);
/* The client in slot closed: frees the slot and drops its pending timer. */
void timer_svc_disconnect(struct timer_svc *s, int slot);
/* One request from slot's client at time now: After arms (or replaces) its
 * deadline. A malformed request is counted and dropped. Returns the decode
 * result (PROTO_OK when handled). */
proto_err timer_svc_handle(struct timer_svc *s, int slot, const uint8_t *msg, size_t len, uint64_t now);
/* Sends Expired to every client whose deadline is <= now; returns the
 * earliest deadline still pending, or TIMER_SVC_NO_DEADLINE. */
uint64_t timer_svc_expire(struct timer_svc *s, uint64_t now);
/* now + duration_us * TICKS_PER_US, saturating at UINT64_MAX. */
uint64_t timer_svc_deadline(uint64_t now, uint64_t duration_us);
#endif
