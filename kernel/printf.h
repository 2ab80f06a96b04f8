#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H
#include "lib/klib.h"
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);
/* A broken invariant: prints "panic: ..." and powers off as a failure. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#endif
