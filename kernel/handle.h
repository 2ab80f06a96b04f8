/* An app's handle table: handle h names handles[h], a channel end the app
 * holds. Install takes the lowest free number in O(MAX_HANDLES / 64). */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H
#include <stddef.h>
#include <stdint.h>
#include "sched.h"

/* Empties t's table. */
void handle_init(struct task *t);
/* The end behind handle h of t, or NULL (also for h out of range);
 * inline, as every channel syscall starts with it. */
static inline struct chan_end *handle_get(const struct task *t, uint64_t h)
{
    return h < MAX_HANDLES ? t->handles[h] : NULL;
}
/* Gives t the end e under the lowest free handle; the handle, or -1 when
 * all MAX_HANDLES are in use. e leaves any poll set. */
int64_t handle_install(struct task *t, struct chan_end *e);
/* Gives t the end e under handle h, which must be free. */
void handle_install_at(struct task *t, uint32_t h, struct chan_end *e);
/* Takes handle h away from t (the end itself stays as it is); returns the end. */
struct chan_end *handle_remove(struct task *t, uint32_t h);
/* Closes every handle of t. */
void handle_close_all(struct task *t);
#endif
