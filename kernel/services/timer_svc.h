/* The timer service's logic, free of the kernel: a table of clients, one
 * pending deadline each, requests decoded and dispatched by the generated
 * TimerRequest_dispatch, replies encoded by the generated codec. Time is
 * passed in (rdtime ticks), replies leave through a send callback, so the
 * same file runs in the kernel and under Criterion on the host.
 *
 * Per-event work follows the pending work, never MAX_TIMER_CLIENTS: free
 * slots are a stack (connect O(1)), pending deadlines a binary min-heap of
 * slot indices (arm, replace, disconnect O(log n); expire O(k log n) for k
 * expired; the next deadline O(1)). Only timer_svc_init touches every slot. */
#ifndef KERNEL_SERVICES_TIMER_SVC_H
#define KERNEL_SERVICES_TIMER_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/heap.h"
#include "kernel.h"  /* generated: kernel_error */
#include "timer.h"   /* generated: MAX_TIMER_CLIENTS, TICKS_PER_US, messages */

#define TIMER_SVC_NO_DEADLINE UINT64_MAX

struct timer_svc_client {
    bool used;
    bool pending;          /* an After is waiting for its deadline */
    uint64_t deadline;     /* rdtime ticks; valid when pending */
    struct heap_node node; /* in timer_svc.heap while pending (key: deadline) */
    void *chan;            /* the transport's handle for this client */
};

/* Sends one encoded reply to a client; returns 0 or < 0 (then dropped). */
typedef int (*timer_svc_send_fn)(void *chan, const uint8_t *msg, size_t len);

struct timer_svc {
    struct timer_svc_client clients[MAX_TIMER_CLIENTS];
    /* Clients with a pending deadline, a min-heap ordered by deadline,
     * then arm order (kernel/lib/heap.h). */
    struct heap heap;
    struct heap_node *heap_slots[MAX_TIMER_CLIENTS];
    /* Free slots, a stack: free_slots[free_len - 1] is handed out next. */
    uint32_t free_slots[MAX_TIMER_CLIENTS];
    uint32_t free_len;
    timer_svc_send_fn send;
    uint64_t served;        /* requests handled (decoded and dispatched) */
    uint64_t malformed;     /* requests that did not decode: dropped */
    uint64_t refused;       /* connects refused: MAX_TIMER_CLIENTS connected */
    uint64_t expired;       /* Expired replies sent */
    uint64_t send_failed;   /* Expired replies the transport refused */
};

/* An empty service: no client, no deadline, counters at 0; slots are
 * handed out from 0 upwards. */
void timer_svc_init(struct timer_svc *s, timer_svc_send_fn send);
/* A new client on chan: its slot, or -NO_MEMORY (counted in refused) when
 * MAX_TIMER_CLIENTS are connected. The most recently freed slot is reused
 * first. */
int timer_svc_connect(struct timer_svc *s, void *chan);
/* The client in slot closed: frees the slot and drops its pending timer.
 * A slot that is not connected is left alone. */
void timer_svc_disconnect(struct timer_svc *s, int slot);
/* One request from the connected client in slot at time now: After arms (or
 * replaces) its deadline and counts in served. A malformed request is
 * counted and dropped. Returns the decode result (PROTO_OK when handled). */
proto_err timer_svc_handle(struct timer_svc *s, int slot, const uint8_t *msg, size_t len, uint64_t now);
/* Sends Expired to every client whose deadline is <= now, by deadline and,
 * for equal deadlines, in the order they were armed; returns
 * timer_svc_next_deadline. */
uint64_t timer_svc_expire(struct timer_svc *s, uint64_t now);
/* The earliest pending deadline, or TIMER_SVC_NO_DEADLINE (which a deadline
 * saturated at UINT64_MAX also reads as). */
uint64_t timer_svc_next_deadline(const struct timer_svc *s);
/* How many clients are connected. */
uint32_t timer_svc_connected(const struct timer_svc *s);
/* How many clients have a pending deadline. */
uint32_t timer_svc_pending(const struct timer_svc *s);
/* now + duration_us * TICKS_PER_US, saturating at UINT64_MAX. */
uint64_t timer_svc_deadline(uint64_t now, uint64_t duration_us);
#endif
