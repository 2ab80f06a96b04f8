/* Freestanding helpers shared by the kernel and the guest apps: memory and
 * string functions (the compiler may call memcpy/memset itself) and a small
 * printf engine that writes through a callback. */
#ifndef KERNEL_LIB_KLIB_H
#define KERNEL_LIB_KLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Formats %d %i %u %x %p %s %c %% with optional l/ll/z and a field width
 * (0-padded with 0, left-justified with -); calls put for every output character. */
void vfmt(void (*put)(void *arg, char c), void *arg, const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when cap > 0); returns the length
 * the whole output would have. */
int snfmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The index of x's lowest set bit (x != 0), without libgcc (whose RISC-V
 * build is hard-float; the kernel is soft-float) and without a loop: x's
 * lowest bit times a de Bruijn sequence has a distinct top six bits for
 * each of the 64 positions. */
static inline unsigned ctz64(uint64_t x)
{
    static const uint8_t pos[64] = {
        0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
        62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
        46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
    };
    return pos[((x & -x) * 0x03f79d71b4cb0a89ULL) >> 58];
}

#endif
