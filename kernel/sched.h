/* Tasks and the scheduler: preemptive round-robin on a regular tick, plus
 * blocking with an optional deadline. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include "chan.h"
#include "kernel.h"     /* generated: MAX_HANDLES, quotas */
#include "lib/heap.h"
#include "lib/list.h"
#include "param.h"
#include "services.h"   /* generated: SERVICE_COUNT */
#include "riscv.h"

struct chan_end;

/* What a trap saves of an app: x0..x31 (by ABI name, or as regs[i]), sepc,
 * and where its kernel stack is (offsets fixed by trapvec.S). */
struct trapframe {
    union {
        uint64_t regs[32];
        struct {
            uint64_t zero, ra, sp, gp, tp, t0, t1, t2, s0, s1;
            uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
            uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, t3, t4, t5, t6;
        };
    };
    uint64_t sepc;
    uint64_t kernel_sp;
};
_Static_assert(__builtin_offsetof(struct trapframe, a7) == 8 * 17, "trapframe: x17 is a7");
_Static_assert(__builtin_offsetof(struct trapframe, sepc) == 256, "trapframe: sepc (trapvec.S)");

/* What an app has on its account against the schema's quotas. When the
 * app ends, what is left on it passes to its heir (task_end), so a task
 * slot is free as soon as its app has ended. */
struct quota_use {
    uint32_t ends;      /* APP_MAX_ENDS */
    uint32_t queued;    /* APP_MAX_QUEUED */
    uint32_t clients;   /* service clients, all services together */
    uint32_t service_clients[SERVICE_COUNT];   /* by SERVICE_ID_name (each service's app_quota) */
    struct list end_list, msg_list;            /* the ends and messages charged (chan.c) */
};

/* Callee-saved registers for swtch.S, and an app's gp and tp (trapvec.S). */
struct context {
    uint64_t ra, sp, s[12], gp, tp;
};
_Static_assert(__builtin_offsetof(struct context, tp) == 120, "context: tp (swtch.S)");

enum task_state { TASK_UNUSED, TASK_RUNNABLE, TASK_RUNNING, TASK_BLOCKED, TASK_ZOMBIE };

/* One app or kernel service. Only the hart touches it, with interrupts off
 * while in the kernel, so there are no locks. */
struct task {
    enum task_state state;
    uint64_t serial;                        /* which task this is (slots are reused): 1, 2, ... */
    char name[16];
    struct context ctx;
    uint8_t *kstack;                        /* KSTACK_SIZE bytes, one per task slot */
    pagetable_t pt;                         /* NULL for a kernel service */
    struct trapframe *tf;                   /* apps only, at the top of kstack */
    struct chan_end *handles[MAX_HANDLES];  /* the app's channel handles */
    uint64_t handles_free[(MAX_HANDLES + 63) / 64];   /* bit h: handles[h] is free */
    uint32_t nhandles;                      /* handles in use */
    uint32_t npolled;                       /* ends in the poll set */
    struct list ready;                      /* polled ends that are ready, oldest first (chan.c) */
    struct quota_use use;
    bool top_level;                         /* started from bootargs */
    struct chan_end *parent_end;            /* spawned: the parent's end of the spawn channel (kill) */
    struct task *next_free;                 /* while unused: the next free slot (task_alloc) */
    struct task *parent;                    /* who pays for what it leaves: the app that spawned it, or
                                               that app's heir once it ended; NULL: nobody */
    struct list children;                   /* the running apps whose parent it is */
    struct list_node sibling;               /* ... its place in its parent's */
    /* while blocked in call or reply_recv (a continuation: its kernel stack
     * is not kept, see sched_block_cont), the receive it waits for: */
    struct {
        bool armed;                         /* waiting in call (end) or reply_recv (poll) */
        bool regs;                          /* the register form: a message handed over goes to tf */
        struct chan_end *end;               /* call's end; NULL: reply_recv's poll set */
        uint64_t deadline;                  /* 0: none */
        uint64_t io;                        /* the user's struct chan_io */
        uint64_t buf, cap, caps;            /* its buffer (checked writable), or the register form's cap;
                                               where the handles go */
    } rx;
    /* while blocked: */
    struct chan_end *wait_end;              /* woken by activity on this end */
    bool wait_poll;                         /* ... or on any end with polled set */
    struct heap_node deadline;              /* in the deadline heap while blocked with one */
    struct list *rq;                        /* the run queue it waits in, if runnable */
    struct list_node rq_node;               /* ... its place there */
    uint64_t ran;                           /* rdtime ticks run since it last blocked */
    uint64_t picked_at;                     /* rdtime it was last picked to run */
    /* kernel services: */
    void (*entry)(void *);
    void *arg;
    /* Run by the timer interrupt, in place of waking the task, when its
     * deadline passes while it blocks: does what is due at now and returns
     * its next deadline (0: none). NULL: the task is woken. */
    uint64_t (*on_deadline)(void *arg, uint64_t now);
    /* Run by a sender, in place of queuing its message and waking the
     * task, when the task blocks with nothing queued on the end e it is
     * sent to (chan.h, chan_msg_new): takes the message (len bytes, no
     * caps; sender: the account chan_msg_new was given). NULL: queued. */
    void (*on_message)(void *arg, struct chan_end *e, const uint8_t *msg, uint32_t len, struct task *sender);
};

extern struct task *current;

/* Starts the regular tick; sstc: arm the timer by writing stimecmp directly
 * instead of calling SBI. */
void sched_init(bool sstc);
/* Never returns: runs tasks round-robin, idles in wfi when none can run,
 * and powers off when no app is left. */
void scheduler(void) __attribute__((noreturn));
/* A free slot (its last app's account passed on when it ended), the most
 * recently freed first, or NULL; O(1). */
struct task *task_alloc(const char *name);
/* Gives back the slot of t, which never ran or has ended: its page table
 * freed (it is not the one in satp). */
void task_free(struct task *t);
void task_start_kernel(struct task *t, void (*entry)(void *), void *arg);
void task_start_user(struct task *t, uint64_t entry_pc, uint64_t sp, uint64_t a0);
/* child is an app that parent spawned (it pays for what child leaves). */
void task_adopt(struct task *parent, struct task *child);
/* Frees the handles and marks the task for reaping; does not return. */
void task_exit(int code) __attribute__((noreturn));
/* Ends app t (not the caller) at once, wherever it was blocked. */
void task_kill(struct task *t);
/* Whether t is still the task numbered serial and has not ended. */
bool task_runs(const struct task *t, uint64_t serial);
/* The first app named in bootargs: the one whose verdict ends the run. */
bool task_is_first(const struct task *t);
/* Task slots in use, and rdtime ticks spent idle (kstat). */
uint32_t sched_tasks_in_use(void);
uint64_t sched_idle_ticks(void);

void sched_yield(void);
/* If a syscall woke a kernel service, lets it run now; the calling app
 * resumes right after, keeping its turn. */
extern bool service_woken;
void sched_run_services(void);
static inline void sched_yield_to_services(void)
{
    if (service_woken)
        sched_run_services();
}
/* Sleeps until wakeup() names wait_end, or (poll) a polled end of ours,
 * or rdtime reaches deadline (0: none). Returns true if the deadline passed. */
bool sched_block(struct chan_end *wait_end, bool poll, uint64_t deadline);
/* A switch trapvec.S makes on the way out of a trap (sched_pending, which
 * it clears): from NULL, back to the app that trapped; else its registers
 * go to from, with its trapframe as its stack and rx_resume as where it
 * resumes, and the task whose context is to runs. */
struct sched_switch {
    struct context *from, *to;
};
_Static_assert(__builtin_offsetof(struct sched_switch, to) == 8, "sched_switch: to (trapvec.S)");
extern struct sched_switch sched_pending;
/* Blocks the current app as sched_block does, but as a continuation: this
 * returns at once (false, doing nothing, if the deadline has passed) and
 * the app is switched out on the way back to user mode, keeping no kernel
 * stack; when it runs again it starts over in rx_resume (syscall.c), or,
 * if its receive was completed meanwhile (sched_wake_done), straight in
 * user mode. next, a task just woken (NULL: none), runs in its place
 * without a pass through the scheduler. */
bool sched_block_cont(struct chan_end *wait_end, bool poll, uint64_t deadline, struct task *next);
/* t, blocked by sched_block_cont, has had its syscall completed (its
 * result is in its trapframe): it is woken to resume in user mode. */
void sched_wake_done(struct task *t);
/* The fast path's switch (syscall.c): the current app blocks as
 * sched_block_cont(wait_end, poll, deadline, t) would, its deadline not
 * passed, and t, blocked by sched_block_cont, its syscall done, runs in its
 * place at once: sched_wake_done and the switch without the run queue.
 * Returns 0, the syscall's result for now (the app's own comes when it is
 * woken), so that the fast path can end in a tail call. */
int64_t sched_block_done_to(struct task *t, struct chan_end *wait_end, bool poll, uint64_t deadline);
/* Moves the deadline of t, blocked, to deadline (0: none), as if it had
 * blocked with it (a kernel service whose work changed while it waits). */
void sched_set_deadline(struct task *t, uint64_t deadline);
/* Wakes t, blocked: runnable, its deadline left for timer_intr. */
void sched_wake(struct task *t);
/* A channel end had activity: wakes its owner if it waits for it
 * (inline: a send and a receive end with it). */
static inline void sched_wakeup(struct chan_end *e)
{
    struct task *t = e->owner;
    if (t && t->state == TASK_BLOCKED && (t->wait_end == e || (t->wait_poll && e->polled)))
        sched_wake(t);
}
/* Room opened in the queue e sends to: wakes e's owner only if it waits to
 * send on e (room is no poll event: a polling owner sleeps on). */
static inline void sched_wakeup_sender(struct chan_end *e)
{
    struct task *t = e->owner;
    if (t && t->state == TASK_BLOCKED && t->wait_end == e)
        sched_wake(t);
}

/* What the timer interrupt asks of the running app. */
enum timer_verdict {
    TIMER_RUN_ON,       /* nothing changed */
    TIMER_STEP_ASIDE,   /* a task woke: let it run (see sched_preempt) */
    TIMER_QUANTUM,      /* the regular tick: to the back of the preempted apps */
};
/* The timer interrupt: advances the regular tick, wakes expired deadlines,
 * re-arms the comparator. */
enum timer_verdict timer_intr(void);
/* Does what timer_intr asked of the current app. An app stepping aside
 * that has run less than WOKEN_GRACE_US since it last blocked queues among
 * the woken (FIFO); one that has run longer (it computes, it does not
 * wait) goes behind them. */
void sched_preempt(enum timer_verdict v);

#endif
