# OpenSBI jumps here in S-mode with a0 = hart id, a1 = device tree address.
# Set up the boot stack and call main(hartid, dtb); main never returns.
        .section .text.entry
        .globl _entry
_entry:
        la sp, boot_stack_top
        csrw sscratch, zero
        call main
1:      wfi
        j 1b

        .section .bss.stack
        .balign 16
boot_stack:
        .space 16384
boot_stack_top:
