/* Handle tables (see handle.h). */
#include "handle.h"
#include "chan.h"
#include "printf.h"
#include "sched.h"

#define WORDS ((MAX_HANDLES + 63) / 64)

void handle_init(struct task *t)
{
    for (uint32_t w = 0; w < WORDS; w++) {
        uint32_t bits = MAX_HANDLES - 64 * w;
        t->handles_free[w] = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
    }
    t->nhandles = 0;
}

static inline void install_at(struct task *t, uint32_t h, struct chan_end *e)
{
    if (h >= MAX_HANDLES || t->handles[h])
        panic("handle_install_at: handle %u of %s is taken", h, t->name);
    t->handles[h] = e;
    t->handles_free[h / 64] &= ~(1ULL << (h % 64));
    t->nhandles++;
    chan_set_owner(e, t, h);
}

void handle_install_at(struct task *t, uint32_t h, struct chan_end *e)
{
    install_at(t, h, e);
}

int64_t handle_install(struct task *t, struct chan_end *e)
{
    for (uint32_t w = 0; w < WORDS; w++) {
        if (t->handles_free[w]) {
            uint32_t h = 64 * w + (uint32_t)ctz64(t->handles_free[w]);
            install_at(t, h, e);
            return h;
        }
    }
    return -1;
}

struct chan_end *handle_remove(struct task *t, uint32_t h)
{
    struct chan_end *e = t->handles[h];
    t->handles[h] = NULL;
    t->handles_free[h / 64] |= 1ULL << (h % 64);
    t->nhandles--;
    return e;
}

void handle_close_all(struct task *t)
{
    for (uint32_t w = 0; w < WORDS; w++) {
        for (uint64_t used = ~t->handles_free[w]; used && t->nhandles; used &= used - 1) {
            uint32_t h = 64 * w + (uint32_t)ctz64(used);
            if (h < MAX_HANDLES)
                chan_close(handle_remove(t, h));
        }
    }
}
