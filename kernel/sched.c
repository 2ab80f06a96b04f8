/* The scheduler: kernel services first, apps round-robin, preempted on a
 * regular tick of TIMER_TICK_US, and deadlines. The one comparator is always
 * armed for the soonest of the next tick and the earliest deadline of a
 * blocked task; a deadline never moves the tick. */
#include "sched.h"
#include "chan.h"
#include "handle.h"
#include "printf.h"
#include "sbi.h"
#include "service.h"
#include "timer.h"      /* generated: TICKS_PER_US, TIMER_TICK_US */
#include "memlayout.h"
#include "vm.h"

_Static_assert(KSTACK_SIZE == 1 << 14 && KSTACK_STRIDE == 2 * KSTACK_SIZE,
               "trapvec.S tells a guard address by bit 14");
_Static_assert(NTASK * KSTACK_STRIDE <= (1UL << 21), "the stacks fit one level-0 table");

#define TICK_TICKS (TIMER_TICK_US * TICKS_PER_US)
#define WOKEN_GRACE_US 1000

struct task *current;
static struct task tasks[NTASK];
static uint8_t kstacks[NTASK][KSTACK_SIZE] __attribute__((aligned(16)));
static uint32_t tasks_hi;          /* tasks[tasks_hi..] have never been used */
static struct task *free_tasks;    /* the others that are unused, through next_free */
static uint32_t tasks_used;
static struct context sched_ctx;
static uint64_t next_tick;        /* rdtime of the next regular tick */
static uint64_t armed;            /* what the comparator is set to */
static struct task *first_app;    /* the first app in bootargs while it runs: its verdict ends the run */
static char first_name[16];       /* ... its name, for the power-off line */
static int verdict = 1;           /* the first app's exit code, as pass (0) or fail (1) */
static int apps_started;          /* apps named in bootargs */
static int apps_live;             /* ... not yet exited */
static struct heap deadlines;     /* blocked tasks with a deadline, soonest first */
static struct heap_node *deadline_slots[NTASK];
static bool use_sstc;             /* stimecmp is ours to write */
bool service_woken;               /* a kernel service became runnable (sched.h) */
struct sched_switch sched_pending;   /* a continuation's switch, for trapvec.S (sched.h) */
static uint64_t wakes;             /* tasks woken so far (timer_intr: did any wake?) */
static struct task *resume_first; /* the app that stepped aside for a service */
/* Runnable tasks, in the order they are picked: kernel services, apps
 * woken from blocking (oldest wake-up first), apps preempted or yielding. */
static struct list rq_services, rq_woken, rq_apps;
static uint64_t idle_ticks;
static uint64_t serials;          /* task_alloc's count: each task's serial */

static void rq_push(struct list *q, struct task *t)
{
    t->rq = q;
    list_push(q, &t->rq_node);
}

static void rq_remove(struct task *t)
{
    if (t->rq)
        list_remove(t->rq, &t->rq_node);
    t->rq = NULL;
}

static struct task *rq_pop(struct list *q)
{
    struct list_node *n = list_pop(q);
    if (n == NULL)
        return NULL;
    struct task *t = container_of(n, struct task, rq_node);
    t->rq = NULL;
    return t;
}

/* t can run: queued where its kind and the reason put it. */
static void make_runnable(struct task *t, bool woken)
{
    t->state = TASK_RUNNABLE;
    rq_push(t->pt == NULL ? &rq_services : woken ? &rq_woken : &rq_apps, t);
}

#define CSR_STIMECMP 0x14D

/* Sets the comparator: stimecmp when the hart has Sstc, else SBI TIME. */
static void timer_arm(uint64_t t)
{
    if (use_sstc)
        __asm__ volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(t));
    else
        sbi_set_timer(t);
}

void swtch(struct context *old, struct context *new);
void user_resume(void);

void sched_init(bool sstc)
{
    use_sstc = sstc;
    for (uint32_t i = 0; i < NTASK; i++)
        kvm_map(KSTACK_VA(i), (uint64_t)kstacks[i], KSTACK_SIZE);
    heap_init(&deadlines, deadline_slots, NTASK);
    next_tick = r_time() + TICK_TICKS;
    armed = next_tick;
    timer_arm(armed);
    CSR_SET(sie, SIE_STIE);
}

struct task *task_alloc(const char *name)
{
    struct task *t = free_tasks;
    if (t)
        free_tasks = t->next_free;
    else if (tasks_hi < NTASK)
        t = &tasks[tasks_hi++];
    else
        return NULL;
    *t = (struct task){ .kstack = (uint8_t *)KSTACK_VA(t - tasks), .serial = ++serials };
    handle_init(t);
    snfmt(t->name, sizeof t->name, "%s", name);
    tasks_used++;
    return t;
}

void task_free(struct task *t)
{
    if (t->pt)
        uvm_free(t->pt);
    t->pt = NULL;
    t->state = TASK_UNUSED;
    t->next_free = free_tasks;
    free_tasks = t;
    tasks_used--;
}

uint64_t sched_idle_ticks(void)
{
    return idle_ticks;
}

uint32_t sched_tasks_in_use(void)
{
    return tasks_used;
}

static void kernel_task_main(void)
{
    current->entry(current->arg);
    panic("kernel task %s returned", current->name);
}

void task_start_kernel(struct task *t, void (*entry)(void *), void *arg)
{
    t->entry = entry;
    t->arg = arg;
    t->ctx.ra = (uint64_t)kernel_task_main;
    t->ctx.sp = (uint64_t)(t->kstack + KSTACK_SIZE);
    make_runnable(t, false);
}

void task_start_user(struct task *t, uint64_t entry_pc, uint64_t sp, uint64_t a0)
{
    uint64_t top = (uint64_t)(t->kstack + KSTACK_SIZE) - sizeof(struct trapframe);
    t->tf = (struct trapframe *)(top & ~15UL);
    *t->tf = (struct trapframe){ .sepc = entry_pc, .kernel_sp = (uint64_t)t->tf };
    t->tf->sp = sp;
    t->tf->a0 = a0;
    t->ctx.ra = (uint64_t)user_resume;   /* trapvec.S */
    t->ctx.sp = (uint64_t)t->tf;
    make_runnable(t, false);
    if (t->top_level) {
        if (apps_started == 0) {
            first_app = t;
            snfmt(first_name, sizeof first_name, "%s", t->name);
        }
        apps_started++;
        apps_live++;
    }
}

bool task_runs(const struct task *t, uint64_t serial)
{
    return t != NULL && t->serial == serial && t->state != TASK_UNUSED && t->state != TASK_ZOMBIE;
}

bool task_is_first(const struct task *t)
{
    return t == first_app;
}

void task_adopt(struct task *parent, struct task *child)
{
    child->parent = parent;
    if (parent)
        list_push(&parent->children, &child->sibling);
}

/* What t leaves when it ends (the ends it made that others hold or that
 * are in flight, the messages it sent that wait in queues, the service
 * clients it asked for) passes to its parent, which spawned it and pays
 * for it; t's children pass to that parent too. */
static void pass_account(struct task *t)
{
    struct task *heir = t->parent;
    if (heir)
        list_remove(&heir->children, &t->sibling);
    for (struct list_node *n; (n = list_pop(&t->children)) != NULL;)
        task_adopt(heir, container_of(n, struct task, sibling));
    services_pass(t, heir);
    chan_pass(t, heir);
    t->parent = NULL;
}

/* What exit and kill share: the verdict, the handles, the kill link, what
 * is left on its account, the deadline; the task is a zombie afterwards. */
static void task_end(struct task *t, int code)
{
    if (t == first_app) {
        verdict = code != 0;
        first_app = NULL;   /* its slot may serve another app: that one is not first */
    }
    if (t->top_level)
        apps_live--;
    handle_close_all(t);
    if (t->parent_end) {
        /* Its end of the spawn channel, if it moved that away: cut where it
         * is, so nobody goes on talking to the parent as the child. */
        if (t->parent_end->peer)
            chan_sever(t->parent_end->peer);
        t->parent_end->child = NULL;
    }
    t->parent_end = NULL;
    pass_account(t);
    heap_remove(&deadlines, &t->deadline);
    rq_remove(t);
    t->rx.armed = false;
    t->state = TASK_ZOMBIE;
}

void task_exit(int code)
{
    struct task *t = current;
    task_end(t, code);
    swtch(&t->ctx, &sched_ctx);
    panic("task_exit: zombie %s ran", t->name);
}

/* Back to the scheduler; returns when this task is picked again. */
static void sched_switch(void)
{
    swtch(&current->ctx, &sched_ctx);
}

void sched_yield(void)
{
    make_runnable(current, false);
    sched_switch();
}

static void timer_rearm(void)
{
    uint64_t t = next_tick;
    struct heap_node *soonest = heap_min(&deadlines);
    if (soonest && soonest->key < t)
        t = soonest->key;
    if (t != armed) {
        armed = t;
        timer_arm(t);
    }
}

/* The bookkeeping of switching from the current task, which has just
 * blocked, straight to t (on no run queue): what the scheduler would do,
 * without its pass. trapvec.S makes the switch (sched_pending). */
static void switch_prepare(struct task *t)
{
    struct task *from = current;   /* its run time needs no count: a wake-up starts it afresh */
    current = t;
    t->state = TASK_RUNNING;
    uvm_switch(t->pt);
    t->picked_at = r_time();
    sched_pending = (struct sched_switch){ &from->ctx, &t->ctx };
}

void sched_set_deadline(struct task *t, uint64_t deadline)
{
    if (deadline == 0) {
        heap_remove(&deadlines, &t->deadline);
        return;
    }
    if (heap_contains(&t->deadline) && t->deadline.key == deadline)
        return;
    heap_set(&deadlines, &t->deadline, deadline);
    if (deadline < armed)
        timer_rearm();
}

/* The current task waits: what sched_block and sched_block_cont share. */
static void block_prepare(struct chan_end *wait_end, bool poll, uint64_t deadline)
{
    struct task *t = current;
    t->wait_end = wait_end;
    t->wait_poll = poll;
    t->state = TASK_BLOCKED;
    if (deadline)   /* the same as before (a reactor's block(check)) stays where it is */
        sched_set_deadline(t, deadline);
}

bool sched_block_cont(struct chan_end *wait_end, bool poll, uint64_t deadline, struct task *next)
{
    if (deadline && r_time() >= deadline)
        return false;
    block_prepare(wait_end, poll, deadline);
    if (next && next->state == TASK_RUNNABLE && next->pt && !service_woken) {
        rq_remove(next);
        switch_prepare(next);
    } else {
        sched_pending = (struct sched_switch){ &current->ctx, &sched_ctx };
    }
    return true;
}

bool sched_block(struct chan_end *wait_end, bool poll, uint64_t deadline)
{
    struct task *t = current;
    if (deadline && r_time() >= deadline)
        return true;
    block_prepare(wait_end, poll, deadline);
    sched_switch();
    t->wait_end = NULL;
    t->wait_poll = false;
    return deadline && r_time() >= deadline;
}

/* A blocked task can run again; it goes ahead of tasks the tick preempted. */
void sched_wake(struct task *t)
{
    wakes++;
    t->rx.armed = false;   /* armed: blocked, as the fast path reads it */
    /* Its deadline stays in the heap: a task that blocks again with the
     * same one (a reactor's) moves it in place, and timer_intr drops it
     * when it passes. */
    t->ran = 0;   /* it waited: its run counts afresh */
    make_runnable(t, true);
    if (t->pt == NULL)
        service_woken = true;
}

/* t, blocked by sched_block_cont, resumes in user mode, its syscall done. */
static void done_prepare(struct task *t)
{
    t->ctx.ra = (uint64_t)user_resume;   /* trapvec.S: its trapframe is its stack */
    t->wait_end = NULL;
    t->wait_poll = false;
    t->rx.armed = false;
}

void sched_wake_done(struct task *t)
{
    done_prepare(t);
    sched_wake(t);
}

int64_t sched_block_done_to(struct task *t, struct chan_end *wait_end, bool poll, uint64_t deadline)
{
    block_prepare(wait_end, poll, deadline);
    done_prepare(t);
    if (heap_contains(&t->deadline))
        heap_remove(&deadlines, &t->deadline);
    t->ran = 0;   /* it waited: its run counts afresh */
    switch_prepare(t);
    return 0;
}

void sched_run_services(void)
{
    service_woken = false;
    resume_first = current;
    sched_yield();
}

enum timer_verdict timer_intr(void)
{
    uint64_t now = r_time();
    enum timer_verdict v = TIMER_RUN_ON;
    uint64_t woken = wakes;
    for (struct heap_node *d; (d = heap_min(&deadlines)) && d->key <= now;) {
        struct task *t = container_of(d, struct task, deadline);
        if (t->state != TASK_BLOCKED || t->on_deadline == NULL) {
            heap_remove(&deadlines, d);   /* passed: it wakes, or it woke before (wake leaves it) */
            if (t->state == TASK_BLOCKED)
                sched_wake(t);
            continue;
        }
        /* A kernel service's deadline: its work (a timer's expiries, say)
         * is done here, with no switch to the service and back; the apps
         * it answers wake. The interrupt comes only from U-mode or the idle
         * loop, so no kernel code is half-way through anything. */
        uint64_t next = t->on_deadline(t->arg, now);
        if (next)
            heap_set(&deadlines, d, next > now ? next : now + 1);
        else
            heap_remove(&deadlines, d);
    }
    if (wakes != woken)
        v = TIMER_STEP_ASIDE;
    if (now >= next_tick) {
        while (next_tick <= now)
            next_tick += TICK_TICKS;
        v = TIMER_QUANTUM;
    }
    armed = 0;   /* fired: always re-arm */
    timer_rearm();
    return v;
}

void sched_preempt(enum timer_verdict v)
{
    if (v == TIMER_RUN_ON)
        return;
    bool waits_often = current->ran + (r_time() - current->picked_at) < WOKEN_GRACE_US * TICKS_PER_US;
    make_runnable(current, v == TIMER_STEP_ASIDE && waits_often);
    sched_switch();
}

void task_kill(struct task *t)
{
    if (t == current)
        panic("task_kill: %s kills itself", t->name);
    task_end(t, -1);
    task_free(t);
}

/* Kernel services first (they run briefly, until they block), then the app
 * that stepped aside for them, then apps woken from blocking in the order
 * they woke, then the apps the tick preempted or that yielded, round-robin.
 * O(1): nothing here scans the task table. */
static struct task *pick_next(void)
{
    struct task *t = rq_pop(&rq_services), *r = resume_first;
    if (t)
        return t;
    resume_first = NULL;
    if (r && r->state == TASK_RUNNABLE) {
        rq_remove(r);
        return r;
    }
    if ((t = rq_pop(&rq_woken)) != NULL)
        return t;
    return rq_pop(&rq_apps);
}

void scheduler(void)
{
    for (;;) {
        if (apps_started > 0 && apps_live == 0) {   /* spawned apps still running end here */
            kprintf("kernel: the apps named in bootargs finished, %s's verdict: %s; powering off\n",
                    first_name, verdict ? "fail" : "pass");
            sbi_shutdown(verdict);
        }
        struct task *t = pick_next();
        if (t == NULL) {
            /* Idle. wfi wakes on a pending interrupt even with SIE clear,
             * so the interrupts stay masked: the timer, the one enabled,
             * is served here, without a trap, and nothing can slip in
             * between the look at the run queues and wfi. Idle ends when
             * wfi does: the interrupt's work (a timer's expiries) is not
             * idle time. */
            uint64_t t0 = r_time();
            __asm__ volatile("wfi");
            idle_ticks += r_time() - t0;
            if (CSR_READ(sip) & SIP_STIP)
                timer_intr();   /* re-arms the comparator: no longer pending */
            continue;
        }
        current = t;
        t->state = TASK_RUNNING;
        if (t->pt)
            uvm_switch(t->pt);
        t->picked_at = r_time();
        swtch(&sched_ctx, &t->ctx);
        t = current;   /* the task that came back: tasks may have switched among themselves */
        t->ran += r_time() - t->picked_at;
        current = NULL;
        if (t->state == TASK_ZOMBIE) {
            kvm_switch();
            task_free(t);
        }
    }
}
