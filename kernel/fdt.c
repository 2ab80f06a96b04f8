/* Just enough of a flattened-device-tree reader: the memory node's reg and
 * /chosen/bootargs. All FDT integers are big-endian. A device tree it cannot
 * read is -INVALID (the kernel then panics: it cannot know its memory). */
#include "fdt.h"
#include "printf.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
/* Header fields (big-endian u32s) by byte offset. */
#define FDT_OFF_STRUCT 8           /* off_dt_struct: the structure block */
#define FDT_OFF_STRINGS 12         /* off_dt_strings: the strings block */
#define FDT_SIZE_STRUCT 36         /* size_dt_struct */

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = v << 32 | be32(p + 4 * i);
    return v;
}

struct walk {
    const uint8_t *strings;
    uint32_t addr_cells, size_cells;
    int depth;
    int in_memory, in_chosen;   /* depth-1 node being read */
    int have_mem;
    struct fdt_info *out;
};

static void on_prop(struct walk *w, const char *name, const uint8_t *val, uint32_t len)
{
    if (w->depth == 1 && strcmp(name, "#address-cells") == 0 && len == 4)
        w->addr_cells = be32(val);
    else if (w->depth == 1 && strcmp(name, "#size-cells") == 0 && len == 4)
        w->size_cells = be32(val);
    else if (w->in_memory && !w->have_mem && strcmp(name, "reg") == 0 &&
             len >= 4 * (w->addr_cells + w->size_cells)) {
        w->out->mem_base = read_cells(val, w->addr_cells);
        w->out->mem_size = read_cells(val + 4 * w->addr_cells, w->size_cells);
        w->have_mem = 1;
    } else if (strcmp(name, "riscv,isa") == 0) {
        for (uint32_t i = 0; i + 5 <= len; i++)
            if (memcmp(val + i, "_sstc", 5) == 0)
                w->out->sstc = true;
    } else if (w->in_chosen && strcmp(name, "bootargs") == 0) {
        uint32_t n = len < BOOTARGS_MAX - 1 ? len : BOOTARGS_MAX - 1;
        memcpy(w->out->bootargs, val, n);
        w->out->bootargs[n] = 0;
    }
}

static void on_begin(struct walk *w, const char *name)
{
    w->depth++;
    if (w->depth == 2) {
        w->in_memory = strncmp(name, "memory", 6) == 0 && (name[6] == 0 || name[6] == '@');
        w->in_chosen = strcmp(name, "chosen") == 0;
    }
}

int fdt_parse(const void *dtb, struct fdt_info *out)
{
    const uint8_t *base = dtb;
    if (dtb == NULL || be32(base) != FDT_MAGIC) {
        kprintf("fdt: no device tree at %p\n", dtb);
        return -KERNEL_ERROR_INVALID;
    }
    struct walk w = { base + be32(base + FDT_OFF_STRINGS), 2, 1, 0, 0, 0, 0, out };
    const uint8_t *p = base + be32(base + FDT_OFF_STRUCT);
    const uint8_t *endp = p + be32(base + FDT_SIZE_STRUCT);
    out->bootargs[0] = 0;
    out->sstc = false;
    while (p < endp) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            on_begin(&w, name);
            p += (strlen(name) + 4) & ~3UL;
        } else if (tok == FDT_END_NODE) {
            if (w.depth == 2)
                w.in_memory = w.in_chosen = 0;
            w.depth--;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            on_prop(&w, (const char *)w.strings + nameoff, p + 8, len);
            p += 8 + ((len + 3) & ~3U);
        } else if (tok == FDT_END) {
            break;
        } else if (tok != FDT_NOP) {
            kprintf("fdt: bad token %u\n", tok);
            return -KERNEL_ERROR_INVALID;
        }
    }
    if (!w.have_mem || out->mem_size == 0) {
        kprintf("fdt: no /memory node with a reg property\n");
        return -KERNEL_ERROR_INVALID;
    }
    return 0;
}
