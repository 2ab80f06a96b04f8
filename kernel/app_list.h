/* The apps built into the kernel image, once: X(name) for each. apps.c
 * (the table) and apps.S (the ELF files) both expand it; kernel/kernel.ninja
 * builds build/clients/NAME.elf for each. */
#ifndef KERNEL_APP_LIST_H
#define KERNEL_APP_LIST_H
#define APP_LIST(X) X(demo) X(reactor) X(timerbench) X(ktest) X(khelper) X(kbench) X(kfuzz)
#endif
