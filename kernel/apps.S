# The guest apps' ELF files, built into the kernel image (see apps.c).
# The assembler finds them through -I (kernel/kernel.ninja: the apps built
# with the same generated code as the kernel).
        .macro APP name
        .section .rodata.apps, "a"
        .balign 16
        .globl app_\name\()_start
        .globl app_\name\()_end
app_\name\()_start:
        .incbin "\name\().elf"
app_\name\()_end:
        .endm

        APP demo
        APP reactor
        APP timerbench
        APP ktest
        APP khelper
        APP kbench
