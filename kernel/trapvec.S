# The one S-mode trap entry (stvec). sscratch holds the current app's
# trapframe while it runs in U-mode and 0 while the kernel runs, so one
# swap tells the two apart.
#
# struct trapframe: x0..x31 at 8*i (x0's slot unused), sepc at 256,
# the task's kernel stack top at 264. kernelvec builds the same layout on
# the kernel stack so that kerneltrap() can print every register.
#
# A trap from U-mode saves only what the kernel's C code may change: the
# caller-saved registers (ra, t0..t6, a0..a7), sp and sepc. The rest stay
# where the app left them: s0..s11 are callee-saved, so every C function
# on the way gives them back and swtch keeps them in a task's context
# while it is switched out; gp and tp the kernel never touches (no
# __global_pointer$, no TLS), and swtch keeps them per task too. A new app
# starts from a zeroed context (user_resume), so no kernel value reaches it.

# regs op, base, list: op (sd or ld) each x<i> of list at 8*i(base).
        .macro regs op, base, list:vararg
        .irp i, \list
        \op x\i, 8*\i(\base)
        .endr
        .endm
# The caller-saved registers but a0 (x10), which holds the base on the way out.
#include "kernel_syscalls.h"   /* generated: SYSCALL_COUNT */
#include "riscv.h"             /* SCAUSE_ECALL_U */
#define CALLER_SAVED 1,5,6,7,11,12,13,14,15,16,17,28,29,30,31
#define ALL_BUT_SP 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31

        .section .text
        .globl trapvec
        .balign 4
trapvec:
        csrrw sp, sscratch, sp
        bnez sp, uservec
        csrrw sp, sscratch, sp          # from the kernel: back to its sp, sscratch = 0
        j kernelvec

uservec:                                # sp = trapframe, where the kernel stack starts; sscratch = user sp
        regs sd, sp, CALLER_SAVED
        sd a0, 80(sp)
        csrr t0, sscratch
        sd t0, 16(sp)
        csrw sscratch, zero
        csrr t0, sepc
        csrr t1, scause
        li t2, SCAUSE_ECALL_U
        bne t1, t2, 2f
        addi t0, t0, 4                  # a syscall returns past its ecall
        sd t0, 256(sp)
# A syscall: the handler of number a7 (generated/kernel_syscalls.h) is
# called with the app's a0..a5 where they are; its result goes to a0.
        li t1, SYSCALL_COUNT
        bgeu a7, t1, 3f
        la t1, syscall_table
        slli t2, a7, 3
        add t1, t1, t2
        ld t1, 0(t1)
        beqz t1, 3f
        jalr t1
1:      sd a0, 80(sp)
        la t0, service_woken            # a kernel service the syscall woke runs first
        lbu t0, 0(t0)
        beqz t0, trap_out
        call syscall_services
        j trap_out
3:      call syscall_unknown
        j 1b
2:      sd t0, 256(sp)                  # an interrupt or a fault
        mv a0, sp
        call usertrap

# trap_out: back to this app, unless its syscall blocked it as a
# continuation (sched.h, sched_pending): then its registers go to the
# context sched_pending.from, to resume at rx_resume on its trapframe (sp
# now: the kernel stack holds nothing more), and the task whose context
# is sched_pending.to runs.
trap_out:
        la t0, sched_pending
        ld a0, 0(t0)
        bnez a0, 1f
        mv a0, sp
        j userret
1:      ld a1, 8(t0)
        sd zero, 0(t0)
        la ra, rx_resume
        j swtch

# rx_resume: an app that blocked in call or reply_recv (sched_block_cont)
# runs again with nothing done for it: it looks again (syscall.c).
        .globl rx_resume
rx_resume:
        call rx_resumed
        j trap_out

# user_resume: an app's first run, or its run after its syscall was
# completed while it blocked (sched_wake_done): straight to user mode.
# sp = its trapframe; s0..s11, gp and tp come from its context (zero for a
# new app, so no kernel value reaches it).
        .globl user_resume
user_resume:
        mv a0, sp

# userret(struct trapframe *tf): back to U-mode with tf's registers.
# sstatus.SPP is 0 and SPIE 1: every sret leaves them so (trap_init sets
# them before the first).
        .globl userret
userret:
        csrw sscratch, a0
        ld t0, 256(a0)
        csrw sepc, t0
        ld x2, 16(a0)
        regs ld, a0, CALLER_SAVED
        ld x10, 80(a0)              # the base, last
        sret

# A trap taken in S-mode: save everything on the current stack, call
# kerneltrap(frame), restore, return. A frame that would land in a task
# stack's guard (memlayout.h: the top GiB, lower half of a 32 KiB window)
# means the stack overflowed: the frame goes on overflow_stack instead, and
# kerneltrap panics. sscratch is 0 in the kernel, so it can hold t0 meanwhile.
        .balign 4
kernelvec:
        csrw sscratch, t0
        addi t0, sp, -272
        srai t0, t0, 30
        addi t0, t0, 1
        bnez t0, 1f                     # not in the top GiB: no task stack
        addi t0, sp, -272
        srli t0, t0, 14
        andi t0, t0, 1
        bnez t0, 1f                     # upper half of its window: the stack
        la sp, overflow_stack_top       # in the guard: panic on a stack of its own
1:      csrrw t0, sscratch, zero
        addi sp, sp, -272
        regs sd, sp, ALL_BUT_SP
        addi t0, sp, 272
        sd t0, 16(sp)
        csrr t0, sepc
        sd t0, 256(sp)
        mv a0, sp
        call kerneltrap
        ld t0, 256(sp)
        csrw sepc, t0
        regs ld, sp, ALL_BUT_SP
        addi sp, sp, 272
        sret

        .section .bss.stack
        .balign 16
overflow_stack:
        .space 4096
overflow_stack_top:
