#ifndef KERNEL_SERVICES_TIMER_TASK_H
#define KERNEL_SERVICES_TIMER_TASK_H
#include <stdint.h>
#include "timer.h"   /* generated: TIMER_SERVICE_NAME */

/* Starts the timer service task and registers it with the boot service. */
void timer_task_init(void);
uint64_t timer_task_malformed(void);
#endif
