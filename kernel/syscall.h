#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel_syscalls.h"   /* generated */
#include "sched.h"

/* An unknown syscall number (trapvec.S): counted for kstat, never printed
 * (an app could flood the console with them); -NO_SYSCALL. */
int64_t syscall_unknown(void);
/* After a syscall woke a kernel service (trapvec.S): it runs now, unless
 * the app blocked and is switched away anyway. */
void syscall_services(void);

/* Where an app blocked in call or reply_recv starts over when woken with
 * nothing done for it (trapvec.S's rx_resume): looks again. */
void rx_resumed(void);

/* A kernel service's message of len bytes on e (no handles) handed
 * straight to the app waiting in call or reply_recv at e's peer, as the
 * fast path hands over an app's (its receive completed, the app woken,
 * nothing queued, nothing charged, traced): true, or false when no app
 * waits so (the message takes the queue). */
struct chan_end;
bool syscall_hand_over(struct chan_end *e, const void *msg, uint64_t len);

/* A syscall's end on the way back to user mode: rc in a0 (an app that
 * blocked, sched_block_cont, gets its result when it is woken), and a
 * woken service runs first unless the app is switched away anyway. */
static inline void syscall_finish(struct trapframe *tf, int64_t rc)
{
    tf->a0 = (uint64_t)rc;
    if (service_woken)
        syscall_services();
}
#endif
