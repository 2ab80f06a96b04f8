#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"   /* generated: kernel_error */
#include "param.h"

struct fdt_info {
    uint64_t mem_base, mem_size;      /* the first /memory node's first range */
    char bootargs[BOOTARGS_MAX];      /* /chosen/bootargs, "" when absent */
    bool sstc;                        /* a cpu's riscv,isa names Sstc (stimecmp) */
};

/* Reads memory, bootargs and Sstc from the flattened device tree at dtb;
 * returns 0, or -1 (with a reason printed) when the tree is unusable. */
int fdt_parse(const void *dtb, struct fdt_info *out);
#endif
