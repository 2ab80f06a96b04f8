#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H
#include <stdbool.h>
#include <stdint.h>
#include "sched.h"

/* Starts an app from the ELF image built into the kernel under name
 * (name_len bytes, compared whole), with arg copied onto its stack (a0
 * points at it) and its boot channel as handle BOOT_HANDLE. top_level:
 * named in bootargs (the first such app decides the run's verdict).
 * 0 with the runnable task in *out, -INVALID (no such app), -NO_MEMORY (no
 * task slot or page) or -QUOTA. */
int exec_app(const char *name, uint64_t name_len, const char *arg, bool top_level, struct task **out);
#endif
