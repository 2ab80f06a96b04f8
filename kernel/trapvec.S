# The one S-mode trap entry (stvec). sscratch holds the current app's
# trapframe while it runs in U-mode and 0 while the kernel runs, so one
# swap tells the two apart.
#
# struct trapframe: x0..x31 at 8*i (x0's slot unused), sepc at 256,
# the task's kernel stack top at 264. kernelvec builds the same layout on
# the kernel stack so that kerneltrap() can print every register.

        .section .text
        .globl trapvec
        .balign 4
trapvec:
        csrrw sp, sscratch, sp
        bnez sp, uservec
        csrrw sp, sscratch, sp          # from the kernel: back to its sp, sscratch = 0
        j kernelvec

uservec:                                # sp = trapframe, sscratch = user sp
        sd x1, 8(sp)
        sd x3, 24(sp)
        sd x4, 32(sp)
        sd x5, 40(sp)
        sd x6, 48(sp)
        sd x7, 56(sp)
        sd x8, 64(sp)
        sd x9, 72(sp)
        sd x10, 80(sp)
        sd x11, 88(sp)
        sd x12, 96(sp)
        sd x13, 104(sp)
        sd x14, 112(sp)
        sd x15, 120(sp)
        sd x16, 128(sp)
        sd x17, 136(sp)
        sd x18, 144(sp)
        sd x19, 152(sp)
        sd x20, 160(sp)
        sd x21, 168(sp)
        sd x22, 176(sp)
        sd x23, 184(sp)
        sd x24, 192(sp)
        sd x25, 200(sp)
        sd x26, 208(sp)
        sd x27, 216(sp)
        sd x28, 224(sp)
        sd x29, 232(sp)
        sd x30, 240(sp)
        sd x31, 248(sp)
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
        ld x1, 8(a0)
        ld x2, 16(a0)
        ld x3, 24(a0)
        ld x4, 32(a0)
        ld x5, 40(a0)
        ld x6, 48(a0)
        ld x7, 56(a0)
        ld x8, 64(a0)
        ld x9, 72(a0)
        ld x11, 88(a0)
        ld x12, 96(a0)
        ld x13, 104(a0)
        ld x14, 112(a0)
        ld x15, 120(a0)
        ld x16, 128(a0)
        ld x17, 136(a0)
        ld x18, 144(a0)
        ld x19, 152(a0)
        ld x20, 160(a0)
        ld x21, 168(a0)
        ld x22, 176(a0)
        ld x23, 184(a0)
        ld x24, 192(a0)
        ld x25, 200(a0)
        ld x26, 208(a0)
        ld x27, 216(a0)
        ld x28, 224(a0)
        ld x29, 232(a0)
        ld x30, 240(a0)
        ld x31, 248(a0)
        ld x10, 80(a0)
        sret

# A trap taken in S-mode: save everything on the current stack, call
# kerneltrap(frame), restore, return.
        .balign 4
kernelvec:
        addi sp, sp, -272
        sd x1, 8(sp)
        sd x3, 24(sp)
        sd x4, 32(sp)
        sd x5, 40(sp)
        sd x6, 48(sp)
        sd x7, 56(sp)
        sd x8, 64(sp)
        sd x9, 72(sp)
        sd x10, 80(sp)
        sd x11, 88(sp)
        sd x12, 96(sp)
        sd x13, 104(sp)
        sd x14, 112(sp)
        sd x15, 120(sp)
        sd x16, 128(sp)
        sd x17, 136(sp)
        sd x18, 144(sp)
        sd x19, 152(sp)
        sd x20, 160(sp)
        sd x21, 168(sp)
        sd x22, 176(sp)
        sd x23, 184(sp)
        sd x24, 192(sp)
        sd x25, 200(sp)
        sd x26, 208(sp)
        sd x27, 216(sp)
        sd x28, 224(sp)
        sd x29, 232(sp)
        sd x30, 240(sp)
        sd x31, 248(sp)
        addi t0, sp, 272
        sd t0, 16(sp)
        csrr t0, sepc
        sd t0, 256(sp)
        mv a0, sp
        call kerneltrap
        ld t0, 256(sp)
        csrw sepc, t0
        ld x1, 8(sp)
        ld x3, 24(sp)
        ld x4, 32(sp)
        ld x5, 40(sp)
        ld x6, 48(sp)
        ld x7, 56(sp)
        ld x8, 64(sp)
        ld x9, 72(sp)
        ld x10, 80(sp)
        ld x11, 88(sp)
        ld x12, 96(sp)
        ld x13, 104(sp)
        ld x14, 112(sp)
        ld x15, 120(sp)
        ld x16, 128(sp)
        ld x17, 136(sp)
        ld x18, 144(sp)
        ld x19, 152(sp)
        ld x20, 160(sp)
        ld x21, 168(sp)
        ld x22, 176(sp)
        ld x23, 184(sp)
        ld x24, 192(sp)
        ld x25, 200(sp)
        ld x26, 208(sp)
        ld x27, 216(sp)
        ld x28, 224(sp)
        ld x29, 232(sp)
        ld x30, 240(sp)
        ld x31, 248(sp)
        addi sp, sp, 272
        sret
