/* Tasks and the scheduler: preemptive round-robin on a regular tick, plus
 * blocking with an optional deadline. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"     /* generated: MAX_HANDLES */
#include "param.h"
#include "riscv.h"

struct chan_end;

/* What a trap saves of an app: x0..x31, sepc, and where its kernel stack is
 * (offsets fixed by trapvec.S). */
struct trapframe {
    uint64_t regs[32];
    uint64_t sepc;
    uint64_t kernel_sp;
};

/* Callee-saved registers for swtch.S. */
struct context {
    uint64_t ra, sp, s[12];
};

enum task_state { TASK_UNUSED, TASK_RUNNABLE, TASK_RUNNING, TASK_BLOCKED, TASK_ZOMBIE };

/* One app or kernel service. Only the hart touches it, with interrupts off
 * while in the kernel, so there are no locks. */
struct task {
    enum task_state state;
    char name[16];
    int id;
    struct context ctx;
    uint8_t *kstack;                        /* KSTACK_SIZE bytes, one per task slot */
    pagetable_t pt;                         /* NULL for a kernel service */
    struct trapframe *tf;                   /* apps only, at the top of kstack */
    struct chan_end *handles[MAX_HANDLES];  /* the app's channel handles */
    bool top_level;                         /* started from bootargs: its exit code counts */
    struct chan_end *parent_end;            /* spawned: our end towards the parent (in handles[1]) */
    /* while blocked: */
    struct chan_end *wait_end;              /* woken by activity on this end */
    bool wait_poll;                         /* ... or on any end with polled set */
    uint64_t deadline;                      /* rdtime ticks, 0 = none */
    bool woken;                             /* runnable again after blocking: runs before the tick-preempted */
    /* kernel services: */
    void (*entry)(void *);
    void *arg;
};

extern struct task *current;

/* Starts the regular tick; sstc: arm the timer by writing stimecmp directly
 * instead of calling SBI. */
void sched_init(bool sstc);
/* Never returns: runs tasks round-robin, idles in wfi when none can run,
 * and powers off when no app is left. */
void scheduler(void) __attribute__((noreturn));
struct task *task_alloc(const char *name);
void task_start_kernel(struct task *t, void (*entry)(void *), void *arg);
void task_start_user(struct task *t, uint64_t entry_pc, uint64_t sp, uint64_t a0);
/* Frees the handles and marks the task for reaping; does not return. */
void task_exit(int code) __attribute__((noreturn));

void sched_yield(void);
/* If a syscall woke a kernel service, lets it run now; the calling app
 * resumes right after, keeping its turn. */
void sched_yield_to_services(void);
/* Sleeps until wakeup() names wait_end, or (poll) a polled end of ours,
 * or rdtime reaches deadline (0: none). Returns true if the deadline passed. */
bool sched_block(struct chan_end *wait_end, bool poll, uint64_t deadline);
/* A channel end had activity: wakes its owner if it waits for it. */
void sched_wakeup(struct chan_end *e);

/* The timer interrupt: advances the regular tick, wakes expired deadlines,
 * re-arms the comparator. True when the running app should yield. */
bool timer_intr(void);

#endif
