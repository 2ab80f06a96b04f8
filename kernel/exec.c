/* Loading apps: ELF64 images linked into the kernel (apps.S) become tasks
 * with their own Sv39 address space: the pages holding the image's bytes
 * are copied now, the zeroed ones (bss, stack) are promised and mapped on
 * first touch (vm.c), so a spawn costs the same whatever its memory. */
#include "exec.h"
#include "apps.h"
#include "chan.h"
#include "kalloc.h"
#include "memlayout.h"
#include "printf.h"
#include "service.h"
#include "vm.h"

#define ELF_MAGIC 0x464C457FU   /* "\x7FELF" little-endian */
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf_hdr {
    uint32_t magic;
    uint8_t ident[12];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct prog_hdr {
    uint32_t type, flags;
    uint64_t off, vaddr, paddr, filesz, memsz, align;
};

static int load_segment(pagetable_t pt, const struct app_image *img, const struct prog_hdr *ph)
{
    uint64_t perm = 0;
    if (ph->flags & PF_R)
        perm |= PTE_R;
    if (ph->flags & PF_W)
        perm |= PTE_W | PTE_R;
    if (ph->flags & PF_X)
        perm |= PTE_X;
    if (ph->memsz < ph->filesz || ph->vaddr + ph->memsz < ph->vaddr ||
        ph->off + ph->filesz > img->size || ph->vaddr < USER_BASE ||
        ph->vaddr + ph->memsz > USER_TOP - USER_STACK_PAGES * PGSIZE)
        panic("load_segment: %s has a segment outside the app's memory", img->name);
    /* The pages with bytes of the file now, the zeroed rest on first touch. */
    uint64_t file_end = PGROUNDUP(ph->vaddr + ph->filesz), end = ph->vaddr + ph->memsz;
    int rc = uvm_alloc_copy(pt, ph->vaddr, img->start + ph->off, ph->filesz, perm);
    if (rc == 0 && end > file_end)
        rc = uvm_alloc_lazy(pt, file_end, end - file_end, perm);
    return rc;
}

/* 0, or -NO_MEMORY (a page); a bad image built into the kernel panics. */
static int load_elf(pagetable_t pt, const struct app_image *img, uint64_t *entry)
{
    const struct elf_hdr *eh = (const struct elf_hdr *)img->start;
    if (img->size < sizeof *eh || eh->magic != ELF_MAGIC ||
        eh->phoff + (uint64_t)eh->phnum * sizeof(struct prog_hdr) > img->size)
        panic("load_elf: %s is no ELF image", img->name);
    for (int i = 0; i < eh->phnum; i++) {
        struct prog_hdr ph;
        memcpy(&ph, img->start + eh->phoff + i * sizeof ph, sizeof ph);
        if (ph.type == PT_LOAD && load_segment(pt, img, &ph) < 0)
            return -KERNEL_ERROR_NO_MEMORY;
    }
    *entry = eh->entry;
    return 0;
}

/* The stack, with arg at its top; the initial sp and arg's address, and 0
 * or -NO_MEMORY. */
static int setup_stack(pagetable_t pt, const char *arg, uint64_t *sp, uint64_t *argp)
{
    uint64_t base = USER_TOP - USER_STACK_PAGES * PGSIZE;
    if (uvm_alloc_lazy(pt, base, USER_STACK_PAGES * PGSIZE, PTE_R | PTE_W) < 0)
        return -KERNEL_ERROR_NO_MEMORY;
    uint64_t n = strlen(arg) + 1;
    if (n > APP_ARG_MAX)
        n = APP_ARG_MAX;
    *argp = (USER_TOP - n) & ~15UL;
    if (copyout(pt, *argp, arg, n - 1) < 0 || copyout(pt, *argp + n - 1, "", 1) < 0)
        panic("setup_stack: the stack just mapped is not writable");
    *sp = *argp - 16;
    return 0;
}

int exec_app(const char *name, uint64_t name_len, const char *arg, bool top_level, struct task **out)
{
    const struct app_image *img = app_find(name, name_len);
    if (img == NULL)
        return -KERNEL_ERROR_NOT_FOUND;
    struct task *t = task_alloc(img->name);
    if (t == NULL)
        return -KERNEL_ERROR_NO_MEMORY;
    uint64_t entry, sp, argp;
    int rc = -KERNEL_ERROR_NO_MEMORY;
    t->pt = uvm_create();
    if (t->pt == NULL || (rc = load_elf(t->pt, img, &entry)) < 0 ||
        (rc = setup_stack(t->pt, arg, &sp, &argp)) < 0 || (rc = services_attach(t)) < 0)
        goto fail;
    t->top_level = top_level;
    task_start_user(t, entry, sp, argp);
    *out = t;
    return 0;
fail:
    task_free(t);
    return rc;
}
