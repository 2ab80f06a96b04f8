/* The table of apps built into the kernel image. */
#include "app_list.h"
#include "apps.h"
#include "lib/klib.h"

#define APP_EXTERN(n) extern const uint8_t app_##n##_start[], app_##n##_end[];
APP_LIST(APP_EXTERN)

#define APP_IMAGE(n) { #n, app_##n##_start, 0 },
static struct app_image images[] = { APP_LIST(APP_IMAGE) };

#define APP_END(n) app_##n##_end,
static const uint8_t *const ends[] = { APP_LIST(APP_END) };

const struct app_image *app_find(const char *name, uint64_t len)
{
    for (unsigned i = 0; i < sizeof images / sizeof images[0]; i++) {
        if (strlen(images[i].name) == len && memcmp(images[i].name, name, len) == 0) {
            images[i].size = (uint64_t)(ends[i] - images[i].start);
            return &images[i];
        }
    }
    return NULL;
}
