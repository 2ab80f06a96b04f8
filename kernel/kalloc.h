#ifndef KERNEL_KALLOC_H
#define KERNEL_KALLOC_H
#include <stdint.h>
/* Hands the pages of [start, end) to the allocator. */
void kalloc_init(uint64_t start, uint64_t end);
/* One 4 KiB page, or NULL when memory is exhausted; kzalloc zeroes it. */
void *kalloc(void);
void *kzalloc(void);
void kfree(void *page);
uint64_t kalloc_free_pages(void);
#endif
