/* Calls into OpenSBI (M-mode): the TIME and SRST extensions. */
#include "sbi.h"
#include "memlayout.h"

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SRST_TYPE_SHUTDOWN 0
#define SRST_REASON_NONE 0
#define SRST_REASON_FAILURE 1

static long sbi_call(long ext, long fid, long arg0, long arg1)
{
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a6 __asm__("a6") = fid;
    register long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    return a0;
}

void sbi_set_timer(uint64_t t)
{
    sbi_call(SBI_EXT_TIME, 0, (long)t, 0);
}

/* OpenSBI's SRST on QEMU virt always writes "pass" to the test device, so a
 * failure is written there directly: QEMU then exits with status 1. */
#define VIRT_TEST_FAIL(code) (0x3333u | (uint32_t)(code) << 16)

void sbi_shutdown(int failure)
{
    if (failure)
        *(volatile uint32_t *)VIRT_TEST = VIRT_TEST_FAIL(1);
    sbi_call(SBI_EXT_SRST, 0, SRST_TYPE_SHUTDOWN,
             failure ? SRST_REASON_FAILURE : SRST_REASON_NONE);
    for (;;)
        __asm__ volatile("wfi");
}
