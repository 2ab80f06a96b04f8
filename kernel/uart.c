/* The 16550 UART of QEMU virt: polled output only. */
#include "uart.h"
#include "memlayout.h"

#define REG(r) ((volatile uint8_t *)(UART0 + (r)))
#define THR 0   /* transmit holding */
#define IER 1   /* interrupt enable */
#define FCR 2   /* FIFO control */
#define LCR 3   /* line control */
#define LSR 5   /* line status */
#define LSR_TX_IDLE (1 << 5)

void uart_init(void)
{
    *REG(IER) = 0x00;          /* no interrupts: the kernel polls */
    *REG(LCR) = 0x03;          /* 8 bits, no parity */
    *REG(FCR) = 0x07;          /* FIFOs on and cleared */
}

void uart_putc(char c)
{
    while ((*REG(LSR) & LSR_TX_IDLE) == 0)
        ;
    *REG(THR) = (uint8_t)c;
}
