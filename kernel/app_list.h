/* The apps built into the kernel image, once: X(name) for each. apps.c
 * (the table) and apps.S (the ELF files) both expand it; configure.lua reads
 * it to build build/clients/NAME.elf (from clients/DIR/NAME.c) for each. */
#ifndef KERNEL_APP_LIST_H
#define KERNEL_APP_LIST_H
#define APP_LIST(X) X(demo) X(reactor) X(timerbench) X(ktest) X(khelper) X(kbench) X(kfuzz)
#endif
