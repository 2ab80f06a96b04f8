/* The random timer durations of the timer benchmarks: timerbench (a guest
 * app) and the bare guest under ninja bench-kernel (S-mode, no kernel) draw
 * the same sequence from the same seed. Durations are 1 us to 100 ms,
 * log-uniform: a random decade, then uniform in it, so that short and long
 * timers are both common. Header-only: it needs no runtime. */
#ifndef CLIENTS_LIB_BENCH_RANDOM_H
#define CLIENTS_LIB_BENCH_RANDOM_H
#include <stdint.h>

#define BENCH_RANDOM_SEED 0x9E3779B97F4A7C15ULL

/* xorshift64: the next value of the generator whose state is *s. */
static inline uint64_t bench_rand64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A timer duration in microseconds, 1 to 100000. */
static inline uint64_t bench_random_us(uint64_t *s)
{
    uint64_t lo = 1;
    for (uint64_t k = bench_rand64(s) % 5; k > 0; k--)
        lo *= 10;                                             /* 1, 10, ..., 10000 */
    return lo + bench_rand64(s) % (9 * lo + (lo == 10000));   /* up to 100000 */
}
#endif
