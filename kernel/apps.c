/* The table of apps built into the kernel image. */
#include "apps.h"
#include "lib/klib.h"

#define APP(n) extern const uint8_t app_##n##_start[], app_##n##_end[];
APP(demo)
APP(reactor)
APP(timerbench)
APP(ktest)
APP(khelper)
APP(kfuzz)
#undef APP

#define APP(n) { #n, app_##n##_start, 0 }
static struct app_image images[] = {
    APP(demo), APP(reactor), APP(timerbench), APP(ktest), APP(khelper), APP(kfuzz),
};
#undef APP

static const uint8_t *const ends[] = {
    app_demo_end, app_reactor_end, app_timerbench_end, app_ktest_end, app_khelper_end, app_kfuzz_end,
};

const struct app_image *app_find(const char *name)
{
    for (unsigned i = 0; i < sizeof images / sizeof images[0]; i++) {
        if (strcmp(images[i].name, name) == 0) {
            images[i].size = (uint64_t)(ends[i] - images[i].start);
            return &images[i];
        }
    }
    return NULL;
}
