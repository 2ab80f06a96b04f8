/* Channels: pairs of ends, each end with its own receive queue of at most
 * CHAN_QUEUE_DEPTH messages of at most MAX_MSG_SIZE bytes and MAX_CAPS ends
 * carried along. Errors are negated kernel_error codes (generated/kernel.h). */
#ifndef KERNEL_CHAN_H
#define KERNEL_CHAN_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"

struct task;

struct chan_msg {
    struct chan_msg *next;
    uint32_t len, ncaps;
    struct chan_end *caps[MAX_CAPS];
    uint8_t data[MAX_MSG_SIZE];
};

struct chan_end {
    bool used;
    struct chan_end *peer;          /* NULL once the peer has closed */
    struct chan_msg *head, *tail;   /* messages sent to this end */
    uint32_t count;
    struct task *owner;             /* who holds it (NULL while in flight) */
    bool polled;                    /* in the owner's poll set */
};

/* Two connected ends owned by owner; 0 or -KERNEL_ERROR_NO_MEMORY. */
int chan_create(struct task *owner, struct chan_end **a, struct chan_end **b);
/* Waits (unless nonblock) until the peer's queue has room: 0, -CLOSED, -WOULD_BLOCK. */
int chan_wait_writable(struct chan_end *e, bool nonblock);
/* Waits (unless nonblock) until a message is queued: 0, -CLOSED, -WOULD_BLOCK. */
int chan_wait_readable(struct chan_end *e, bool nonblock);
/* Queues a message on e's peer (room checked by chan_wait_writable); the
 * caps move into the message. 0, -TOO_BIG, -INVALID, -NO_MEMORY, -CLOSED. */
int chan_push(struct chan_end *e, const void *buf, uint64_t len, struct chan_end *const *caps, uint32_t ncaps);
/* The oldest message sent to e (NULL if none), and its removal: pop frees
 * it but not its caps, which the receiver has taken. */
struct chan_msg *chan_head(struct chan_end *e);
void chan_pop(struct chan_end *e);
/* A message is queued or the peer closed: a receive would not wait. */
bool chan_ready(const struct chan_end *e);
/* Closes e: drops its queue (closing the ends in it) and tells the peer. */
void chan_close(struct chan_end *e);

/* Kernel-side convenience for services without caps: blocking or not. */
int chan_send(struct chan_end *e, const void *buf, uint64_t len, bool nonblock);
int chan_recv(struct chan_end *e, void *buf, uint64_t cap, uint64_t *len, bool nonblock);
#endif
