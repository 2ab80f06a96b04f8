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
/* Promises n of the free pages (false, nothing promised, if fewer are
 * free): kalloc leaves them alone, each to be taken (zeroed) by
 * kzalloc_reserved, which cannot fail, or given back by kalloc_unreserve. */
bool kalloc_reserve(uint64_t n);
void *kzalloc_reserved(void);
void kalloc_unreserve(uint64_t n);
/* Pages free and not promised. */
uint64_t kalloc_free_pages(void);
#endif
