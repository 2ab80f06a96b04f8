/* The guest apps' small runtime: console output, the channel transport for
 * the generated client stubs, and service connection over the boot channel. */
#ifndef CLIENTS_LIB_ULIB_H
#define CLIENTS_LIB_ULIB_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel_usys.h"   /* generated: sys_* wrappers, MAX_CAPS, errors */
#include "proto.h"
#include "../../kernel/lib/klib.h"

int main(const char *arg);

void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A proto_transport over one channel handle: capabilities are handles,
 * sent and received with the message, and closed with chan_close when no
 * decoder claims them. Errors are negated kernel_error. */
struct chan_transport {
    uint32_t handle;
};
proto_transport chan_transport(struct chan_transport *ct, uint32_t handle);

/* call and reply_recv in their register form: a message of at most
 * REG_MSG_BYTES without handles goes out in registers, and one handed back
 * straight comes back in them and is copied here into rep's (req's)
 * buffer, len, ncaps and status set as the kernel sets them otherwise.
 * Anything longer takes the chan_io as sys_call and sys_reply_recv do.
 * chan_reply_recv: rep NULL, no reply. */
int64_t chan_call(uint32_t handle, const struct chan_io *req, struct chan_io *rep, uint64_t deadline);
int64_t chan_reply_recv(uint32_t handle, const struct chan_io *rep, struct chan_io *req, uint64_t deadline);
/* The ecall under both, in the register form (inline: every call's
 * path): syscall num with a0..a5 = x0..x5 and t0..t2, t3..t5 = w, which
 * gets what the kernel left there; *a1_out gets a1 (CHAN_REG_IN and the
 * length when a message came back in registers). */
static inline int64_t reg_ecall(uint64_t num, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4,
                                uint64_t x5, uint64_t w[6], uint64_t *a1_out)
{
    register uint64_t a0 __asm__("a0") = x0, a1 __asm__("a1") = x1, a2 __asm__("a2") = x2, a3 __asm__("a3") = x3;
    register uint64_t a4 __asm__("a4") = x4, a5 __asm__("a5") = x5, a7 __asm__("a7") = num;
    register uint64_t t0 __asm__("t0") = w[0], t1 __asm__("t1") = w[1], t2 __asm__("t2") = w[2];
    register uint64_t t3 __asm__("t3") = w[3], t4 __asm__("t4") = w[4], t5 __asm__("t5") = w[5];
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5)
                     : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
                     : "memory");
    w[0] = t0, w[1] = t1, w[2] = t2, w[3] = t3, w[4] = t4, w[5] = t5;
    *a1_out = a1;
    return (int64_t)a0;
}

/* Asks the boot channel for a channel to service name: its handle (>= 0),
 * or < 0 with the reason printed unless quiet. */
int64_t connect_service(const char *name, bool quiet);
/* The same through the boot channel end boot (one another app handed over). */
int64_t connect_service_at(uint32_t boot, const char *name, bool quiet);
/* The service's error text from the last refused connect_service. */
const char *connect_error(void);

/* rdtime read directly (the kernel lets U-mode read time): the same clock
 * as sys_time_now without a trap. */
static inline uint64_t time_now(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

/* rdtime ticks to microseconds. */
uint64_t ticks_to_us(uint64_t ticks);
uint64_t now_us(void);
/* Parses a decimal number at *s, advancing it past the digits and one ','. */
uint64_t parse_u64(const char **s, uint64_t dflt);
#endif
