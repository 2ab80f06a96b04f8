/* kmem: the app ktest spawns to check memory mapped on first touch
 * (kernel/vm.c). Its bss is KMEM_PAGES pages, which the kernel promises
 * when it is spawned and maps as they are touched. It reports on handle
 * SPAWN_HANDLE (the channel to its parent).
 *   "touch"     receives one message into a page it has not touched (the
 *               kernel's copy maps it), then reads every page (each must
 *               be zero) and writes it, reads them all back, and answers
 *               "ok" and the message, or "bad" (sending again while the
 *               kernel has no page for the message).
 *   "half"      touches half of its pages, says "half" and waits to be
 *               killed.
 *   "outside"   says "outside", then reads an address no segment of it
 *               covers: the kernel must kill it.
 *   "exec"      says "exec", then jumps into a page of its bss it has not
 *               touched (readable and writable, not executable): the
 *               kernel must kill it. */
#include "ulib.h"

#define KMEM_PAGES 1024
#define PAGE 4096

static uint8_t mem[KMEM_PAGES][PAGE] __attribute__((aligned(PAGE)));

static void say(const void *v, uint64_t len)
{
    while (sys_chan_send(SPAWN_HANDLE, v, len, NULL, 0, 0) == -(int64_t)KERNEL_ERROR_NO_MEMORY)
        sys_yield();
}

static bool touch_all(uint32_t pages)
{
    for (uint32_t i = 0; i < pages; i++) {
        if (mem[i][i % PAGE] != 0)
            return false;
        mem[i][i % PAGE] = (uint8_t)(i | 1);
    }
    for (uint32_t i = 0; i < pages; i++)
        if (mem[i][i % PAGE] != (uint8_t)(i | 1))
            return false;
    return true;
}

int main(const char *arg)
{
    if (strcmp(arg, "touch") == 0) {
        uint8_t *in = mem[KMEM_PAGES / 2] + 100;   /* untouched; touch_all looks at byte 512 of it */
        int64_t n = sys_chan_recv(SPAWN_HANDLE, in, 64, NULL, NULL, 0);
        bool ok = n > 0 && n <= 62;
        char out[64] = "ok";
        for (int64_t i = 0; ok && i < n; i++)
            out[2 + i] = (char)in[i];
        ok = ok && touch_all(KMEM_PAGES);
        if (ok)
            say(out, 2 + (uint64_t)n);
        else
            say("bad", 3);
        return ok ? 0 : 1;
    }
    if (strcmp(arg, "half") == 0) {
        touch_all(KMEM_PAGES / 2);
        say("half", 4);
        char b[8];
        while (sys_chan_recv(SPAWN_HANDLE, b, sizeof b, NULL, NULL, 0) >= 0)   /* until killed */
            ;
        return 0;
    }
    if (strcmp(arg, "outside") == 0) {
        say("outside", 7);
        return *(volatile uint8_t *)(uintptr_t)0x60000000;   /* between the image and the stack */
    }
    if (strcmp(arg, "exec") == 0) {
        say("exec", 4);
        void (*f)(void) = (void (*)(void))(uintptr_t)mem[KMEM_PAGES - 1];
        f();
    }
    return 1;
}
