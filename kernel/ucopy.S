# ucopy(dst, src, n): copies n bytes between kernel memory and the user
# pages of the address space in satp, as the kernel's own loads and
# stores (sstatus.SUM is set once, in trap_init: toggling it would flush
# QEMU's whole TLB each time). Returns 0, or -1 when a user page is
# missing or lacks the permission (a load needs R, a store W): the fault
# is taken in S-mode, and kerneltrap sends a fault whose sepc lies in
# [ucopy, ucopy_end) to ucopy_fault instead of panicking. vm.c checks that
# the user range lies in the user half and within one page (so the first
# byte faults if any does: nothing is half copied). 32 bytes a step, then
# words, when both addresses are 8-aligned; else bytes.
#include "riscv.h"

        .section .text
        .globl ucopy, ucopy_fault, ucopy_end
ucopy:
        or t1, a0, a1
        andi t1, t1, 7
        bnez t1, 3f
        li t2, 32
1:      bltu a2, t2, 2f
        ld t3, 0(a1)
        ld t4, 8(a1)
        ld t5, 16(a1)
        ld t6, 24(a1)
        sd t3, 0(a0)
        sd t4, 8(a0)
        sd t5, 16(a0)
        sd t6, 24(a0)
        addi a0, a0, 32
        addi a1, a1, 32
        addi a2, a2, -32
        j 1b
2:      li t2, 8
4:      bltu a2, t2, 3f
        ld t1, 0(a1)
        sd t1, 0(a0)
        addi a0, a0, 8
        addi a1, a1, 8
        addi a2, a2, -8
        j 4b
3:      beqz a2, 5f
        lbu t1, 0(a1)
        sb t1, 0(a0)
        addi a0, a0, 1
        addi a1, a1, 1
        addi a2, a2, -1
        j 3b
5:      li a0, 0
        ret
ucopy_fault:
        li a0, -1
        ret
ucopy_end:
