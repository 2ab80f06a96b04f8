/* The ksys_* handlers the generated syscall table (generated/kernel_syscalls.c)
 * calls. Every user pointer and length is checked before use; errors are
 * negated kernel_error codes. */
#include "chan.h"
#include "exec.h"
#include "kernel_syscalls.h"   /* generated */
#include "printf.h"
#include "riscv.h"
#include "sbi.h"
#include "sched.h"
#include "vm.h"

#define ERR(e) (-(int64_t)KERNEL_ERROR_##e)

/* The end behind handle h of the current task, or NULL. */
static struct chan_end *handle_get(uint32_t h)
{
    return h < MAX_HANDLES ? current->handles[h] : NULL;
}

/* Installs e in the lowest free slot; the handle, or -1 when full. */
static int64_t handle_install(struct chan_end *e)
{
    for (uint32_t h = 0; h < MAX_HANDLES; h++) {
        if (current->handles[h] == NULL) {
            current->handles[h] = e;
            e->owner = current;
            e->polled = false;
            return h;
        }
    }
    return -1;
}

static uint32_t handles_free(void)
{
    uint32_t n = 0;
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        n += current->handles[h] == NULL;
    return n;
}

int64_t ksys_console_write(uint64_t buf, uint64_t len)
{
    char tmp[256];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof tmp ? len - done : sizeof tmp;
        if (copyin(current->pt, tmp, buf + done, n) < 0)
            return ERR(BAD_ADDRESS);
        console_write(tmp, n);
        done += n;
    }
    return (int64_t)len;
}

int64_t ksys_exit(int32_t code)
{
    task_exit(code);
}

int64_t ksys_yield(void)
{
    sched_yield();
    return 0;
}

uint64_t ksys_time_now(void)
{
    return r_time();
}

int64_t ksys_chan_create(uint64_t ends)
{
    if (!uvm_range_ok(current->pt, ends, 2 * sizeof(uint32_t), true))
        return ERR(BAD_ADDRESS);
    if (handles_free() < 2)
        return ERR(NO_MEMORY);
    struct chan_end *a, *b;
    if (chan_create(current, &a, &b) < 0)
        return ERR(NO_MEMORY);
    uint32_t h[2] = { (uint32_t)handle_install(a), (uint32_t)handle_install(b) };
    copyout(current->pt, ends, h, sizeof h);   /* checked above */
    return 0;
}

int64_t ksys_chan_send(uint32_t handle, uint64_t buf, uint64_t len, uint64_t caps, uint32_t ncaps, uint32_t flags)
{
    uint8_t data[MAX_MSG_SIZE];
    uint32_t hcaps[MAX_CAPS];
    struct chan_end *ecaps[MAX_CAPS];
    struct chan_end *e = handle_get(handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    if (len > MAX_MSG_SIZE || ncaps > MAX_CAPS)
        return ERR(TOO_BIG);
    if (copyin(current->pt, data, buf, len) < 0 ||
        copyin(current->pt, hcaps, caps, ncaps * sizeof(uint32_t)) < 0)
        return ERR(BAD_ADDRESS);
    for (uint32_t i = 0; i < ncaps; i++)
        if ((ecaps[i] = handle_get(hcaps[i])) == NULL)
            return ERR(BAD_HANDLE);
    int rc = chan_wait_writable(e, flags & CHAN_NONBLOCK);
    if (rc == 0)
        rc = chan_push(e, data, len, ecaps, ncaps);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < ncaps; i++)   /* moved to the receiver */
        current->handles[hcaps[i]] = NULL;
    return 0;
}

int64_t ksys_chan_recv(uint32_t handle, uint64_t buf, uint64_t cap, uint64_t caps, uint64_t ncaps, uint32_t flags)
{
    struct chan_end *e = handle_get(handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    int rc = chan_wait_readable(e, flags & CHAN_NONBLOCK);
    if (rc < 0)
        return rc;
    struct chan_msg *m = chan_head(e);
    if (m->len > cap)
        return ERR(BUFFER_TOO_SMALL);
    if (!uvm_range_ok(current->pt, buf, m->len, true) ||
        (ncaps && !uvm_range_ok(current->pt, ncaps, sizeof(uint32_t), true)) ||
        (m->ncaps && !uvm_range_ok(current->pt, caps, m->ncaps * sizeof(uint32_t), true)))
        return ERR(BAD_ADDRESS);
    if (m->ncaps > 0 && ncaps == 0)
        return ERR(INVALID);   /* the handles would be lost */
    if (handles_free() < m->ncaps)
        return ERR(NO_MEMORY);
    uint32_t hcaps[MAX_CAPS], n = m->ncaps;
    for (uint32_t i = 0; i < n; i++)
        hcaps[i] = (uint32_t)handle_install(m->caps[i]);
    int64_t len = m->len;
    copyout(current->pt, buf, m->data, m->len);
    copyout(current->pt, caps, hcaps, n * sizeof(uint32_t));
    if (ncaps)
        copyout(current->pt, ncaps, &n, sizeof n);
    chan_pop(e);
    return len;
}

int64_t ksys_chan_close(uint32_t handle)
{
    struct chan_end *e = handle_get(handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    current->handles[handle] = NULL;
    chan_close(e);
    return 0;
}

int64_t ksys_chan_poll_add(uint32_t handle)
{
    struct chan_end *e = handle_get(handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    e->polled = true;
    return 0;
}

int64_t ksys_chan_poll_remove(uint32_t handle)
{
    struct chan_end *e = handle_get(handle);
    if (e == NULL)
        return ERR(BAD_HANDLE);
    e->polled = false;
    return 0;
}

/* The first polled handle with a message queued or a closed peer, or -1. */
static int64_t poll_ready(void)
{
    for (uint32_t h = 0; h < MAX_HANDLES; h++) {
        struct chan_end *e = current->handles[h];
        if (e && e->polled && chan_ready(e))
            return h;
    }
    return -1;
}

int64_t ksys_block(uint64_t deadline)
{
    for (;;) {
        int64_t h = poll_ready();
        if (h >= 0)
            return h;
        if (sched_block(NULL, true, deadline))
            return ERR(WOULD_BLOCK);
    }
}

int64_t ksys_shutdown(int32_t code)
{
    kprintf("kernel: %s asked for power-off with code %d (%s)\n", current->name, code,
            code == 0 ? "pass" : "fail");
    sbi_shutdown(code != 0);
}

int64_t ksys_spawn(uint64_t name, uint64_t name_len, uint64_t arg, uint64_t arg_len)
{
    char n[32], a[APP_ARG_MAX];
    if (name_len >= sizeof n || arg_len >= sizeof a)
        return ERR(TOO_BIG);
    if (copyin(current->pt, n, name, name_len) < 0 || copyin(current->pt, a, arg, arg_len) < 0)
        return ERR(BAD_ADDRESS);
    n[name_len] = 0;
    a[arg_len] = 0;
    if (handles_free() < 1)
        return ERR(NO_MEMORY);
    struct chan_end *ours, *theirs;
    if (chan_create(current, &ours, &theirs) < 0)
        return ERR(NO_MEMORY);
    struct task *child = exec_app(n, a, false);
    if (child == NULL) {
        chan_close(ours);
        chan_close(theirs);
        return ERR(INVALID);
    }
    child->handles[1] = theirs;   /* the child starts with handles 0 (boot) and 1 */
    theirs->owner = child;
    return handle_install(ours);
}
