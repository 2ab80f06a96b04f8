/* The scheduler: kernel services first, apps round-robin, preempted on a
 * regular tick of TIMER_TICK_US, and deadlines. The one comparator is always
 * armed for the soonest of the next tick and the earliest deadline of a
 * blocked task; a deadline never moves the tick. */
#include "sched.h"
#include "chan.h"
#include "printf.h"
#include "sbi.h"
#include "timer.h"      /* generated: TICKS_PER_US, TIMER_TICK_US */
#include "vm.h"

#define TICK_TICKS (TIMER_TICK_US * TICKS_PER_US)

struct task *current;
static struct task tasks[NTASK];
static uint8_t kstacks[NTASK][KSTACK_SIZE] __attribute__((aligned(16)));
static int tasks_hi;               /* tasks[tasks_hi..] have never been used */
static struct context sched_ctx;
static uint64_t next_tick;        /* rdtime of the next regular tick */
static uint64_t armed;            /* what the comparator is set to */
static int apps_failed;           /* top-level apps that did not exit 0 */
static int apps_started;
static bool use_sstc;             /* stimecmp is ours to write */
static bool service_woken;        /* a kernel service became runnable */
static struct task *resume_first; /* the app that stepped aside for a service */

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
void usertrapret(void) __attribute__((noreturn));

void sched_init(bool sstc)
{
    use_sstc = sstc;
    next_tick = r_time() + TICK_TICKS;
    armed = next_tick;
    timer_arm(armed);
    CSR_SET(sie, SIE_STIE);
}

struct task *task_alloc(const char *name)
{
    for (int i = 0; i < NTASK; i++) {
        struct task *t = &tasks[i];
        if (t->state != TASK_UNUSED)
            continue;
        *t = (struct task){ .id = i, .kstack = kstacks[i] };
        if (i >= tasks_hi)
            tasks_hi = i + 1;
        snfmt(t->name, sizeof t->name, "%s", name);
        return t;
    }
    return NULL;
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
    t->state = TASK_RUNNABLE;
}

static void user_task_main(void)
{
    usertrapret();
}

void task_start_user(struct task *t, uint64_t entry_pc, uint64_t sp, uint64_t a0)
{
    uint64_t top = (uint64_t)(t->kstack + KSTACK_SIZE) - sizeof(struct trapframe);
    t->tf = (struct trapframe *)(top & ~15UL);
    *t->tf = (struct trapframe){ .sepc = entry_pc, .kernel_sp = (uint64_t)t->tf };
    t->tf->regs[2] = sp;
    t->tf->regs[10] = a0;
    t->ctx.ra = (uint64_t)user_task_main;
    t->ctx.sp = (uint64_t)t->tf;
    t->state = TASK_RUNNABLE;
    if (t->top_level)
        apps_started++;
}

static void note_exit(struct task *t, int code)
{
    if (t->top_level && code != 0)
        apps_failed++;
}

void task_exit(int code)
{
    struct task *t = current;
    note_exit(t, code);
    for (uint32_t h = 0; h < MAX_HANDLES; h++) {
        if (t->handles[h]) {
            chan_close(t->handles[h]);
            t->handles[h] = NULL;
        }
    }
    t->state = TASK_ZOMBIE;
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
    current->state = TASK_RUNNABLE;
    sched_switch();
}

static void timer_rearm(void)
{
    uint64_t t = next_tick;
    for (int i = 0; i < tasks_hi; i++)
        if (tasks[i].state == TASK_BLOCKED && tasks[i].deadline && tasks[i].deadline < t)
            t = tasks[i].deadline;
    if (t != armed) {
        armed = t;
        timer_arm(t);
    }
}

bool sched_block(struct chan_end *wait_end, bool poll, uint64_t deadline)
{
    struct task *t = current;
    if (deadline && r_time() >= deadline)
        return true;
    t->wait_end = wait_end;
    t->wait_poll = poll;
    t->deadline = deadline;
    t->state = TASK_BLOCKED;
    if (deadline && deadline < armed)
        timer_rearm();
    sched_switch();
    t->wait_end = NULL;
    t->wait_poll = false;
    t->deadline = 0;
    return deadline && r_time() >= deadline;
}

/* A blocked task can run again; it goes ahead of tasks the tick preempted. */
static void wake(struct task *t)
{
    t->state = TASK_RUNNABLE;
    t->woken = true;
    if (t->pt == NULL)
        service_woken = true;
}

void sched_wakeup(struct chan_end *e)
{
    struct task *t = e->owner;
    if (t == NULL || t->state != TASK_BLOCKED)
        return;
    if (t->wait_end == e || (t->wait_poll && e->polled))
        wake(t);
}

void sched_yield_to_services(void)
{
    if (!service_woken)
        return;
    service_woken = false;
    resume_first = current;
    sched_yield();
}

bool timer_intr(void)
{
    uint64_t now = r_time();
    bool resched = false;
    if (now >= next_tick) {
        while (next_tick <= now)
            next_tick += TICK_TICKS;
        resched = true;
    }
    for (int i = 0; i < tasks_hi; i++) {
        struct task *t = &tasks[i];
        if (t->state == TASK_BLOCKED && t->deadline && t->deadline <= now) {
            wake(t);
            resched = true;
        }
    }
    armed = 0;   /* fired: always re-arm */
    timer_rearm();
    return resched;
}

/* Apps not yet finished. */
static uint64_t live_apps(void)
{
    uint64_t n = 0;
    for (int i = 0; i < tasks_hi; i++)
        if (tasks[i].pt && tasks[i].state != TASK_UNUSED && tasks[i].state != TASK_ZOMBIE)
            n++;
    return n;
}

/* Frees what a finished task held; its stack is not in use any more. */
static void reap(struct task *t)
{
    if (t->pt) {
        kvm_switch();
        uvm_free(t->pt);
    }
    t->state = TASK_UNUSED;
    t->pt = NULL;
}

/* Kernel services first (they run briefly, until they block), then the app
 * that stepped aside for them, then apps just woken from blocking, then the
 * apps round-robin from the one after the last picked. */
static struct task *pick_next(int *last)
{
    for (int i = 0; i < tasks_hi; i++)
        if (tasks[i].state == TASK_RUNNABLE && tasks[i].pt == NULL)
            return &tasks[i];
    struct task *r = resume_first;
    resume_first = NULL;
    if (r && r->state == TASK_RUNNABLE)
        return r;
    for (int k = 1; k <= tasks_hi; k++) {
        struct task *t = &tasks[(*last + k) % tasks_hi];
        if (t->state == TASK_RUNNABLE && t->woken)
            return t;
    }
    for (int k = 1; k <= tasks_hi; k++) {
        int i = (*last + k) % tasks_hi;
        if (tasks[i].state == TASK_RUNNABLE) {
            *last = i;
            return &tasks[i];
        }
    }
    return NULL;
}

void scheduler(void)
{
    int last = 0;
    for (;;) {
        struct task *t = pick_next(&last);
        if (t == NULL) {
            if (apps_started > 0 && live_apps() == 0) {
                kprintf("kernel: all apps finished, %d failed; powering off\n", apps_failed);
                sbi_shutdown(apps_failed != 0);
            }
            /* Idle. wfi wakes on a pending interrupt even with SIE clear,
             * so enabling only afterwards cannot lose a wake-up taken
             * between intr_on and wfi. */
            __asm__ volatile("wfi");
            intr_on();
            intr_off();
            continue;
        }
        current = t;
        t->state = TASK_RUNNING;
        t->woken = false;
        if (t->pt)
            uvm_switch(t->pt);
        swtch(&sched_ctx, &t->ctx);
        current = NULL;
        if (t->state == TASK_ZOMBIE)
            reap(t);
    }
}
