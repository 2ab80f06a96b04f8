#ifndef KERNEL_VM_H
#define KERNEL_VM_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"   /* generated: kernel_error */
#include "memlayout.h"
#include "riscv.h"

/* Builds the kernel page table (MMIO and RAM as gigapages) and turns on Sv39. */
void kvm_init(uint64_t mem_base, uint64_t mem_size);
void kvm_switch(void);
/* Maps kernel pages [va, va + len) to [pa, pa + len), read-write, with
 * page-table pages from kalloc (panics when there are none: boot only).
 * Call before the first app's address space is made: apps share the
 * kernel's root slots as they were then. */
void kvm_map(uint64_t va, uint64_t pa, uint64_t len);

/* An app's address space: the kernel's gigapages plus its own pages in
 * [USER_BASE, USER_TOP). NULL when out of memory. */
pagetable_t uvm_create(void);
/* Maps pages over [va, va + len) with perm (PTE_R/W/X) holding the len
 * bytes at src there, zero elsewhere (a page already mapped keeps what
 * it holds around them); returns 0 or -NO_MEMORY (pages mapped so far
 * stay mapped). */
int uvm_alloc_copy(pagetable_t pt, uint64_t va, const uint8_t *src, uint64_t len, uint64_t perm);
/* Promises a zeroed page for each page of [va, va + len) not mapped yet,
 * with perm, mapped on the first touch (vm.c); 0 or -NO_MEMORY (pages
 * promised so far stay promised, uvm_free gives them back). */
int uvm_alloc_lazy(pagetable_t pt, uint64_t va, uint64_t len, uint64_t perm);
/* A fault at user address va of the address space in satp, for an access
 * needing need (PTE_R, PTE_W or PTE_X): true when it is a promised page
 * now mapped, and the access may be retried; false: a bad address. */
bool uvm_fault(uint64_t va, uint64_t need);
/* Frees every user page, the page-table pages and the root, and gives back
 * the pages promised and never touched. */
void uvm_free(pagetable_t pt);
/* The page table in satp (copyin and copyout reach its user pages
 * directly). */
extern pagetable_t uvm_active;
/* Runs on pt from now on (inline: it is on every switch between apps). */
static inline void uvm_switch(pagetable_t pt)
{
    uvm_active = pt;
    w_satp(MAKE_SATP(pt));
}

/* True when [va, va + len) is user memory of pt, writable if write. */
bool uvm_range_ok(pagetable_t pt, uint64_t va, uint64_t len, bool write);
/* Copies between kernel memory and a checked user range, all or nothing;
 * 0 or -BAD_ADDRESS. The common range, within one page of the address
 * space in satp, is copied inline by the hardware's own walk (ucopy.S: a
 * page the app lacks faults, and the fault returns -1); the others go
 * through copy_user (vm.c). */
int ucopy(void *dst, const void *src, uint64_t n);
/* ucopy called with what it really clobbers (a0..a2, t1..t6, ra), so that
 * the caller's other registers live across it without a frame. */
static inline int ucopy_call(void *dst, const void *src, uint64_t n)
{
    register uint64_t a0 __asm__("a0") = (uint64_t)dst;
    register uint64_t a1 __asm__("a1") = (uint64_t)src;
    register uint64_t a2 __asm__("a2") = n;
    __asm__ volatile("call ucopy"
                     : "+r"(a0), "+r"(a1), "+r"(a2)
                     :
                     : "ra", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    return (int)a0;
}
int copy_user(pagetable_t pt, uint64_t va, void *kbuf, uint64_t len, bool out);
static inline bool ucopy_reaches(pagetable_t pt, uint64_t va, uint64_t len)
{
    /* not empty, within one page, and that page all in the user half */
    return pt == uvm_active && len - 1 < PGSIZE - (va & (PGSIZE - 1)) && va - USER_BASE < USER_TOP - USER_BASE;
}
static inline int copyin(pagetable_t pt, void *dst, uint64_t va, uint64_t len)
{
    if (ucopy_reaches(pt, va, len))
        return ucopy_call(dst, (const void *)va, len) < 0 ? -KERNEL_ERROR_BAD_ADDRESS : 0;
    return copy_user(pt, va, dst, len, false);
}
static inline int copyout(pagetable_t pt, uint64_t va, const void *src, uint64_t len)
{
    if (ucopy_reaches(pt, va, len))
        return ucopy_call((void *)va, src, len) < 0 ? -KERNEL_ERROR_BAD_ADDRESS : 0;
    return copy_user(pt, va, (void *)src, len, true);
}
#endif
