/* Sv39 address spaces. The kernel maps MMIO and RAM with gigapages (root
 * slots 0 and 2..); every app's root shares those slots and owns slot 1,
 * [USER_BASE, USER_TOP), so traps need no page-table switch.
 *
 * An app's zeroed memory (its bss, its stack) is mapped on first touch: a
 * lazy PTE is not valid, carries PTE_LAZY and the page's permissions, and
 * holds one page promised by the allocator (kalloc_reserve), which the
 * first access takes, zeroes and maps (lazy_map): from the app (a page
 * fault, trap.c), from ucopy (the same fault in the kernel) or from a
 * lookup of user_pa. Memory is promised when the app is made, so a touch
 * never runs out of pages and no app's touch can starve another's. */
#include "vm.h"
#include "kalloc.h"
#include "memlayout.h"
#include "printf.h"

static pagetable_t kernel_pt;
#define USER_SLOT PX(2, USER_BASE)
#define PTE_LAZY (1UL << 8)   /* RSW: not valid yet, a promised zero page */
#define PTE_PERM (PTE_R | PTE_W | PTE_X)

void kvm_init(uint64_t mem_base, uint64_t mem_size)
{
    kernel_pt = kzalloc();
    if (kernel_pt == NULL)
        panic("kvm_init: no page for the kernel page table");
    kernel_pt[PX(2, MMIO_BASE)] = PA2PTE(MMIO_BASE) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G;
    for (uint64_t pa = RAM_BASE; pa < mem_base + mem_size; pa += GIGA)
        kernel_pt[PX(2, pa)] = PA2PTE(pa) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;
    kvm_switch();
}

/* The next-level table behind *pte, made if missing. */
static pagetable_t kvm_table(pte_t *pte)
{
    if (!(*pte & PTE_V)) {
        pagetable_t t = kzalloc();
        if (t == NULL)
            panic("kvm_table: no page for a kernel page table");
        *pte = PA2PTE(t) | PTE_V;
    }
    return (pagetable_t)PTE2PA(*pte);
}

void kvm_map(uint64_t va, uint64_t pa, uint64_t len)
{
    for (uint64_t off = 0; off < len; off += PGSIZE) {
        pagetable_t l1 = kvm_table(&kernel_pt[PX(2, va + off)]);
        pagetable_t l0 = kvm_table(&l1[PX(1, va + off)]);
        l0[PX(0, va + off)] = PA2PTE(pa + off) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G;
    }
    sfence_vma();
}

pagetable_t uvm_active;

void kvm_switch(void)
{
    uvm_active = kernel_pt;
    w_satp(MAKE_SATP(kernel_pt));
}

/* The kernel root's slots in use, found once, when the first address
 * space is made (kvm_map is done by then). */
static uint16_t kernel_slots[PTES_PER_PAGE];
static uint32_t nkernel_slots;

pagetable_t uvm_create(void)
{
    pagetable_t pt = kzalloc();
    if (pt == NULL)
        return NULL;
    if (nkernel_slots == 0)
        for (uint32_t i = 0; i < PTES_PER_PAGE; i++)
            if (i != USER_SLOT && (kernel_pt[i] & PTE_V))
                kernel_slots[nkernel_slots++] = (uint16_t)i;
    for (uint32_t i = 0; i < nkernel_slots; i++)
        pt[kernel_slots[i]] = kernel_pt[kernel_slots[i]];
    return pt;
}

/* The level-0 PTE for user address va, allocating table pages if alloc. */
static pte_t *walk(pagetable_t pt, uint64_t va, bool alloc)
{
    if (va < USER_BASE || va >= USER_TOP)
        return NULL;
    for (int level = 2; level > 0; level--) {
        pte_t *pte = &pt[PX(level, va)];
        if (*pte & PTE_V) {
            pt = (pagetable_t)PTE2PA(*pte);
        } else {
            if (!alloc || (pt = kzalloc()) == NULL)
                return NULL;
            *pte = PA2PTE(pt) | PTE_V;
        }
    }
    return &pt[PX(0, va)];
}

/* A lazy PTE's page, taken from its promise, zeroed and mapped. */
static void lazy_map(pte_t *pte)
{
    void *page = kzalloc_reserved();
    *pte = PA2PTE(page) | (*pte & PTE_PERM) | PTE_U | PTE_V | PTE_A | PTE_D;
}

int uvm_alloc_copy(pagetable_t pt, uint64_t va, const uint8_t *src, uint64_t len, uint64_t perm)
{
    for (uint64_t a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
        pte_t *pte = walk(pt, a, true);
        if (pte == NULL)
            return -KERNEL_ERROR_NO_MEMORY;
        if (*pte & PTE_LAZY)
            lazy_map(pte);
        /* the part of [va, va + len) in this page: [lo, hi) */
        uint64_t lo = a > va ? a : va, hi = a + PGSIZE < va + len ? a + PGSIZE : va + len;
        uint8_t *page;
        if (*pte & PTE_V) {
            *pte |= perm;   /* two segments sharing a page */
            page = (uint8_t *)PTE2PA(*pte);
        } else {
            if ((page = kalloc()) == NULL)
                return -KERNEL_ERROR_NO_MEMORY;
            memset(page, 0, lo - a);   /* only what the bytes leave */
            memset(page + (hi - a), 0, a + PGSIZE - hi);
            *pte = PA2PTE(page) | perm | PTE_U | PTE_V | PTE_A | PTE_D;
        }
        memcpy(page + (lo - a), src + (lo - va), hi - lo);
    }
    return 0;
}

int uvm_alloc_lazy(pagetable_t pt, uint64_t va, uint64_t len, uint64_t perm)
{
    pte_t *pte = NULL;
    for (uint64_t a = PGROUNDDOWN(va); a < va + len; a += PGSIZE, pte++) {
        if ((pte == NULL || PX(0, a) == 0) && (pte = walk(pt, a, true)) == NULL)   /* a new level-0 table */
            return -KERNEL_ERROR_NO_MEMORY;
        if (*pte & (PTE_V | PTE_LAZY)) {
            *pte |= perm;   /* two segments sharing a page */
            continue;
        }
        if (!kalloc_reserve(1))
            return -KERNEL_ERROR_NO_MEMORY;
        *pte = perm | PTE_LAZY;
    }
    return 0;
}

bool uvm_fault(uint64_t va, uint64_t need)
{
    pte_t *pte = walk(uvm_active, va, false);
    if (pte == NULL || !(*pte & need))
        return false;
    if (*pte & PTE_LAZY) {
        lazy_map(pte);
        return true;
    }
    /* Valid and allowed: the hart used an invalid entry it had cached
     * (the ISA allows that once a PTE turns valid). */
    if ((*pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
        return false;
    sfence_vma();
    return true;
}

static void free_level(pagetable_t t, int level)
{
    for (int i = 0; i < PTES_PER_PAGE; i++) {
        if (t[i] == 0)
            continue;
        if (level == 0 && (t[i] & PTE_LAZY))
            kalloc_unreserve(1);
        if (!(t[i] & PTE_V))
            continue;
        if (level > 0)
            free_level((pagetable_t)PTE2PA(t[i]), level - 1);
        else if (t[i] & PTE_X)
            kfree_code((void *)PTE2PA(t[i]));
        else
            kfree((void *)PTE2PA(t[i]));
    }
    kfree(t);
}

void uvm_free(pagetable_t pt)
{
    if (pt[USER_SLOT] & PTE_V)
        free_level((pagetable_t)PTE2PA(pt[USER_SLOT]), 1);
    kfree(pt);
}

enum access { ACC_READ, ACC_WRITE };

/* Kernel address of user address va, or 0 if not mapped for acc. Every
 * copy between the kernel and an app goes through here: three loads, no
 * loop (walk() is for building the tables). */
static uint64_t user_pa(pagetable_t pt, uint64_t va, enum access acc)
{
    if (va - USER_BASE >= USER_TOP - USER_BASE)
        return 0;
    pte_t e = pt[PX(2, va)];
    if (!(e & PTE_V))
        return 0;
    e = ((pagetable_t)PTE2PA(e))[PX(1, va)];
    if (!(e & PTE_V))
        return 0;
    pte_t *pte = &((pagetable_t)PTE2PA(e))[PX(0, va)];
    if (*pte & PTE_LAZY)
        lazy_map(pte);
    e = *pte;
    uint64_t need = PTE_V | PTE_U | (acc == ACC_WRITE ? PTE_W : PTE_R);
    if ((e & need) != need)
        return 0;
    return PTE2PA(e) | (va & (PGSIZE - 1));
}

static bool range_ok(pagetable_t pt, uint64_t va, uint64_t len, enum access acc)
{
    if (len == 0)
        return true;
    if (va + len < va || va < USER_BASE || va + len > USER_TOP)
        return false;
    for (uint64_t a = PGROUNDDOWN(va); a < va + len; a += PGSIZE)
        if (user_pa(pt, a, acc) == 0)
            return false;
    return true;
}

bool uvm_range_ok(pagetable_t pt, uint64_t va, uint64_t len, bool write)
{
    return range_ok(pt, va, len, write ? ACC_WRITE : ACC_READ);
}

/* n bytes between the app's (kernel address u) and the kernel's k: to
 * the app unless acc is ACC_READ. */
static inline void move(uint64_t u, void *k, uint64_t n, enum access acc)
{
    if (acc != ACC_READ)
        memcpy((void *)u, k, n);
    else
        memcpy(k, (const void *)u, n);
}

/* copy_user for a range over more than one page: checked whole before the
 * first byte moves. Apart, so that the one-page path stays short. */
static __attribute__((noinline)) int copy_pages(pagetable_t pt, uint64_t va, uint8_t *k, uint64_t len,
                                                enum access acc)
{
    if (!range_ok(pt, va, len, acc))
        return -KERNEL_ERROR_BAD_ADDRESS;
    while (len > 0) {
        uint64_t n = PGSIZE - (va & (PGSIZE - 1));
        if (n > len)
            n = len;
        move(user_pa(pt, va, acc), k, n, acc);
        k += n;
        va += n;
        len -= n;
    }
    return 0;
}

/* The copies copyin and copyout do not make inline (vm.h): an empty
 * range, one past a page (checked whole before the first byte moves), one
 * of another app's memory (one lookup) or outside the user half. */
int copy_user(pagetable_t pt, uint64_t va, void *kbuf, uint64_t len, bool out)
{
    enum access acc = out ? ACC_WRITE : ACC_READ;
    if (len - 1 >= PGSIZE - (va & (PGSIZE - 1)))   /* empty, or past the page */
        return len == 0 ? 0 : copy_pages(pt, va, kbuf, len, acc);
    uint64_t u = user_pa(pt, va, acc);
    if (u == 0)
        return -KERNEL_ERROR_BAD_ADDRESS;
    move(u, kbuf, len, acc);
    return 0;
}

