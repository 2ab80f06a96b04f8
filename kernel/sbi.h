#ifndef KERNEL_SBI_H
#define KERNEL_SBI_H
#include <stdint.h>
/* Arms the one supervisor timer comparator for absolute rdtime value t. */
void sbi_set_timer(uint64_t t);
/* Powers off through the SRST extension; failure != 0 reports a system failure. */
void sbi_shutdown(int failure) __attribute__((noreturn));
#endif
