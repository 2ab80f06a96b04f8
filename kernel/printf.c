/* The kernel console: formatted output to the UART, and panic. */
#include "printf.h"
#include "riscv.h"
#include "sbi.h"
#include "uart.h"

static void put(void *arg, char c)
{
    (void)arg;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(NULL, s[i]);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfmt(put, NULL, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    intr_off();
    kprintf("panic: ");
    va_start(ap, fmt);
    vfmt(put, NULL, fmt, ap);
    va_end(ap);
    kprintf("\n");
    sbi_shutdown(1);
}
