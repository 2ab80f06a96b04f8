/* The physical page allocator: a free list of 4 KiB pages threaded through
 * the pages themselves. Single hart, interrupts off in the kernel: no lock. */
#include "kalloc.h"
#include "printf.h"
#include "riscv.h"

struct run {
    struct run *next;
};

static struct run *freelist;
static uint64_t nfree;
static uint64_t mem_start, mem_end;

void kalloc_init(uint64_t start, uint64_t end)
{
    mem_start = PGROUNDUP(start);
    mem_end = PGROUNDDOWN(end);
    for (uint64_t pa = mem_end; pa > mem_start; pa -= PGSIZE)
        kfree((void *)(pa - PGSIZE));
}

void kfree(void *page)
{
    uint64_t pa = (uint64_t)page;
    if (pa % PGSIZE || pa < mem_start || pa >= mem_end)
        panic("kfree: bad page %p", page);
    struct run *r = page;
    r->next = freelist;
    freelist = r;
    nfree++;
}

void *kalloc(void)
{
    struct run *r = freelist;
    if (r) {
        freelist = r->next;
        nfree--;
    }
    return r;
}

void *kzalloc(void)
{
    uint64_t *p = kalloc();
    /* Eight words a step: a page is zeroed in 64 steps, not 512 (an app's
     * memory is zeroed so while interrupts wait). */
    for (uint64_t *q = p; p && q < p + PGSIZE / 8; q += 8)
        q[0] = q[1] = q[2] = q[3] = q[4] = q[5] = q[6] = q[7] = 0;
    return p;
}

uint64_t kalloc_free_pages(void)
{
    return nfree;
}
