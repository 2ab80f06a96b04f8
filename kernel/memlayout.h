/* Physical and virtual memory of QEMU virt as the kernel sees it.
 *
 *   physical                          every address space (Sv39)
 *   0x0000_0000  MMIO (test 0x10_0000,     gigapage, kernel RW
 *                UART 0x1000_0000)
 *   0x4000_0000  -                        app image at USER_BASE, stack below USER_TOP (U)
 *   0x8000_0000  OpenSBI                  gigapages over RAM, kernel RWX
 *   0x8020_0000  kernel text, data, bss
 *   end ...      free pages (kalloc) up to the end of RAM from the device tree
 */
#ifndef KERNEL_MEMLAYOUT_H
#define KERNEL_MEMLAYOUT_H

#define VIRT_TEST 0x00100000UL         /* sifive,test0: QEMU exit with a status */
#define UART0 0x10000000UL
#define MMIO_BASE 0x00000000UL
#define RAM_BASE 0x80000000UL
#define GIGA (1UL << 30)

#define USER_BASE 0x40000000UL          /* apps are linked here (clients/user.ld) */
#define USER_TOP 0x80000000UL           /* the user stack ends here */
#define USER_STACK_PAGES 16

/* Task kernel stacks live in the top GiB (root slot 511, sign-extended), in
 * windows of KSTACK_STRIDE: the lower half unmapped (the guard), the upper
 * half the KSTACK_SIZE stack. An overflow faults in the guard instead of
 * running into the next task's stack; trapvec.S tells it by bit 14 of the
 * address (lower half of a window) and panics on a stack of its own. */
#define KSTACK_VBASE 0xFFFFFFFFC0000000UL
#define KSTACK_STRIDE (2 * KSTACK_SIZE)
#define KSTACK_VA(i) (KSTACK_VBASE + (uint64_t)(i) * KSTACK_STRIDE + KSTACK_SIZE)

#endif
