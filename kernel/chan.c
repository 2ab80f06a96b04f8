/* Channel IPC (see chan.h). Ends come from a fixed pool through a free list;
 * messages from pages of MSGS_PER_PAGE, whose free messages are all on one
 * list, each page returned to the page allocator once none of its
 * messages is in use, but for one page taken at boot and always kept (a
 * message going back and forth would otherwise take and give back a page
 * each time). */
#include "chan.h"
#include "kalloc.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"
#include "trace.h"
#include "vm.h"

/* A page of messages. */
#define MSGS_PER_PAGE ((PGSIZE - sizeof(uint64_t)) / sizeof(struct chan_msg))
struct msg_page {
    uint64_t used;                  /* its messages in use */
    struct chan_msg msgs[MSGS_PER_PAGE];
};
_Static_assert(sizeof(struct msg_page) <= PGSIZE, "a message page fits a page");
_Static_assert(MSGS_PER_PAGE >= 1, "a message fits a page");

static struct chan_end ends[NCHAN_END];
static struct chan_end *free_ends;
static uint32_t ends_used, ends_hi;     /* ends[ends_hi..] never used */
static struct list free_msgs;           /* every page's free messages, through acct_link */
static uint32_t msgs_queued;
static struct msg_page *first_page;     /* never given back */
/* The message for a kernel service that waits idle (struct task's
 * on_message): never queued, so it comes from no page and is charged to
 * nobody; one at a time (a second one while it is out takes the queue). */
static struct chan_msg direct;
static bool direct_out;

/* ------------------------------------------------------------- messages */

/* ------------------------------------------------------------ accounts */

static void charge_msg(struct chan_msg *m, struct task *acct)
{
    m->acct = acct;
    if (acct) {
        acct->use.queued++;
        list_push(&acct->use.msg_list, &m->acct_link);
    }
}

static void uncharge_msg(struct chan_msg *m)
{
    if (m->acct) {
        m->acct->use.queued--;
        list_remove(&m->acct->use.msg_list, &m->acct_link);
    }
    m->acct = NULL;
}

static void charge_end(struct chan_end *e, struct task *acct)
{
    e->acct = acct;
    if (acct) {
        acct->use.ends++;
        list_push(&acct->use.end_list, &e->acct_link);
    }
}

static void uncharge_end(struct chan_end *e)
{
    if (e->acct) {
        e->acct->use.ends--;
        list_remove(&e->acct->use.end_list, &e->acct_link);
    }
    e->acct = NULL;
}

void chan_pass(struct task *from, struct task *to)
{
    for (struct list_node *n; (n = from->use.end_list.head) != NULL;) {
        struct chan_end *e = container_of(n, struct chan_end, acct_link);
        uncharge_end(e);
        charge_end(e, to);
    }
    for (struct list_node *n; (n = from->use.msg_list.head) != NULL;) {
        struct chan_msg *m = container_of(n, struct chan_msg, acct_link);
        uncharge_msg(m);
        charge_msg(m, to);
    }
}

/* A page of free messages, or NULL. */
static struct msg_page *page_new(void)
{
    struct msg_page *p = kalloc();
    if (p) {
        p->used = 0;
        for (uint32_t i = 0; i < MSGS_PER_PAGE; i++)
            list_push(&free_msgs, &p->msgs[i].acct_link);
    }
    return p;
}

void chan_init(void)
{
    if ((first_page = page_new()) == NULL)
        panic("chan_init: no page for messages");
}

static struct msg_page *page_of(const struct chan_msg *m)
{
    return (struct msg_page *)PGROUNDDOWN((uint64_t)m);
}

/* The free list's first message (there is one), taken and charged to acct. */
static inline struct chan_msg *msg_take(struct task *acct)
{
    struct chan_msg *m = container_of(free_msgs.head, struct chan_msg, acct_link);
    list_remove(&free_msgs, &m->acct_link);
    page_of(m)->used++;
    charge_msg(m, acct);
    msgs_queued++;
    return m;
}

/* A message charged to acct (within its quota: the caller checked). */
static struct chan_msg *msg_alloc(struct task *acct)
{
    if (free_msgs.head == NULL && page_new() == NULL)
        return NULL;
    return msg_take(acct);
}

/* p, whose last message in use was m, back to the page allocator. */
static __attribute__((noinline)) void page_release(struct msg_page *p, const struct chan_msg *m)
{
    for (uint32_t i = 0; i < MSGS_PER_PAGE; i++)   /* the others are free: off the list with the page */
        if (&p->msgs[i] != m)
            list_remove(&free_msgs, &p->msgs[i].acct_link);
    kfree(p);
}

static inline void msg_free(struct chan_msg *m)
{
    struct msg_page *p = page_of(m);
    uncharge_msg(m);
    msgs_queued--;
    if (--p->used > 0 || p == first_page)
        list_push(&free_msgs, &m->acct_link);
    else
        page_release(p, m);
}

/* ----------------------------------------------------------------- ends */

/* An end held by owner, charged to acct (within its quota: the caller
 * checked); NULL when the pool is empty. */
static struct chan_end *end_alloc(struct task *owner, struct task *acct)
{
    struct chan_end *e = free_ends;
    if (e)
        free_ends = e->link;
    else if (ends_hi < NCHAN_END)
        e = &ends[ends_hi++];
    else
        return NULL;
    *e = (struct chan_end){ .used = true, .owner = owner };
    charge_end(e, acct);
    ends_used++;
    return e;
}

/* Ready list: e is on its owner's list exactly when it is held, polled and ready. */
static inline void ready_update(struct chan_end *e)
{
    struct task *t = e->owner;
    bool want = t && e->polled && chan_ready(e);
    if (want == e->on_ready)
        return;
    e->on_ready = want;
    if (want)
        list_push(&t->ready, &e->ready);
    else
        list_remove(&t->ready, &e->ready);
}

/* Something about e changed (a message, a closed peer): update its owner's
 * ready list and wake the owner if it waits for e. */
static void changed(struct chan_end *e)
{
    ready_update(e);
    sched_wakeup(e);
}

void chan_set_polled(struct chan_end *e, bool polled)
{
    if (e->owner && e->polled != polled)
        e->owner->npolled += polled ? 1 : -1;
    e->polled = polled;
    ready_update(e);
}

void chan_set_owner(struct chan_end *e, struct task *t, uint32_t handle)
{
    if (e->polled)   /* not polled: not on a ready list either */
        chan_set_polled(e, false);
    e->owner = t;
    e->handle = handle;
    if (t)
        e->carrier = NULL;
}

struct chan_end *chan_ready_take(struct task *t)
{
    struct list_node *n = list_pop(&t->ready);
    if (n == NULL)
        return NULL;
    list_push(&t->ready, n);   /* to the back: the others go first next time */
    return container_of(n, struct chan_end, ready);
}

static void end_free(struct chan_end *e)
{
    chan_set_owner(e, NULL, 0);
    uncharge_end(e);
    if (e->child)
        e->child->parent_end = NULL;   /* no one can kill it any more */
    e->used = false;
    e->link = free_ends;
    free_ends = e;
    ends_used--;
}

int chan_create(struct task *owner, struct task *acct, struct chan_end **a, struct chan_end **b)
{
    if (acct && acct->use.ends + 2 > APP_MAX_ENDS)
        return -KERNEL_ERROR_QUOTA;
    struct chan_end *x = end_alloc(owner, acct), *y = x ? end_alloc(owner, acct) : NULL;
    if (y == NULL) {
        if (x)
            end_free(x);
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

/* Whether c may go into dst's queue: not if dst is c or sits, through a
 * chain of carriers, inside c's queue (a cycle nobody could ever receive). */
static bool would_nest_in_itself(const struct chan_end *c, const struct chan_end *dst)
{
    for (const struct chan_end *q = dst; q; q = q->carrier)
        if (q == c)
            return true;
    return false;
}

static int caps_ok(const struct chan_end *e, struct chan_end *const *caps, uint32_t ncaps)
{
    for (uint32_t i = 0; i < ncaps; i++) {
        if (caps[i] == NULL || caps[i] == e || would_nest_in_itself(caps[i], e->peer))
            return -KERNEL_ERROR_INVALID;
        for (uint32_t j = 0; j < i; j++)
            if (caps[j] == caps[i])
                return -KERNEL_ERROR_INVALID;
    }
    return 0;
}

/* Whether a message without caps sent to p goes straight to p's owner: a
 * kernel service blocked waiting (so it has nothing else to do, nothing
 * queued before it) that takes messages in the sender's call. */
static bool takes_direct(const struct chan_end *p, uint32_t ncaps)
{
    const struct task *t = p->owner;
    return ncaps == 0 && !direct_out && t && t->on_message && t->state == TASK_BLOCKED && p->count == 0;
}

int chan_msg_new(struct chan_end *e, uint64_t len, struct chan_end *const *caps, uint32_t ncaps,
                 struct task *acct, struct chan_msg **out)
{
    if (len > MAX_MSG_SIZE || ncaps > MAX_CAPS)
        return -KERNEL_ERROR_TOO_BIG;
    if (e->peer == NULL)
        return -KERNEL_ERROR_CLOSED;
    int rc = caps_ok(e, caps, ncaps);
    if (rc < 0)
        return rc;
    if (acct && acct->use.queued >= APP_MAX_QUEUED)
        return -KERNEL_ERROR_QUOTA;
    struct chan_msg *m = takes_direct(e->peer, ncaps) ? &direct : msg_alloc(acct);
    if (m == NULL)
        return -KERNEL_ERROR_NO_MEMORY;
    if (m == &direct) {
        direct_out = true;
        m->acct = acct;   /* the sender, for the service; not charged */
    }
    m->len = (uint32_t)len;
    m->ncaps = ncaps;
    *out = m;
    return 0;
}

/* m at the back of p's queue. */
static inline void enqueue(struct chan_end *p, struct chan_msg *m)
{
    m->next = NULL;
    if (p->tail)
        p->tail->next = m;
    else
        p->head = m;
    p->tail = m;
    p->count++;
    changed(p);
}

/* chan_push_user's long way: a message with caps, the first of a new page
 * of messages, or one a service takes directly. */
static __attribute__((noinline)) int push_user_slow(struct chan_end *e, pagetable_t pt, uint64_t va, uint64_t len,
                                                    struct chan_end *const *caps, uint32_t ncaps, struct task *acct)
{
    struct chan_msg *m;
    int rc = chan_msg_new(e, len, caps, ncaps, acct, &m);
    if (rc < 0)
        return rc;
    if (copyin(pt, m->data, va, len) < 0) {
        chan_msg_drop(m);
        return -KERNEL_ERROR_BAD_ADDRESS;
    }
    chan_msg_push(e, m, caps);
    return 0;
}

int64_t chan_push_user(struct chan_end *e, pagetable_t pt, uint64_t va, uint64_t len, struct chan_end *const *caps,
                       uint32_t ncaps, struct task *acct)
{
    /* chan_msg_new's checks that can fail here, in its order: QUOTA, then the copy's BAD_ADDRESS */
    struct chan_end *p = e->peer;
    if (ncaps || len > MAX_MSG_SIZE || p == NULL || free_msgs.head == NULL || takes_direct(p, 0))
        return push_user_slow(e, pt, va, len, caps, ncaps, acct);
    if (acct->use.queued >= APP_MAX_QUEUED)
        return -KERNEL_ERROR_QUOTA;
    struct chan_msg *m = container_of(free_msgs.head, struct chan_msg, acct_link);
    if (copyin(pt, m->data, va, len) < 0)   /* still on the free list: nothing to undo */
        return -KERNEL_ERROR_BAD_ADDRESS;
    msg_take(acct);
    m->len = (uint32_t)len;
    m->ncaps = 0;
    trace_msg(e, m->data, m->len, 0);
    enqueue(p, m);
    return 0;
}

void chan_msg_drop(struct chan_msg *m)
{
    if (m == &direct)
        direct_out = false;
    else
        msg_free(m);
}

void chan_msg_push(struct chan_end *e, struct chan_msg *m, struct chan_end *const *caps)
{
    struct chan_end *p = e->peer;
    trace_msg(e, m->data, m->len, m->ncaps);
    if (m == &direct) {   /* takes_direct said so, and nothing has changed since */
        p->owner->on_message(p->owner->arg, p, m->data, m->len, m->acct);
        direct_out = false;
        return;
    }
    for (uint32_t i = 0; i < m->ncaps; i++) {
        m->caps[i] = caps[i];
        chan_set_owner(caps[i], NULL, 0);
        caps[i]->carrier = p;
    }
    enqueue(p, m);
}

int chan_push(struct chan_end *e, const void *buf, uint64_t len, struct chan_end *const *caps,
              uint32_t ncaps, struct task *acct)
{
    struct chan_msg *m;
    int rc = chan_msg_new(e, len, caps, ncaps, acct, &m);
    if (rc < 0)
        return rc;
    memcpy(m->data, buf, len);
    chan_msg_push(e, m, caps);
    return 0;
}

/* chan_pop of e's head m. */
static inline void pop(struct chan_end *e, struct chan_msg *m)
{
    e->head = m->next;
    if (e->head == NULL)
        e->tail = NULL;
    e->count--;
    msg_free(m);
    ready_update(e);
    if (e->peer)
        sched_wakeup_sender(e->peer);   /* it may wait for room */
}

void chan_pop(struct chan_end *e)
{
    if (e->head == NULL)
        panic("chan_pop: empty queue");
    pop(e, e->head);
}

int64_t chan_pop_user(struct chan_end *e, pagetable_t pt, uint64_t va)
{
    struct chan_msg *m = e->head;
    int64_t len = m->len;
    if (copyout(pt, va, m->data, m->len) < 0)
        return -KERNEL_ERROR_BAD_ADDRESS;
    pop(e, m);
    return len;
}

/* Frees x's queue, putting the ends it carried on the work list. */
static struct chan_end *drop_queue(struct chan_end *x, struct chan_end *work)
{
    while (x->head) {
        struct chan_msg *m = x->head;
        x->head = m->next;
        for (uint32_t i = 0; i < m->ncaps; i++) {
            m->caps[i]->link = work;
            work = m->caps[i];
        }
        msg_free(m);
    }
    x->tail = NULL;
    x->count = 0;
    return work;
}

/* x, its queue dropped, closed: its peer told, x freed. */
static inline void end_close(struct chan_end *x)
{
    struct chan_end *p = x->peer;
    if (p) {
        p->peer = NULL;
        changed(p);
    }
    end_free(x);
}

/* Closes the ends on the work list (linked through link) and every end
 * queued inside them, without recursion. */
static void close_list(struct chan_end *work)
{
    while (work) {
        struct chan_end *x = work;
        work = drop_queue(x, x->link);
        end_close(x);
    }
}

void chan_close(struct chan_end *e)
{
    if (!e->used)
        panic("chan_close: end not in use");
    if (e->head == NULL) {   /* nothing queued, so no end inside: no work list */
        end_close(e);
        return;
    }
    e->link = NULL;
    close_list(e);
}

void chan_sever(struct chan_end *e)
{
    struct chan_end *p = e->peer;
    if (p) {
        p->peer = NULL;
        e->peer = NULL;
        changed(p);
    }
    close_list(drop_queue(e, NULL));
    changed(e);
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

uint32_t chan_ends_in_use(void)
{
    return ends_used;
}

uint32_t chan_msgs_queued(void)
{
    return msgs_queued;
}
