#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H
#include <stdbool.h>
#include <stdint.h>
#include "sched.h"

/* Creates an app task from the ELF image built into the kernel under name,
 * with arg copied onto its stack (a0 points at it) and the boot channel as
 * handle 0. Returns the task, or NULL (reason printed). The task is not
 * started: task_start_user is left to the caller via exec_start. */
struct task *exec_app(const char *name, const char *arg, bool top_level);
#endif
