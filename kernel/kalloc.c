/* The physical page allocator: a free list of 4 KiB pages threaded through
 * the pages themselves. Single hart, interrupts off in the kernel: no lock.
 * Some of the free pages may be promised (kalloc_reserve): an app's memory
 * that it has not touched yet (vm.c), each page to be taken with
 * kalloc_reserved when it is; kalloc leaves them alone. */
#include "kalloc.h"
#include "printf.h"
#include "riscv.h"

struct run {
    struct run *next;
};

static struct run *freelist;
static uint64_t nfree;
static uint64_t reserved;   /* of the nfree, promised */
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

static void *take(void)
{
    struct run *r = freelist;
    freelist = r->next;
    nfree--;
    return r;
}

void *kalloc(void)
{
    return nfree > reserved ? take() : NULL;
}

static void *zero(uint64_t *p)
{
    /* Eight words a step: a page is zeroed in 64 steps, not 512. */
    for (uint64_t *q = p; p && q < p + PGSIZE / 8; q += 8)
        q[0] = q[1] = q[2] = q[3] = q[4] = q[5] = q[6] = q[7] = 0;
    return p;
}

void *kzalloc(void)
{
    return zero(kalloc());
}

void kfree_code(void *page)
{
    kfree(zero(page));
}

bool kalloc_reserve(uint64_t n)
{
    if (nfree - reserved < n)
        return false;
    reserved += n;
    return true;
}

void kalloc_unreserve(uint64_t n)
{
    if (n > reserved)
        panic("kalloc_unreserve: %lu pages, %lu reserved", n, reserved);
    reserved -= n;
}

void *kzalloc_reserved(void)
{
    if (reserved == 0)
        panic("kzalloc_reserved: no page reserved");
    reserved--;
    return zero(take());
}

uint64_t kalloc_free_pages(void)
{
    return nfree - reserved;
}
