/* The in-memory loopback transport (see loopback.h). */
#include "loopback.h"

#include <string.h>

int loop_push(struct loop_queue *q, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    if (q->count == LOOP_DEPTH) return LOOP_ERR_FULL;
    if (len > MAX_MSG_SIZE || (caps && caps->n > MAX_CAPS)) return LOOP_ERR_TOO_BIG;
    size_t slot = (q->head + q->count) % LOOP_DEPTH;
    memcpy(q->msg[slot], msg, len);
    q->len[slot] = len;
    q->caps[slot] = caps ? *caps : (proto_caps){ 0, { 0 } };
    q->count++;
    return 0;
}

int loop_pop(struct loop_queue *q, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    if (q->count == 0) return LOOP_ERR_EMPTY;
    if (q->len[q->head] > cap) return LOOP_ERR_TOO_BIG;
    *len = q->len[q->head];
    memcpy(buf, q->msg[q->head], *len);
    if (caps) *caps = q->caps[q->head];
    q->head = (q->head + 1) % LOOP_DEPTH;
    q->count--;
    return 0;
}

/* The service's turn: handle the oldest request and queue its reply. */
static int loop_serve_one(struct loopback *lb)
{
    uint8_t req[MAX_MSG_SIZE], reply[MAX_MSG_SIZE];
    proto_caps req_caps, reply_caps = { 0, { 0 } };
    size_t req_len, reply_len = 0;
    int rc = loop_pop(&lb->requests, req, sizeof req, &req_len, &req_caps);
    if (rc < 0) return rc;
    rc = lb->serve(lb->svc, req, req_len, &req_caps, reply, sizeof reply, &reply_len, &reply_caps);
    if (rc < 0) return rc;
    return loop_push(&lb->replies, reply, reply_len, &reply_caps);
}

static int loop_send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    struct loopback *lb = ctx;
    if (lb->send_error < 0) return lb->send_error;
    return loop_push(&lb->requests, msg, len, caps);
}

static int loop_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    struct loopback *lb = ctx;
    if (lb->recv_error < 0) return lb->recv_error;
    if (lb->replies.count == 0) {
        int rc = loop_serve_one(lb);
        if (rc < 0) return rc;
    }
    return loop_pop(&lb->replies, buf, cap, len, caps);
}

static void loop_close(void *ctx, uint32_t cap)
{
    struct loopback *lb = ctx;
    if (lb->nclosed < LOOP_MAX_CLOSED) lb->closed[lb->nclosed] = cap;
    lb->nclosed++;
}

void loopback_init(struct loopback *lb, loop_serve_fn *serve, void *svc)
{
    memset(lb, 0, sizeof *lb);
    lb->serve = serve;
    lb->svc = svc;
}

proto_transport loopback_transport(struct loopback *lb)
{
    proto_transport t = { lb, loop_send, loop_recv, loop_close, NULL };   /* no call: the stubs send, then recv */
    return t;
}
