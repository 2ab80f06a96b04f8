#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <stdint.h>

/* Runs syscall num for the current app through the generated table; an
 * unknown number is counted for kstat (never printed: an app could flood
 * the console with them). Returns the value for a0. */
int64_t syscall_run(uint64_t num, const uint64_t args[6]);
#endif
