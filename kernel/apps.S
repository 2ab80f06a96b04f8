# The guest apps' ELF files (kernel/app_list.h), built into the kernel image
# (see apps.c).
# The assembler finds them through -I (build.ninja: the apps built
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

#include "app_list.h"
#define APP_INCBIN(n) APP n;
        APP_LIST(APP_INCBIN)
