#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <stdint.h>
#include "kernel_syscalls.h"   /* generated */

/* Runs syscall num for the current app through the generated table; an
 * unknown number is counted for kstat (never printed: an app could flood
 * the console with them). Returns the value for a0. */
static inline int64_t syscall_run(uint64_t num, const uint64_t args[6])
{
    extern uint64_t syscalls_unknown;
    int64_t r = syscall_dispatch(num, args);
    if (r == -(int64_t)KERNEL_ERROR_NO_SYSCALL && syscall_name(num) == NULL)
        syscalls_unknown++;
    return r;
}
#endif
