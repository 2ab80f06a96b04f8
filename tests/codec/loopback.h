/* A host loopback transport for the generated client stubs: two in-memory
 * message queues, requests (client -> service) and replies (service ->
 * client), each message with the capabilities beside it (plain integers
 * here). Single-threaded: when the client waits for a reply and none is
 * queued, the service handles the oldest request first, writing its reply
 * with the generated encoder. Caps the client's stubs give back (close)
 * are recorded, so a test can tell that none leaked.
 */
#ifndef TESTS_CODEC_LOOPBACK_H
#define TESTS_CODEC_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "proto.h"

#define LOOP_DEPTH 4

/* The transport's own errors (negative, as proto_transport wants). */
enum {
    LOOP_ERR_FULL = -1,       /* send: LOOP_DEPTH messages already queued */
    LOOP_ERR_EMPTY = -2,      /* recv: no reply and no request to serve */
    LOOP_ERR_TOO_BIG = -3,    /* a message over MAX_MSG_SIZE or the receive buffer */
    LOOP_ERR_SERVICE = -4,    /* the service could not handle the request */
};

struct loop_queue {
    uint8_t msg[LOOP_DEPTH][MAX_MSG_SIZE];
    size_t len[LOOP_DEPTH];
    proto_caps caps[LOOP_DEPTH];
    size_t head, count;
};

/* Handles one request (with its caps); writes the reply (at most cap bytes),
 * its length and its caps. Returns 0, or a negative code that recv passes on.
 */
typedef int loop_serve_fn(void *svc, const uint8_t *req, size_t len, const proto_caps *req_caps, uint8_t *reply,
                          size_t cap, size_t *reply_len, proto_caps *reply_caps);

#define LOOP_MAX_CLOSED 16

struct loopback {
    struct loop_queue requests, replies;
    loop_serve_fn *serve;
    void *svc;
    int send_error;   /* when negative, every send fails with it */
    int recv_error;   /* when negative, every recv fails with it */
    uint32_t closed[LOOP_MAX_CLOSED];   /* caps the client gave back, in order */
    size_t nclosed;
};

void loopback_init(struct loopback *lb, loop_serve_fn *serve, void *svc);
/* The client's end of lb. */
proto_transport loopback_transport(struct loopback *lb);

/* Queues a message with caps (NULL: none). */
int loop_push(struct loop_queue *q, const uint8_t *msg, size_t len, const proto_caps *caps);
/* Takes the oldest message into buf (cap bytes) and its caps (caps may be
 * NULL); it stays queued when too big. */
int loop_pop(struct loop_queue *q, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);

#endif
