# OpenSBI jumps here in S-mode with a0 = hart id, a1 = device tree address.
# Set up the boot stack and call main(hartid, dtb); main never returns.
        .section .text.entry
        .globl _entry
_entry:
        la t0, bss_start                # zero .bss (the loader need not)
        la t1, bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        addi t0, t0, 8
        j 1b
2:      la sp, boot_stack_top
        csrw sscratch, zero
        call main
3:      wfi
        j 3b

        .section .bss.stack
        .balign 16
boot_stack:
        .space 16384
boot_stack_top:
