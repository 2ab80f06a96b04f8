#ifndef KERNEL_SERVICES_TIMER_TASK_H
#define KERNEL_SERVICES_TIMER_TASK_H
#include <stdint.h>
#include "kernel.h"  /* generated: struct kernel_stats */
#include "timer.h"   /* generated: TIMER_SERVICE_NAME */

/* Starts the timer service task and registers it with the boot service. */
void timer_task_init(void);
/* Fills the timer_* fields of s. */
void timer_task_stats(struct kernel_stats *s);
#endif
