/* CSR accessors and the bits of the RISC-V privileged ISA the kernel uses. */
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

#define SSTATUS_SPP  (1UL << 8)   /* previous mode: 1 = S, 0 = U */
#define SSTATUS_SPIE (1UL << 5)   /* interrupts enabled before the trap */
#define SSTATUS_SIE  (1UL << 1)   /* S-mode interrupts enabled */
#define SSTATUS_SUM  (1UL << 18)  /* S-mode may access U-mode pages (ucopy.S only) */

#define SIE_STIE (1UL << 5)       /* supervisor timer interrupt */
#define SIP_STIP (1UL << 5)   /* the timer interrupt is pending */

#define SCAUSE_INTR (1UL << 63)
#define SCAUSE_STIMER 5
#define SCAUSE_ECALL_U 8
#define SCAUSE_LOAD_ACCESS 5
#define SCAUSE_STORE_ACCESS 7
#define SCAUSE_FETCH_PAGE 12
#define SCAUSE_LOAD_PAGE 13
#define SCAUSE_STORE_PAGE 15

#define PGSIZE 4096UL
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

/* Sv39 page-table entries. */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PA2PTE(pa) ((((uint64_t)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PX(level, va) ((((uint64_t)(va)) >> (12 + 9 * (level))) & 0x1ff)
#define SATP_SV39 (8UL << 60)
#define MAKE_SATP(pt) (SATP_SV39 | (((uint64_t)(pt)) >> 12))

/* The rest is C (trapvec.S takes the numbers above). */
#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t pte_t;
#define PTES_PER_PAGE 512
typedef uint64_t *pagetable_t;   /* PTES_PER_PAGE PTEs */

#define CSR_READ(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" : : "r"((uint64_t)(v)))
#define CSR_SET(name, v) __asm__ volatile("csrs " #name ", %0" : : "r"((uint64_t)(v)))
#define CSR_CLEAR(name, v) __asm__ volatile("csrc " #name ", %0" : : "r"((uint64_t)(v)))

static inline uint64_t r_time(void)
{
    uint64_t x;
    __asm__ volatile("rdtime %0" : "=r"(x));
    return x;
}

static inline void intr_off(void) { CSR_CLEAR(sstatus, SSTATUS_SIE); }

static inline void sfence_vma(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }

/* Switches address space. One fence after the write suffices: it also
 * orders the page-table stores made before it (and on QEMU each fence is a
 * whole TLB flush, so a second one only costs). */
static inline void w_satp(uint64_t x)
{
    CSR_WRITE(satp, x);
    sfence_vma();
}

#endif /* __ASSEMBLER__ */
#endif
