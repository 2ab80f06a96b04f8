/* Kernel-internal limits (the ABI's limits, and NTASK, come from
 * generated/kernel.h). */
#ifndef KERNEL_PARAM_H
#define KERNEL_PARAM_H

#define KSTACK_SIZE 16384   /* kernel stack of every task */
#define BOOTARGS_MAX 256    /* /chosen/bootargs kept from the device tree */
#define APP_ARG_MAX 128     /* argument string handed to an app */

#endif
