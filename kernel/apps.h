#ifndef KERNEL_APPS_H
#define KERNEL_APPS_H
#include <stdint.h>

/* An app's ELF file, built into the kernel image by apps.S. */
struct app_image {
    const char *name;
    const uint8_t *start;
    uint64_t size;
};

/* The image called name (len bytes, compared whole), or NULL. */
const struct app_image *app_find(const char *name, uint64_t len);
#endif
