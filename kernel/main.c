/* Boot: OpenSBI enters _entry (entry.S) in S-mode with a0 = hart id and
 * a1 = the device tree; main brings the kernel up and becomes the scheduler. */
#include "chan.h"
#include "exec.h"
#include "fdt.h"
#include "kalloc.h"
#include "memlayout.h"
#include "printf.h"
#include "sched.h"
#include "service.h"
#include "trace.h"
#include "uart.h"
#include "vm.h"

extern char end[];   /* first byte after the kernel image (kernel.ld) */
void trap_init(void);

static struct fdt_info fdt;

/* The bootarg "kernel-fault" checks the kernel's own fault path (ninja
 * test-kernel-panic): a load from an address the kernel does not map. */
static void kernel_fault_selftest(void)
{
    kprintf("kernel: fault self-test: loading from 0x%lx\n", USER_BASE);
    kprintf("kernel: read %lu (must not be reached)\n", *(volatile uint64_t *)USER_BASE);
}

/* The bootarg "kernel-stack-overflow" checks the kernel stacks' guard pages
 * (ninja test-kernel-panic): a kernel task recursing without end must
 * panic naming the overflow, not run into its neighbour's stack. */
static __attribute__((noinline)) uint64_t recurse(volatile uint64_t depth)
{
    volatile uint8_t frame[256];
    frame[0] = (uint8_t)depth;
    if (depth == UINT64_MAX)   /* never: the stack ends long before */
        return 0;
    return recurse(depth + 1) + frame[0];
}

static void stack_overflow_task(void *arg)
{
    (void)arg;
    kprintf("kernel: stack overflow self-test: recursing in task %s\n", current->name);
    kprintf("kernel: recursion returned %lu (must not be reached)\n", recurse(0));
}

static void kernel_stack_overflow_selftest(void)
{
    struct task *t = task_alloc("overflow");
    if (t == NULL)
        panic("kernel_stack_overflow_selftest: no task slot");
    task_start_kernel(t, stack_overflow_task, NULL);
}

/* Starts every app named in bootargs: "name[=arg] name[=arg] ..."; the
 * words "kernel-fault" and "kernel-stack-overflow" run a self-test instead,
 * "trace-ipc" switches on the IPC trace (trace.h). */
static void start_apps(char *args)
{
    int started = 0;
    char *p = args;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p == 0)
            break;
        char *name = p, *arg = "";
        while (*p && *p != ' ' && *p != '=')
            p++;
        if (*p == '=') {
            *p++ = 0;
            arg = p;
            while (*p && *p != ' ')
                p++;
        }
        if (*p)
            *p++ = 0;
        struct task *t;
        int rc;
        if (strcmp(name, "trace-ipc") == 0) {
            trace_ipc = true;
            continue;
        }
        if (strcmp(name, "kernel-fault") == 0)
            kernel_fault_selftest();
        else if (strcmp(name, "kernel-stack-overflow") == 0)
            kernel_stack_overflow_selftest();
        else if ((rc = exec_app(name, strlen(name), arg, true, &t)) < 0)
            panic("start_apps: cannot start %s: %s", name, kernel_error_name((uint32_t)-rc));
        started++;
    }
    if (started == 0)
        panic("start_apps: no app named in bootargs (qemu -append \"demo\")");
}

void main(uint64_t hartid, const void *dtb)
{
    uart_init();                                   /* the console, for everything below */
    kprintf("\nkernel: hart %lu, device tree at %p\n", hartid, dtb);
    if (fdt_parse(dtb, &fdt) < 0)                  /* memory size and bootargs */
        panic("main: cannot read the memory size from the device tree");
    kprintf("kernel: RAM 0x%lx..0x%lx, timer via %s, bootargs \"%s\"\n", fdt.mem_base,
            fdt.mem_base + fdt.mem_size, fdt.sstc ? "stimecmp (Sstc)" : "SBI", fdt.bootargs);
    kalloc_init((uint64_t)end, fdt.mem_base + fdt.mem_size);   /* the free pages */
    chan_init();
    kvm_init(fdt.mem_base, fdt.mem_size);          /* Sv39 on */
    trap_init();                                   /* stvec */
    sched_init(fdt.sstc);                          /* the regular tick */
    services_start();                              /* the schemas' services: boot, timer, ... */
    start_apps(fdt.bootargs);                      /* the apps in bootargs */
    kprintf("kernel: %lu free pages\n", kalloc_free_pages());
    scheduler();
}
