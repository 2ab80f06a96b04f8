/* The ksys_* handlers the generated syscall table (generated/kernel_syscalls.c)
 * calls. Every user pointer and length is checked before use, and a call
 * that fails changes nothing; errors are negated kernel_error codes. */
#include "apps.h"
#include "chan.h"
#include "exec.h"
#include "handle.h"
#include "kalloc.h"
#include "kernel_syscalls.h"   /* generated */
#include "printf.h"
#include "riscv.h"
#include "sbi.h"
#include "sched.h"
#include "service.h"
#include "syscall.h"
#include "trace.h"
#include "vm.h"

#define ERR(e) (-(int64_t)KERNEL_ERROR_##e)


uint64_t syscalls_unknown;

int64_t syscall_unknown(void)
{
    syscalls_unknown++;
    return ERR(NO_SYSCALL);
}

void syscall_services(void)
{
    if (!sched_pending.from)
        sched_run_services();
}

int64_t ksys_console_write(uint64_t buf, uint64_t len)
{
    char tmp[256];
    if (!uvm_range_ok(current->pt, buf, len, false))
        return ERR(BAD_ADDRESS);   /* all or nothing */
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof tmp ? len - done : sizeof tmp;
        copyin(current->pt, tmp, buf + done, n);   /* checked above */
        console_write(tmp, n);
        done += n;
    }
    return (int64_t)len;
}

int64_t ksys_exit(int32_t code)
{
    task_exit(code);
}

int64_t ksys_yield(void)
{
    sched_yield();
    return 0;
}

uint64_t ksys_time_now(void)
{
    return r_time();
}

int64_t ksys_chan_create(uint64_t ends)
{
    struct chan_end *a, *b;
    int64_t rc = current->nhandles + 2 > MAX_HANDLES ? ERR(NO_MEMORY) : chan_create(current, current, &a, &b);
    if (rc < 0)   /* a bad address is told first, as if it had been checked first */
        return uvm_range_ok(current->pt, ends, 2 * sizeof(uint32_t), true) ? rc : ERR(BAD_ADDRESS);
    uint32_t h[2] = { (uint32_t)handle_install(current, a), (uint32_t)handle_install(current, b) };
    if (copyout(current->pt, ends, h, sizeof h) < 0) {   /* undone: nobody saw the two ends */
        chan_close(handle_remove(current, h[0]));
        chan_close(handle_remove(current, h[1]));
        return ERR(BAD_ADDRESS);
    }
    return 0;
}

/* The ends behind the n handles in hcaps: BAD_HANDLE if one is not open. */
static int64_t caps_get(const uint32_t *hcaps, uint32_t n, struct chan_end **ecaps)
{
    for (uint32_t i = 0; i < n; i++)
        if ((ecaps[i] = handle_get(current, hcaps[i])) == NULL)
            return ERR(BAD_HANDLE);
    return 0;
}

/* The register form's message words: t0..t2, t3..t5 (not one run in the
 * trapframe), REG_MSG_BYTES bytes of them at most. */
_Static_assert(REG_MSG_BYTES <= 6 * sizeof(uint64_t), "six message registers");
#define REG_LEN(flags) ((flags) >> CHAN_REG_LEN_SHIFT & CHAN_REG_LEN_MASK)

static void regs_get(const struct trapframe *tf, uint64_t w[6])
{
    w[0] = tf->t0, w[1] = tf->t1, w[2] = tf->t2, w[3] = tf->t3, w[4] = tf->t4, w[5] = tf->t5;
}

/* The app waiting in call or reply_recv at e's peer, to which a message of
 * len bytes without handles can be handed straight over (its queue empty,
 * its buffer large enough), or NULL. */
static inline struct task *waiting_receiver(const struct chan_end *e, uint64_t len, uint32_t ncaps)
{
    struct chan_end *p = e->peer;
    struct task *r = p ? p->owner : NULL;
    if (ncaps || len > REG_MSG_BYTES || r == NULL || !r->rx.armed || p->count || len > r->rx.cap ||
        (r->rx.end != p && (r->rx.end || !p->polled)))   /* armed: blocked (every wake-up disarms) */
        return NULL;
    return r;
}

/* A message of len bytes into tf's register words from the words lo[0..2]
 * and hi[0..2] (t0..t2 and t3..t5 of a trapframe, or a message's words):
 * what lies past len in the last word is cleared, and the words after it
 * are left as they are (the receiver's own). Unrolled: the fast path's. */
static inline void words_to(struct trapframe *tf, const uint64_t *lo, const uint64_t *hi, uint64_t len)
{
    uint64_t keep = len % 8 ? ~(~0ULL << 8 * (len % 8)) : ~0ULL;   /* of the last word */
    switch ((len + 7) / 8) {
    case 6: tf->t5 = hi[2] & keep, keep = ~0ULL; /* fallthrough */
    case 5: tf->t4 = hi[1] & keep, keep = ~0ULL; /* fallthrough */
    case 4: tf->t3 = hi[0] & keep, keep = ~0ULL; /* fallthrough */
    case 3: tf->t2 = lo[2] & keep, keep = ~0ULL; /* fallthrough */
    case 2: tf->t1 = lo[1] & keep, keep = ~0ULL; /* fallthrough */
    case 1: tf->t0 = lo[0] & keep; /* fallthrough */
    default: break;
    }
}
_Static_assert(__builtin_offsetof(struct trapframe, t2) == __builtin_offsetof(struct trapframe, t0) + 16 &&
               __builtin_offsetof(struct trapframe, t5) == __builtin_offsetof(struct trapframe, t3) + 16,
               "t0..t2 and t3..t5 each lie in a row");

/* hand_over's copy into r's chan_io (apart: the register form, the common
 * one, needs no stack frame for it). */
static __attribute__((noinline)) void hand_over_io(struct task *r, const uint64_t data[6], uint64_t len)
{
    struct chan_io io = { .len = len, .ncaps = 0, .status = 0 };
    copyout(r->pt, r->rx.buf, data, len);
    copyout(r->pt, r->rx.io + 8, &io.len, sizeof io.len);             /* len */
    copyout(r->pt, r->rx.io + 24, &io.ncaps, 2 * sizeof(uint32_t));   /* ncaps, status */
}

/* Hands data, sent on e, to r (waiting_receiver's): r's receive completes
 * as if it had been queued and received, into its registers (the register
 * form) or its chan_io (its buffer and the fields checked when it armed),
 * and its syscall's result goes to its trapframe. Never queued, so no
 * quota is spent; traced as a queued message is. r, woken, is to run next
 * (*to). */
static void hand_over(struct chan_end *e, struct task *r, const uint64_t data[6], uint64_t len, struct task **to)
{
    const struct chan_end *p = e->peer;
    trace_msg(e, (const uint8_t *)data, (uint32_t)len, 0);
    if (r->rx.regs) {
        words_to(r->tf, data, data + 3, len);
        r->tf->a1 = len << CHAN_REG_LEN_SHIFT | CHAN_REG_IN;
    } else {
        hand_over_io(r, data, len);
    }
    r->tf->a0 = r->rx.end ? len : p->handle;
    sched_wake_done(r);
    *to = r;
}
_Static_assert(__builtin_offsetof(struct chan_io, len) == 8 && __builtin_offsetof(struct chan_io, ncaps) == 24 &&
               __builtin_offsetof(struct chan_io, status) == 28, "hand_over and rx_take write len, ncaps and status");

bool syscall_hand_over(struct chan_end *e, const void *msg, uint64_t len)
{
    struct task *r = waiting_receiver(e, len, 0), *to;
    if (r == NULL)
        return false;
    uint64_t data[6] = { 0 };   /* REG_MSG_BYTES at most, as words for hand_over */
    for (uint64_t i = 0; i < len; i++)   /* a few bytes: no call to memcpy */
        ((uint8_t *)data)[i] = ((const uint8_t *)msg)[i];
    hand_over(e, r, data, len, &to);
    return true;
}

/* The register form's send: len bytes in w, no handles; handed over or
 * queued as send_msg does. */
static int64_t send_words(struct chan_end *e, const uint64_t w[6], uint64_t len, bool nonblock, struct task **to)
{
    struct chan_msg *m;
    if (len > REG_MSG_BYTES)
        return ERR(TOO_BIG);
    struct task *r = waiting_receiver(e, len, 0);
    if (r) {
        hand_over(e, r, w, len, to);
        return 0;
    }
    int64_t rc = chan_wait_writable(e, nonblock);
    if (rc == 0)
        rc = chan_msg_new(e, len, NULL, 0, current, &m);
    if (rc < 0)
        return rc;
    memcpy(m->data, w, len);
    chan_msg_push(e, m, NULL);
    return 0;
}

/* A send from this app on e: handed over (to set to the receiver woken)
 * or queued. The bytes go from the app straight into the message; that
 * copy checks the buffer, and when the queue is full it is checked before
 * waiting, so a bad buffer is BAD_ADDRESS whether or not the send would
 * wait. */
static int64_t send_msg(struct chan_end *e, uint64_t buf, uint64_t len, uint64_t caps, uint32_t ncaps, bool nonblock,
                        struct task **to)
{
    uint32_t hcaps[MAX_CAPS];
    struct chan_end *ecaps[MAX_CAPS];
    if (len > MAX_MSG_SIZE || ncaps > MAX_CAPS)
        return ERR(TOO_BIG);
    struct task *r = to ? waiting_receiver(e, len, ncaps) : NULL;
    if (r) {
        uint64_t data[6];   /* REG_MSG_BYTES at most, as words for hand_over */
        if (copyin(current->pt, data, buf, len) < 0)
            return ERR(BAD_ADDRESS);
        hand_over(e, r, data, len, to);
        return 0;
    }
    if (copyin(current->pt, hcaps, caps, ncaps * sizeof(uint32_t)) < 0 ||
        (e->peer && e->peer->count >= CHAN_QUEUE_DEPTH && !uvm_range_ok(current->pt, buf, len, false)))
        return ERR(BAD_ADDRESS);
    int64_t rc = caps_get(hcaps, ncaps, ecaps);
    if (rc == 0)
        rc = chan_wait_writable(e, nonblock);
    if (rc == 0)   /* only this app changes its handles: ecaps still hold */
        rc = chan_push_user(e, current->pt, buf, len, ecaps, ncaps, current);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < ncaps; i++)   /* moved to the receiver */
        handle_remove(current, hcaps[i]);
    return 0;
}

int64_t ksys_chan_send(uint32_t handle, uint64_t buf, uint64_t len, uint64_t caps, uint32_t ncaps, uint32_t flags)
{
    struct chan_end *e = handle_get(current, handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    if (ncaps == 0 && e->peer && e->peer->count < CHAN_QUEUE_DEPTH)
        return chan_push_user(e, current->pt, buf, len, NULL, 0, current);
    return send_msg(e, buf, len, caps, ncaps, flags & CHAN_NONBLOCK, NULL);
}

/* The head message of e (there is one) received by this app: its bytes to
 * buf (cap bytes), its handles installed and written to caps, their count
 * to *ncaps (0: not wanted). The message length, or an error (nothing
 * changed). */
static int64_t recv_msg(struct chan_end *e, uint64_t buf, uint64_t cap, uint64_t caps, uint64_t ncaps)
{
    struct chan_msg *m = chan_head(e);
    if (m->len > cap)
        return ERR(BUFFER_TOO_SMALL);
    if ((ncaps && !uvm_range_ok(current->pt, ncaps, sizeof(uint32_t), true)) ||
        (m->ncaps && !uvm_range_ok(current->pt, caps, m->ncaps * sizeof(uint32_t), true)))
        return ERR(BAD_ADDRESS);
    if (m->ncaps > 0 && ncaps == 0)
        return ERR(INVALID);   /* the handles would be lost */
    if (current->nhandles + m->ncaps > MAX_HANDLES)
        return ERR(NO_MEMORY);
    if (copyout(current->pt, buf, m->data, m->len) < 0)   /* the last check: it fails whole */
        return ERR(BAD_ADDRESS);
    uint32_t hcaps[MAX_CAPS], n = m->ncaps;
    for (uint32_t i = 0; i < n; i++)
        hcaps[i] = (uint32_t)handle_install(current, m->caps[i]);
    int64_t len = m->len;
    copyout(current->pt, caps, hcaps, n * sizeof(uint32_t));   /* checked above */
    if (ncaps)
        copyout(current->pt, ncaps, &n, sizeof n);
    chan_pop(e);
    return len;
}

/* chan_recv's long way (apart: the common receive needs no frame): waits
 * for a message, then recv_msg. */
static __attribute__((noinline)) int64_t recv_wait(struct chan_end *e, uint64_t buf, uint64_t cap, uint64_t caps,
                                                   uint64_t ncaps, uint32_t flags)
{
    int rc = chan_wait_readable(e, flags & CHAN_NONBLOCK);
    if (rc < 0)
        return rc;
    return recv_msg(e, buf, cap, caps, ncaps);
}

int64_t ksys_chan_recv(uint32_t handle, uint64_t buf, uint64_t cap, uint64_t caps, uint64_t ncaps, uint32_t flags)
{
    struct chan_end *e = handle_get(current, handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    struct chan_msg *m = chan_head(e);
    if (m && m->ncaps == 0 && m->len <= cap && ncaps == 0)   /* recv_msg's path for the common message */
        return chan_pop_user(e, current->pt, buf);
    return recv_wait(e, buf, cap, caps, ncaps, flags);
}

/* The user's struct chan_io at va, to receive into: read, its buffer and
 * the fields written back checked writable, kept in current->rx. */
static int64_t io_read(uint64_t va)
{
    struct chan_io io;
    if (copyin(current->pt, &io, va, sizeof io) < 0 || !uvm_range_ok(current->pt, va, sizeof io, true) ||
        !uvm_range_ok(current->pt, io.buf, io.len, true))
        return ERR(BAD_ADDRESS);
    current->rx.buf = io.buf;
    current->rx.cap = io.len;
    current->rx.caps = io.caps;
    return 0;
}

/* current->rx made ready for call's receive on end (NULL: reply_recv's on
 * the poll set) into the chan_io at va: read now, or in the register form
 * (CHAN_REG_IN: a message handed over goes to the registers, cap bytes at
 * most) only once a queued message must go there. */
static int64_t rx_arm(uint64_t va, uint64_t flags, uint64_t cap, struct chan_end *end, uint64_t deadline)
{
    struct task *t = current;
    t->rx.regs = flags & CHAN_REG_IN;
    t->rx.io = va;
    t->rx.end = end;
    t->rx.deadline = deadline;
    if (!t->rx.regs)
        return io_read(va);
    t->rx.cap = cap;
    t->tf->a1 = 0;   /* nothing in registers, unless hand_over says so */
    return 0;
}

/* Receives e's head message (or its closed peer) into the armed chan_io:
 * status and length written back; the length, or status's error. */
static int64_t rx_take(struct chan_end *e)
{
    struct task *t = current;
    struct chan_msg *m = chan_head(e);
    struct chan_io out = { 0 };
    uint32_t ncaps = m ? m->ncaps : 0, mlen = m ? m->len : 0;
    int64_t len = m ? recv_msg(e, t->rx.buf, t->rx.cap, t->rx.caps, t->rx.io + 24) : ERR(CLOSED);
    out.status = len < 0 ? (int32_t)len : 0;
    out.len = len >= 0 ? (uint64_t)len : len == ERR(BUFFER_TOO_SMALL) ? mlen : 0;
    out.ncaps = len >= 0 ? ncaps : 0;
    copyout(t->pt, t->rx.io + 8, &out.len, sizeof out.len);   /* checked when read */
    copyout(t->pt, t->rx.io + 24, &out.ncaps, 2 * sizeof(uint32_t));
    return len;
}

/* call's and reply_recv's receive, once armed: what is ready is taken
 * (call: its end's message or closed peer, and the result is its length;
 * reply_recv: the next ready polled end's, and the result is its handle),
 * even when the deadline passed in the same wake-up; else timed out
 * (WOULD_BLOCK), or the app blocks (sched_block_cont, with to, a task just
 * woken, next) and the result comes when it is woken. */
static int64_t rx_wait(bool timed_out, struct task *to)
{
    struct task *t = current;
    struct chan_end *e = t->rx.end;
    struct chan_end *r = e ? (chan_ready(e) ? e : NULL) : chan_ready_take(t);
    if (r) {
        int64_t rc = t->rx.regs ? io_read(t->rx.io) : 0;   /* the register form reads it now */
        if (rc < 0)
            return rc;
        int64_t len = rx_take(r);
        return e ? len : r->handle;
    }
    if (timed_out || !sched_block_cont(e, e == NULL, t->rx.deadline, to))
        return ERR(WOULD_BLOCK);
    t->rx.armed = true;
    return 0;   /* not the result: sched_pending is set */
}

void rx_resumed(void)
{
    struct task *t = current;
    t->wait_end = NULL;
    t->wait_poll = false;
    t->rx.armed = false;
    syscall_finish(t->tf, rx_wait(t->rx.deadline && r_time() >= t->rx.deadline, NULL));
}

/* call's and reply_recv's send on e: the message in registers (CHAN_REG_OUT
 * in flags) or described by the chan_io io. */
static int64_t send_out(struct chan_end *e, uint64_t flags, const struct chan_io *io, bool nonblock, struct task **to)
{
    if (flags & CHAN_REG_OUT) {
        uint64_t w[6];
        regs_get(current->tf, w);
        return send_words(e, w, REG_LEN(flags), nonblock, to);
    }
    return send_msg(e, io->buf, io->len, io->caps, io->ncaps, nonblock, to);
}

/* The fast path's trace of len bytes in tf's words (kept off its path). */
static __attribute__((noinline)) void trace_regs(const struct chan_end *e, const struct trapframe *tf, uint64_t len)
{
    uint64_t w[6];
    regs_get(tf, w);
    trace_msg(e, (const uint8_t *)w, (uint32_t)len, 0);
}

/* call's and reply_recv's fast path (kernel/README.md): a message in
 * registers sent on e to an app blocked receiving in registers on e's peer,
 * nothing queued either way, no service to run first. fast_receiver finds
 * that app (NULL: the general path takes the call, nothing done). */
#define FAST static inline __attribute__((always_inline))   /* one function with the syscall: no frame */

FAST struct task *fast_receiver(struct chan_end *e, uint64_t flags, uint64_t deadline, bool poll)
{
    if ((flags & ~((uint64_t)CHAN_REG_LEN_MASK << CHAN_REG_LEN_SHIFT)) != (CHAN_REG_IN | CHAN_REG_OUT))
        return NULL;
    struct task *r = waiting_receiver(e, REG_LEN(flags), 0);
    if (r == NULL || !r->rx.regs || (poll ? current->ready.head != NULL : e->count != 0) || service_woken ||
        (deadline && r_time() >= deadline))
        return NULL;
    return r;
}

/* The fast path's end: this app waits as rx_wait would (on e, or on its
 * poll set: poll) and r, its syscall done, runs next. */
FAST int64_t fast_block(struct chan_end *e, struct task *r, uint64_t va, uint64_t cap, uint64_t deadline, bool poll)
{
    struct task *t = current;
    t->rx.armed = true;
    t->rx.regs = true;
    t->rx.end = poll ? NULL : e;
    t->rx.deadline = deadline;
    t->rx.io = va;
    t->rx.cap = cap;
    t->tf->a1 = 0;   /* nothing in registers, unless a hand-over says so */
    return sched_block_done_to(r, t->rx.end, poll, deadline);
}

/* fast_block, with the message traced first (apart: the call to the
 * tracer would cost the fast path a frame). */
static __attribute__((noinline)) int64_t fast_traced(struct chan_end *e, struct task *r, uint64_t va, uint64_t cap,
                                                     uint64_t deadline, bool poll)
{
    trace_regs(e, r->tf, REG_LEN(r->tf->a1));
    return fast_block(e, r, va, cap, deadline, poll);
}

/* The fast path's work: the words go from this app's trapframe straight to
 * r's (the len bytes: what lies past them in the last word is cleared, the
 * words after it stay r's own), r's syscall completes, this app blocks as
 * rx_wait would (on e, or on its poll set: poll), and r runs next,
 * straight back to user mode. No quota is spent (nothing is queued);
 * traced as a queued message is. Returns 0, not the syscall's result:
 * sched_pending is set. */
FAST int64_t fast_send(struct chan_end *e, struct task *r, uint64_t flags, uint64_t va, uint64_t cap, uint64_t deadline,
                       bool poll)
{
    struct task *t = current;
    struct trapframe *to = r->tf, *from = t->tf;
    uint64_t len = REG_LEN(flags);
    words_to(to, &from->t0, &from->t3, len);
    to->a1 = len << CHAN_REG_LEN_SHIFT | CHAN_REG_IN;
    to->a0 = r->rx.end ? len : e->peer->handle;
    if (trace_ipc)
        return fast_traced(e, r, va, cap, deadline, poll);
    return fast_block(e, r, va, cap, deadline, poll);
}

#define CHAN_REG_FLAGS (CHAN_REG_IN | CHAN_REG_OUT | (uint64_t)CHAN_REG_LEN_MASK << CHAN_REG_LEN_SHIFT)

/* call's and reply_recv's general path (fast_send is the other). */
static __attribute__((noinline)) int64_t call_general(struct chan_end *e, uint64_t req, uint64_t rep, uint64_t deadline,
                                                      uint64_t flags, uint64_t cap)
{
    struct chan_io q;
    struct task *to = NULL;
    if (e == NULL)
        return ERR(BAD_HANDLE);
    if (flags & ~(uint64_t)CHAN_REG_FLAGS)
        return ERR(INVALID);
    if (!(flags & CHAN_REG_OUT) && copyin(current->pt, &q, req, sizeof q) < 0)
        return ERR(BAD_ADDRESS);
    int64_t rc = rx_arm(rep, flags, cap, e, deadline);
    if (rc == 0)
        rc = send_out(e, flags, &q, false, &to);
    return rc < 0 ? rc : rx_wait(false, to);
}

int64_t ksys_call(uint32_t handle, uint64_t req, uint64_t rep, uint64_t deadline, uint64_t flags, uint64_t cap)
{
    struct chan_end *e = handle_get(current, handle);
    struct task *r = e ? fast_receiver(e, flags, deadline, false) : NULL;
    if (r == NULL)
        return call_general(e, req, rep, deadline, flags, cap);
    return fast_send(e, r, flags, rep, cap, deadline, false);
}

static __attribute__((noinline)) int64_t reply_recv_general(struct chan_end *e, uint64_t rep, uint64_t req,
                                                            uint64_t deadline, uint64_t flags, uint64_t cap)
{
    struct chan_io r;
    struct task *to = NULL;
    if (flags & ~(uint64_t)CHAN_REG_FLAGS)
        return ERR(INVALID);
    if (deadline == 0 && current->npolled == 0)
        return ERR(INVALID);   /* nothing could ever wake it: nothing is sent */
    bool reply = rep != 0 || (flags & CHAN_REG_OUT);
    if (reply && e == NULL)
        return ERR(BAD_HANDLE);
    if (reply && !(flags & CHAN_REG_OUT) && copyin(current->pt, &r, rep, sizeof r) < 0)
        return ERR(BAD_ADDRESS);
    int64_t rc = rx_arm(req, flags, cap, NULL, deadline);
    if (rc == 0 && reply)
        rc = send_out(e, flags, &r, true, &to);
    return rc < 0 ? rc : rx_wait(false, to);
}

int64_t ksys_reply_recv(uint32_t handle, uint64_t rep, uint64_t req, uint64_t deadline, uint64_t flags, uint64_t cap)
{
    struct chan_end *e = handle_get(current, handle);
    /* the fast path only with something to send and something to wait on */
    struct task *r = e && (deadline || current->npolled) ? fast_receiver(e, flags, deadline, true) : NULL;
    if (r == NULL)
        return reply_recv_general(e, rep, req, deadline, flags, cap);
    return fast_send(e, r, flags, req, cap, deadline, true);
}

int64_t ksys_chan_close(uint32_t handle)
{
    if (handle_get(current, handle) == NULL)
        return ERR(BAD_HANDLE);
    chan_close(handle_remove(current, handle));
    return 0;
}

int64_t ksys_chan_poll_add(uint32_t handle)
{
    struct chan_end *e = handle_get(current, handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    chan_set_polled(e, true);
    return 0;
}

int64_t ksys_chan_poll_remove(uint32_t handle)
{
    struct chan_end *e = handle_get(current, handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    chan_set_polled(e, false);
    return 0;
}

int64_t ksys_block(uint64_t deadline)
{
    for (bool timed_out = false;;) {
        struct chan_end *e = chan_ready_take(current);
        if (e)
            return e->handle;   /* even when the deadline passed in the same wake-up */
        if (timed_out)
            return ERR(WOULD_BLOCK);
        if (deadline == 0 && current->npolled == 0)
            return ERR(INVALID);   /* nothing could ever wake it */
        timed_out = sched_block(NULL, true, deadline);
    }
}

int64_t ksys_shutdown(int32_t code)
{
    if (!task_is_first(current))
        return ERR(DENIED);
    kprintf("kernel: %s asked for power-off with code %d (%s)\n", current->name, code,
            code == 0 ? "pass" : "fail");
    sbi_shutdown(code != 0);
}

int64_t ksys_spawn(uint64_t name, uint64_t name_len, uint64_t arg, uint64_t arg_len)
{
    char n[32], a[APP_ARG_MAX];
    if (name_len >= sizeof n || arg_len >= sizeof a)
        return ERR(TOO_BIG);
    if (copyin(current->pt, n, name, name_len) < 0 || copyin(current->pt, a, arg, arg_len) < 0)
        return ERR(BAD_ADDRESS);
    n[name_len] = 0;
    a[arg_len] = 0;
    if (app_find(n, name_len) == NULL)   /* before anything is charged: a wrong name is NOT_FOUND at any quota */
        return ERR(NOT_FOUND);
    if (current->nhandles + 1 > MAX_HANDLES)
        return ERR(NO_MEMORY);
    struct chan_end *ours, *theirs;
    int rc = chan_create(current, current, &ours, &theirs);
    if (rc < 0)
        return rc;
    struct task *child;
    if ((rc = exec_app(n, name_len, a, false, &child)) < 0) {
        chan_close(ours);
        chan_close(theirs);
        return rc;
    }
    handle_install_at(child, SPAWN_HANDLE, theirs);
    ours->child = child;
    child->parent_end = ours;
    task_adopt(current, child);
    return handle_install(current, ours);
}

int64_t ksys_kill(uint32_t handle)
{
    struct chan_end *e = handle_get(current, handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    if (e->child == NULL)
        return ERR(INVALID);
    if (e->child == current)   /* it holds its parent's end: it ends as by exit */
        task_exit(-1);
    task_kill(e->child);
    return 0;
}

int64_t ksys_kstat(uint64_t buf, uint64_t len)
{
    if (len < sizeof(struct kernel_stats))
        return ERR(BUFFER_TOO_SMALL);
    struct kernel_stats s = {
        .free_pages = kalloc_free_pages(),
        .ends_in_use = chan_ends_in_use(),
        .ends_total = NCHAN_END,
        .msgs_queued = chan_msgs_queued(),
        .tasks = sched_tasks_in_use(),
        .app_ends = current->use.ends,
        .app_queued = current->use.queued,
        .app_handles = current->nhandles,
        .unknown_syscalls = syscalls_unknown,
        .idle_ticks = sched_idle_ticks(),
    };
    services_stats(current, &s);
    if (copyout(current->pt, buf, &s, sizeof s) < 0)
        return ERR(BAD_ADDRESS);
    return sizeof s;
}
