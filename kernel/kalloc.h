#ifndef KERNEL_KALLOC_H
#define KERNEL_KALLOC_H
#include <stdbool.h>
#include <stdint.h>
/* Hands the pages of [start, end) to the allocator. */
void kalloc_init(uint64_t start, uint64_t end);
/* One 4 KiB page, or NULL when memory is exhausted; kzalloc zeroes it. */
void *kalloc(void);
void *kzalloc(void);
void kfree(void *page);
/* kfree of a page that held an app's code, overwritten first. QEMU keeps
 * what it translated from a page until every byte of that code is written
 * over, and until then takes a slow path on each store to the page: a
 * message page that had been code made 1 KB IPC two to three times slower
 * in real time (not in instructions). And no ended app's code stays in
 * memory handed to another. */
void kfree_code(void *page);
/* Promises n of the free pages (false, nothing promised, if fewer are
 * free): kalloc leaves them alone, each to be taken (zeroed) by
 * kzalloc_reserved, which cannot fail, or given back by kalloc_unreserve. */
bool kalloc_reserve(uint64_t n);
void *kzalloc_reserved(void);
void kalloc_unreserve(uint64_t n);
/* Pages free and not promised. */
uint64_t kalloc_free_pages(void);
#endif
