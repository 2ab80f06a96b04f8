# The one S-mode trap entry (stvec). sscratch holds the current app's
# trapframe while it runs in U-mode and 0 while the kernel runs, so one
# swap tells the two apart.
#
# struct trapframe: x0..x31 at 8*i (x0's slot unused), sepc at 256,
# the task's kernel stack top at 264. kernelvec builds the same layout on
# the kernel stack so that kerneltrap() can print every register.

# regs op, base[, skip]: op (sd or ld) x1 and x3..x31 at 8*i(base), all but
# x<skip>; x0 and sp (x2) are the caller's business.
        .macro regs op, base, skip=0
        .irp i, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .if \i - \skip
        \op x\i, 8*\i(\base)
        .endif
        .endr
        .endm

        .section .text
        .globl trapvec
        .balign 4
trapvec:
        csrrw sp, sscratch, sp
        bnez sp, uservec
        csrrw sp, sscratch, sp          # from the kernel: back to its sp, sscratch = 0
        j kernelvec

uservec:                                # sp = trapframe, sscratch = user sp
        regs sd, sp
        csrr t0, sscratch
        sd t0, 16(sp)
        csrw sscratch, zero
        csrr t0, sepc
        sd t0, 256(sp)
        mv a0, sp
        ld sp, 264(a0)
        call usertrap                   # does not return: it ends in userret

# userret(struct trapframe *tf): back to U-mode with tf's registers.
# The caller has set sstatus.SPP = 0 and SPIE = 1.
        .globl userret
userret:
        csrw sscratch, a0
        ld t0, 256(a0)
        csrw sepc, t0
        ld x2, 16(a0)
        regs ld, a0, 10
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
        regs sd, sp
        addi t0, sp, 272
        sd t0, 16(sp)
        csrr t0, sepc
        sd t0, 256(sp)
        mv a0, sp
        call kerneltrap
        ld t0, 256(sp)
        csrw sepc, t0
        regs ld, sp
        addi sp, sp, 272
        sret

        .section .bss.stack
        .balign 16
overflow_stack:
        .space 4096
overflow_stack_top:
