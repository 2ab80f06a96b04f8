/* The bare guest: the floor under the kernel's timer lateness (ninja
 * bench-kernel). A separate S-mode image that OpenSBI enters like the
 * kernel, linked from the kernel's own entry, linker script, console, SBI
 * and device-tree objects, with no scheduler, no traps, no IPC and no apps.
 * It repeats: draw a duration (bench_random.h, the same sequence as
 * timerbench), arm the comparator for now + duration (stimecmp when the
 * device tree names Sstc, as the kernel does, else SBI TIME), wfi with
 * interrupts masked until the timer is pending, read rdtime, record
 * lateness = now - deadline. Bootargs "timers=N" (default 9600, the count
 * of bench-kernel's 32-client run). Prints
 *   bare lateness us: p50=A p99=B max=C early=D timers=F
 * and powers off. */
#include "bench_random.h"
#include "fdt.h"
#include "printf.h"
#include "riscv.h"
#include "sbi.h"
#include "timer.h"   /* generated: TICKS_PER_US */
#include "uart.h"

#define CSR_STIMECMP 0x14D
#define SIP_STIP (1UL << 5)      /* supervisor timer interrupt pending */
#define HIST_TICKS 65536         /* lateness histogram: one bucket per tick, 6.5 ms */
#define DEFAULT_TIMERS 9600

static uint32_t hist[HIST_TICKS];   /* the last bucket holds everything later */
static uint64_t rng = BENCH_RANDOM_SEED;
static bool use_sstc;
static struct fdt_info fdt;

struct lateness {
    uint64_t n, early, max;   /* max in ticks; early ones count as 0 in hist */
};

static void timer_arm(uint64_t t)
{
    if (use_sstc)
        __asm__ volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(t));
    else
        sbi_set_timer(t);
}

/* One timer of a random duration: its lateness in ticks (< 0: early). */
static int64_t one_timer(void)
{
    uint64_t us = bench_random_us(&rng);
    uint64_t due = r_time() + us * TICKS_PER_US;
    timer_arm(due);
    while ((CSR_READ(sip) & SIP_STIP) == 0)
        __asm__ volatile("wfi");   /* returns on a pending interrupt, even masked */
    return (int64_t)(r_time() - due);
}

static void record(struct lateness *l, int64_t late)
{
    uint64_t t = late < 0 ? 0 : (uint64_t)late;
    l->early += late < 0;
    if (t > l->max)
        l->max = t;
    hist[t < HIST_TICKS ? t : HIST_TICKS - 1]++;
    l->n++;
}

/* The lateness of rank k (from 0) in ticks; max when it is past the histogram. */
static uint64_t rank_ticks(const struct lateness *l, uint64_t k)
{
    uint64_t seen = 0;
    for (uint64_t t = 0; t < HIST_TICKS - 1; t++) {
        seen += hist[t];
        if (seen > k)
            return t;
    }
    return l->max;
}

static void print_us(const char *label, uint64_t ticks)
{
    kprintf("%s=%lu.%lu", label, (uint64_t)(ticks / TICKS_PER_US), (uint64_t)(ticks % TICKS_PER_US));
}

/* "timers=N" in bootargs, else DEFAULT_TIMERS. */
static uint64_t timer_count(const char *args)
{
    const char *p = args;
    while (*p && strncmp(p, "timers=", 7) != 0)
        p++;
    if (*p == 0)
        return DEFAULT_TIMERS;
    uint64_t n = 0;
    for (p += 7; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    return n;
}

void main(uint64_t hartid, const void *dtb)
{
    (void)hartid;
    uart_init();
    if (fdt_parse(dtb, &fdt) < 0)
        panic("bare: cannot read the device tree");
    use_sstc = fdt.sstc;
    uint64_t n = timer_count(fdt.bootargs);
    kprintf("bare: %lu timers, 1 us..100 ms log-uniform, timer via %s, no kernel\n", n,
            use_sstc ? "stimecmp (Sstc)" : "SBI");
    CSR_SET(sie, SIE_STIE);   /* sstatus.SIE stays clear: wfi wakes, no trap is taken */
    struct lateness l = { 0, 0, 0 };
    for (uint64_t i = 0; i < n; i++)
        record(&l, one_timer());
    timer_arm(UINT64_MAX);
    kprintf("bare lateness us: ");
    print_us("p50", l.n ? rank_ticks(&l, l.n / 2) : 0);
    print_us(" p99", l.n ? rank_ticks(&l, l.n * 99 / 100) : 0);
    print_us(" max", l.max);
    kprintf(" early=%lu timers=%lu\n", l.early, l.n);
    sbi_shutdown(0);
}
