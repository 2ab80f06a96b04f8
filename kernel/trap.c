/* The C side of the trap path. From U-mode: syscall, timer, the first touch
 * of a page promised to the app (vm.c), or a fault that kills the app. From
 * S-mode (where interrupts stay masked: the idle loop serves the timer
 * itself): ucopy's faults (a promised page, or a bad address), else panic. */
#include "memlayout.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"
#include "syscall.h"
#include "vm.h"

void trapvec(void);

void trap_init(void)
{
    CSR_WRITE(stvec, (uint64_t)trapvec);
    CSR_WRITE(scounteren, 7);   /* apps may read cycle, time, instret */
    /* sret to U-mode with interrupts on; every sret leaves these so. */
    CSR_CLEAR(sstatus, SSTATUS_SPP);
    CSR_SET(sstatus, SSTATUS_SPIE);
    /* The kernel may load and store to user pages: only ucopy.S does,
     * after vm.c's checks. Set once: QEMU flushes its TLB when SUM changes. */
    CSR_SET(sstatus, SSTATUS_SUM);
}

/* A page fault (scause) on a page promised to the app in satp, now
 * mapped: the access may be retried (vm.c, uvm_fault). */
static bool page_fault_mapped(uint64_t scause)
{
    uint64_t need = scause == SCAUSE_LOAD_PAGE ? PTE_R : scause == SCAUSE_STORE_PAGE ? PTE_W
                  : scause == SCAUSE_FETCH_PAGE ? PTE_X : 0;
    return need && uvm_fault(CSR_READ(stval), need);
}

/* From uservec for a trap that is not a syscall (trapvec.S calls those's
 * handlers itself), with tf the app's trapframe; returning goes back to
 * the app, after any number of other tasks ran. */
void usertrap(struct trapframe *tf)
{
    uint64_t scause = CSR_READ(scause);
    if (scause == (SCAUSE_INTR | SCAUSE_STIMER)) {
        sched_preempt(timer_intr());
    } else if (!page_fault_mapped(scause)) {
        kprintf("kernel: app %s killed: scause %lu sepc 0x%lx stval 0x%lx\n",
                current->name, scause, tf->sepc, CSR_READ(stval));
        task_exit(-1);
    }
}

static const char *const regnames[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* ucopy.S: where a copy from or to user pages (ucopy, vm.h) that faults
 * goes, and where its code ends. */
extern char ucopy_fault[], ucopy_end[];

void kerneltrap(struct trapframe *f)
{
    uint64_t scause = CSR_READ(scause);
    if ((scause == SCAUSE_LOAD_PAGE || scause == SCAUSE_STORE_PAGE || scause == SCAUSE_LOAD_ACCESS ||
         scause == SCAUSE_STORE_ACCESS) && f->sepc >= (uint64_t)ucopy && f->sepc < (uint64_t)ucopy_end) {
        if (!page_fault_mapped(scause))   /* else ucopy goes on */
            f->sepc = (uint64_t)ucopy_fault;   /* a bad user address: ucopy returns -1 */
        return;
    }
    uint64_t stval = CSR_READ(stval);
    if (stval >= KSTACK_VBASE && (stval - KSTACK_VBASE) % KSTACK_STRIDE < KSTACK_STRIDE - KSTACK_SIZE)
        kprintf("kernel stack overflow: task %s ran into the guard page at 0x%lx\n",
                current ? current->name : "(scheduler)", stval);
    kprintf("kernel trap: scause %lu sepc 0x%lx stval 0x%lx task %s\n", scause,
            f->sepc, CSR_READ(stval), current ? current->name : "(scheduler)");
    f->regs[0] = 0;
    for (int i = 0; i < 32; i++)
        kprintf("%4s=%016lx%s", regnames[i], f->regs[i], i % 4 == 3 ? "\n" : " ");
    panic("kerneltrap: fault in the kernel");
}
