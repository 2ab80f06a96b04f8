#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H
#include <stdbool.h>
#include <stdint.h>
#include "sched.h"

/* Starts an app from the ELF image built into the kernel under name, with
 * arg copied onto its stack (a0 points at it) and its boot channel as
 * handle 0. top_level: started from bootargs, so its exit code decides the
 * run's pass/fail. Returns the runnable task, or NULL (reason printed). */
struct task *exec_app(const char *name, const char *arg, bool top_level);
#endif
