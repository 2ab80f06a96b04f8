# The guest apps' ELF files, built into the kernel image (see apps.c).
# Paths are relative to the repository root, where ninja runs.
        .macro APP name
        .section .rodata.apps, "a"
        .balign 16
        .globl app_\name\()_start
        .globl app_\name\()_end
app_\name\()_start:
        .incbin "build/clients/\name\().elf"
app_\name\()_end:
        .endm

        APP demo
        APP reactor
        APP timerbench
        APP ktest
        APP khelper
        APP kfuzz
