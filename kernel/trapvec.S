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
# starts from a zeroed context (userstart), so no kernel value reaches it.

# regs op, base, list: op (sd or ld) each x<i> of list at 8*i(base).
        .macro regs op, base, list:vararg
        .irp i, \list
        \op x\i, 8*\i(\base)
        .endr
        .endm
# The caller-saved registers but a0 (x10), which holds the base on the way out.
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

uservec:                                # sp = trapframe, sscratch = user sp
        regs sd, sp, CALLER_SAVED
        sd a0, 80(sp)
        csrr t0, sscratch
        sd t0, 16(sp)
        csrw sscratch, zero
        csrr t0, sepc
        sd t0, 256(sp)
        mv a0, sp
        ld sp, 264(a0)                  # the kernel stack: it starts at the trapframe
        call usertrap                   # returns once this app is to run again
        mv a0, sp
        j userret

# userstart: a new app's first run (its context's ra; sp = its trapframe,
# s0..s11, gp and tp zero from its context).
        .globl userstart
userstart:
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
