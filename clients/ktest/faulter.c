/* faulter: a ktest helper that reads kernel memory and must be killed for it.
 * It tells its parent (handle 1) it is about to fault; the parent then sees
 * the channel close without a second message. */
#include "ulib.h"

int main(const char *arg)
{
    (void)arg;
    static const char hello[] = "about to fault";
    sys_chan_send(1, hello, sizeof hello, NULL, 0, 0);
    volatile uint64_t *kernel = (volatile uint64_t *)0x80200000UL;   /* the kernel's entry */
    uint64_t v = *kernel;
    sys_chan_send(1, &v, sizeof v, NULL, 0, 0);   /* must never run */
    return 0;
}
