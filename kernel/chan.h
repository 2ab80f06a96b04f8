/* Channels: pairs of ends, each end with its own receive queue of at most
 * CHAN_QUEUE_DEPTH messages of at most MAX_MSG_SIZE bytes and MAX_CAPS ends
 * carried along. Errors are negated kernel_error codes (generated/kernel.h).
 *
 * Every end and every queued message is charged to an app (its quotas
 * APP_MAX_ENDS and APP_MAX_QUEUED) and is on that app's lists, so what an
 * ended app leaves passes to its heir at the cost of what it left
 * (chan_pass); the end pool holds every app's full quota, so no app within
 * its quota can take ends from another. An end in flight sits in
 * exactly one queue (its carrier's), and a send that would put an end
 * inside its own queue, directly or through others, is refused: ends form
 * trees, never cycles, so closing the ends their apps hold frees them all. */
#ifndef KERNEL_CHAN_H
#define KERNEL_CHAN_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"
#include "lib/list.h"
#include "param.h"
#include "riscv.h"

struct task;

struct chan_msg {
    struct chan_msg *next;
    struct task *acct;              /* charged to (APP_MAX_QUEUED), NULL: nobody */
    struct list_node acct_link;     /* on acct's list of messages */
    uint32_t len, ncaps;
    struct chan_end *caps[MAX_CAPS];
    uint8_t data[MAX_MSG_SIZE];
};

struct chan_end {
    struct chan_end *peer;          /* NULL once the peer has closed */
    struct chan_msg *head, *tail;   /* messages sent to this end */
    uint32_t count;
    struct task *owner;             /* who holds it: an app or a service (NULL while in flight) */
    struct chan_end *carrier;       /* in flight: the end whose queue holds it */
    struct task *acct;              /* charged to (APP_MAX_ENDS), NULL: nobody */
    struct list_node acct_link;     /* on acct's list of ends */
    struct task *child;             /* a spawn channel's parent end: the child, while it runs */
    uint32_t handle;                /* the owner's name for it: an app's handle, a service's slot */
    bool used;
    bool polled;                    /* in the owner's poll set */
    bool on_ready;                  /* in the owner's ready list (polled and ready) */
    uint8_t speaks;                 /* what it sends, for the IPC trace (service_speaks) */
    struct list_node ready;         /* ... its place there */
    struct chan_end *link;          /* the free list, or close's work list */
};

/* Ends an app's quota allows, kernel-wide: every task slot's full quota. */
#define NCHAN_END (NTASK * APP_MAX_ENDS)

/* Two connected ends held by owner and charged to acct (NULL: nobody;
 * the kernel charges every end to an app). 0, -QUOTA, or -NO_MEMORY when
 * the pool is empty (only possible once ends an ended app left behind
 * have gone to an heir beyond its quota, see chan_pass). */
int chan_create(struct task *owner, struct task *acct, struct chan_end **a, struct chan_end **b);
/* Waits (unless nonblock) until the peer's queue has room: 0, -CLOSED, -WOULD_BLOCK. */
int chan_wait_writable(struct chan_end *e, bool nonblock);
/* Waits (unless nonblock) until a message is queued: 0, -CLOSED, -WOULD_BLOCK. */
int chan_wait_readable(struct chan_end *e, bool nonblock);
/* Queues a message on e's peer (room checked by chan_wait_writable),
 * charged to acct (NULL: to nobody; see kernel/README.md for who pays). The caps move into the message. 0, -TOO_BIG, -INVALID (a cap is
 * e or its peer, repeated, or would end up inside its own queue), -QUOTA,
 * -NO_MEMORY, -CLOSED. */
int chan_push(struct chan_end *e, const void *buf, uint64_t len, struct chan_end *const *caps,
              uint32_t ncaps, struct task *acct);
/* chan_push in two steps, for a sender that writes the bytes itself (a
 * copy from user memory): chan_msg_new checks and charges as chan_push and
 * gives a message of len bytes to fill; chan_msg_push queues it (nothing
 * can fail then), chan_msg_drop gives it back. Nothing else may happen in
 * between: when e's peer is held by a kernel service blocked waiting with
 * an empty queue (struct task's on_message), the message is not queued
 * and not charged, but taken by the service in chan_msg_push, in the
 * sender's call, with no wake-up and no switch. */
int chan_msg_new(struct chan_end *e, uint64_t len, struct chan_end *const *caps, uint32_t ncaps,
                 struct task *acct, struct chan_msg **out);
/* chan_push of len bytes copied from the app's memory at va in pt, for a
 * send whose room the caller checked (chan_wait_writable): the common
 * message (no caps, a free message at hand, not for a service that takes
 * it directly) in one function, the others through chan_msg_new. Errors
 * as chan_push's, and -BAD_ADDRESS (after every other check; nothing
 * changed). */
int64_t chan_push_user(struct chan_end *e, pagetable_t pt, uint64_t va, uint64_t len, struct chan_end *const *caps,
                       uint32_t ncaps, struct task *acct);
/* Takes the message pool's first page (boot: panics without one). */
void chan_init(void);
void chan_msg_push(struct chan_end *e, struct chan_msg *m, struct chan_end *const *caps);

void chan_msg_drop(struct chan_msg *m);
/* The oldest message sent to e (NULL if none), and its removal: pop frees
 * it but not its caps, which the receiver has taken. */
static inline struct chan_msg *chan_head(const struct chan_end *e)
{
    return e->head;
}
void chan_pop(struct chan_end *e);
/* The common receive in one function: e's head message, which has no caps
 * and fits (the caller checked), copied to va in pt and popped. Its
 * length, or -BAD_ADDRESS (nothing changed). */
int64_t chan_pop_user(struct chan_end *e, pagetable_t pt, uint64_t va);
/* A message is queued or the peer closed: a receive would not wait. */
bool chan_ready(const struct chan_end *e);
/* Closes e: drops its queue, closing the ends in it (and theirs, without
 * recursion), and tells the peer. */
void chan_close(struct chan_end *e);
/* Cuts e's channel wherever e is (held by any app, or in flight): the peer
 * and e's holder both see CLOSED, e's queue is dropped; e itself stays open
 * until its holder closes it. */
void chan_sever(struct chan_end *e);

/* Everything charged to from (its ends and queued messages) is charged to
 * to instead (NULL: nobody), even beyond to's quotas; O(what from has). */
void chan_pass(struct task *from, struct task *to);

/* e is now held by t (NULL: in flight inside carrier's queue), out of any poll set. */
void chan_set_owner(struct chan_end *e, struct task *t, uint32_t handle);
/* Adds e to or removes it from its owner's poll set. */
void chan_set_polled(struct chan_end *e, bool polled);
/* The owner's oldest ready polled end, moved to the back of the ready list
 * so that ready ends take turns; NULL when none is ready. */
struct chan_end *chan_ready_take(struct task *t);

/* Kernel-side receive for services, which take no caps (a message's caps
 * are closed): blocking or not. */
int chan_recv(struct chan_end *e, void *buf, uint64_t cap, uint64_t *len, bool nonblock);

/* Counters for kstat. */
uint32_t chan_ends_in_use(void);
uint32_t chan_msgs_queued(void);
#endif
