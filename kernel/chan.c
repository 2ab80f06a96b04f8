/* Channel IPC. Message buffers come from a free list carved out of pages. */
#include "chan.h"
#include "kalloc.h"
#include "param.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"

static struct chan_end ends[NCHAN_END];
static struct chan_msg *free_msgs;

static struct chan_msg *msg_alloc(void)
{
    if (free_msgs == NULL) {
        uint8_t *page = kalloc();
        if (page == NULL)
            return NULL;
        for (uint64_t off = 0; off + sizeof(struct chan_msg) <= PGSIZE; off += sizeof(struct chan_msg)) {
            struct chan_msg *m = (struct chan_msg *)(page + off);
            m->next = free_msgs;
            free_msgs = m;
        }
    }
    struct chan_msg *m = free_msgs;
    free_msgs = m->next;
    return m;
}

static void msg_free(struct chan_msg *m)
{
    m->next = free_msgs;
    free_msgs = m;
}

static struct chan_end *end_alloc(struct task *owner)
{
    for (int i = 0; i < NCHAN_END; i++) {
        if (!ends[i].used) {
            ends[i] = (struct chan_end){ .used = true, .owner = owner };
            return &ends[i];
        }
    }
    return NULL;
}

int chan_create(struct task *owner, struct chan_end **a, struct chan_end **b)
{
    struct chan_end *x = end_alloc(owner);
    if (x == NULL)
        return -KERNEL_ERROR_NO_MEMORY;
    struct chan_end *y = end_alloc(owner);
    if (y == NULL) {
        x->used = false;
        return -KERNEL_ERROR_NO_MEMORY;
    }
    x->peer = y;
    y->peer = x;
    *a = x;
    *b = y;
    return 0;
}

bool chan_ready(const struct chan_end *e)
{
    return e->count > 0 || e->peer == NULL;
}

int chan_wait_writable(struct chan_end *e, bool nonblock)
{
    for (;;) {
        if (e->peer == NULL)
            return -KERNEL_ERROR_CLOSED;
        if (e->peer->count < CHAN_QUEUE_DEPTH)
            return 0;
        if (nonblock)
            return -KERNEL_ERROR_WOULD_BLOCK;
        sched_block(e, false, 0);
    }
}

int chan_wait_readable(struct chan_end *e, bool nonblock)
{
    for (;;) {
        if (e->count > 0)
            return 0;
        if (e->peer == NULL)
            return -KERNEL_ERROR_CLOSED;
        if (nonblock)
            return -KERNEL_ERROR_WOULD_BLOCK;
        sched_block(e, false, 0);
    }
}

static int caps_ok(const struct chan_end *e, struct chan_end *const *caps, uint32_t ncaps)
{
    for (uint32_t i = 0; i < ncaps; i++) {
        if (caps[i] == NULL || caps[i] == e || caps[i] == e->peer)
            return -KERNEL_ERROR_INVALID;
        for (uint32_t j = 0; j < i; j++)
            if (caps[j] == caps[i])
                return -KERNEL_ERROR_INVALID;
    }
    return 0;
}

int chan_push(struct chan_end *e, const void *buf, uint64_t len, struct chan_end *const *caps, uint32_t ncaps)
{
    if (len > MAX_MSG_SIZE || ncaps > MAX_CAPS)
        return -KERNEL_ERROR_TOO_BIG;
    if (e->peer == NULL)
        return -KERNEL_ERROR_CLOSED;
    int rc = caps_ok(e, caps, ncaps);
    if (rc < 0)
        return rc;
    struct chan_msg *m = msg_alloc();
    if (m == NULL)
        return -KERNEL_ERROR_NO_MEMORY;
    m->next = NULL;
    m->len = (uint32_t)len;
    m->ncaps = ncaps;
    memcpy(m->data, buf, len);
    for (uint32_t i = 0; i < ncaps; i++) {
        m->caps[i] = caps[i];
        caps[i]->owner = NULL;
        caps[i]->polled = false;
    }
    struct chan_end *p = e->peer;
    if (p->tail)
        p->tail->next = m;
    else
        p->head = m;
    p->tail = m;
    p->count++;
    sched_wakeup(p);
    return 0;
}

struct chan_msg *chan_head(struct chan_end *e)
{
    return e->head;
}

void chan_pop(struct chan_end *e)
{
    struct chan_msg *m = e->head;
    if (m == NULL)
        panic("chan_pop: empty queue");
    e->head = m->next;
    if (e->head == NULL)
        e->tail = NULL;
    e->count--;
    msg_free(m);
    if (e->peer)
        sched_wakeup(e->peer);   /* a sender may wait for room */
}

void chan_close(struct chan_end *e)
{
    if (!e->used)
        panic("chan_close: end not in use");
    while (e->head) {
        struct chan_msg *m = e->head;
        e->head = m->next;
        for (uint32_t i = 0; i < m->ncaps; i++)
            chan_close(m->caps[i]);
        msg_free(m);
    }
    e->tail = NULL;
    e->count = 0;
    if (e->peer) {
        struct chan_end *p = e->peer;
        p->peer = NULL;
        sched_wakeup(p);
    }
    e->used = false;
    e->owner = NULL;
}

int chan_send(struct chan_end *e, const void *buf, uint64_t len, bool nonblock)
{
    int rc = chan_wait_writable(e, nonblock);
    if (rc < 0)
        return rc;
    return chan_push(e, buf, len, NULL, 0);
}

int chan_recv(struct chan_end *e, void *buf, uint64_t cap, uint64_t *len, bool nonblock)
{
    int rc = chan_wait_readable(e, nonblock);
    if (rc < 0)
        return rc;
    struct chan_msg *m = e->head;
    if (m->len > cap)
        return -KERNEL_ERROR_BUFFER_TOO_SMALL;
    memcpy(buf, m->data, m->len);
    *len = m->len;
    for (uint32_t i = 0; i < m->ncaps; i++)   /* a service takes no caps */
        chan_close(m->caps[i]);
    chan_pop(e);
    return 0;
}
