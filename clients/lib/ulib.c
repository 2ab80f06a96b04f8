/* The guest runtime (see ulib.h). */
#include "ulib.h"
#include "boot_client.h"   /* generated */
#include "timer.h"         /* generated: TICKS_PER_US */

void sys_exit_from_start(int code);

void sys_exit_from_start(int code)
{
    sys_exit(code);
}

struct pbuf {
    char buf[256];
    unsigned len;
};

static void pbuf_put(void *arg, char c)
{
    struct pbuf *p = arg;
    p->buf[p->len++] = c;
    if (p->len == sizeof p->buf) {
        sys_console_write(p->buf, p->len);
        p->len = 0;
    }
}

void printf(const char *fmt, ...)
{
    struct pbuf p;
    p.len = 0;
    va_list ap;
    va_start(ap, fmt);
    vfmt(pbuf_put, &p, fmt, ap);
    va_end(ap);
    if (p.len)
        sys_console_write(p.buf, p.len);
}

static int ct_send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    struct chan_transport *ct = ctx;
    int64_t rc = sys_chan_send(ct->handle, msg, len, caps ? caps->h : NULL, caps ? caps->n : 0, 0);
    return rc < 0 ? (int)rc : 0;
}

static int ct_recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    struct chan_transport *ct = ctx;
    caps->n = 0;
    int64_t rc = sys_chan_recv(ct->handle, buf, cap, caps->h, &caps->n, 0);
    if (rc < 0)
        return (int)rc;
    *len = (size_t)rc;
    return 0;
}

static void ct_close(void *ctx, uint32_t cap)
{
    (void)ctx;
    sys_chan_close(cap);
}

/* The kernel's call, in the register form when the messages fit. */
static int ct_call(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps, uint8_t *buf, size_t cap,
                   size_t *rlen, proto_caps *rcaps)
{
    struct chan_transport *ct = ctx;
    struct chan_io q = { .buf = (uint64_t)(uintptr_t)msg, .len = len },
                   r = { .buf = (uint64_t)(uintptr_t)buf, .len = cap, .caps = (uint64_t)(uintptr_t)rcaps->h };
    if (caps) {
        q.caps = (uint64_t)(uintptr_t)caps->h;
        q.ncaps = caps->n;
    }
    int64_t rc = chan_call(ct->handle, &q, &r, 0);
    if (rc < 0)
        return (int)rc;
    *rlen = (size_t)rc;
    rcaps->n = r.ncaps;
    return 0;
}

proto_transport chan_transport(struct chan_transport *ct, uint32_t handle)
{
    ct->handle = handle;
    return (proto_transport){ ct, ct_send, ct_recv, ct_close, ct_call };
}

static char last_error[BOOT_ERROR_MAX + 1];

const char *connect_error(void)
{
    return last_error;
}

int64_t connect_service(const char *name, bool quiet)
{
    return connect_service_at(BOOT_HANDLE, name, quiet);
}

int64_t connect_service_at(uint32_t boot, const char *name, bool quiet)
{
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, boot);
    BootResponse reply;
    int rc = boot_connect_service(&t, name, &reply);
    last_error[0] = 0;
    if (rc != 0) {
        snfmt(last_error, sizeof last_error, "boot channel: %s", proto_strerror(rc));
    } else if (reply.tag == BootResponse_Error_tag) {
        snfmt(last_error, sizeof last_error, "%s", reply.u.Error.message.data);
        rc = -1;
    }
    if (rc != 0) {
        if (!quiet)
            printf("connect %s: %s\n", name, last_error);
        return rc < 0 ? rc : -rc;
    }
    return reply.u.Ok.channel;   /* the generated decoder checked it came as the message's one cap */
}

uint64_t ticks_to_us(uint64_t ticks)
{
    return ticks / TICKS_PER_US;
}

uint64_t now_us(void)
{
    return ticks_to_us(time_now());
}

uint64_t parse_u64(const char **s, uint64_t dflt)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return dflt;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint64_t)(*p++ - '0');
    if (*p == ',')
        p++;
    *s = p;
    return v;
}

/* The register words of the n bytes at b (n <= REG_MSG_BYTES). From an
 * aligned buffer, whole words, the last of which may hold bytes of b's
 * last aligned word past n (in the same word, so never on another page;
 * the kernel passes on only the n bytes); else byte by byte. */
static inline void words_from(uint64_t w[6], const uint8_t *b, uint64_t n)
{
    if (((uintptr_t)b & 7) == 0) {
        for (uint64_t i = 0; 8 * i < n; i++)
            w[i] = ((const uint64_t *)(const void *)b)[i];
        return;
    }
    for (uint64_t i = 0; i < n; i++)
        ((uint8_t *)w)[i] = b[i];
}

/* The n bytes of the register words w to b: whole words while they fit an
 * aligned buffer, the rest byte by byte. */
static inline void words_to(uint8_t *b, const uint64_t w[6], uint64_t n)
{
    uint64_t i = 0;
    if (((uintptr_t)b & 7) == 0)
        for (; i + 8 <= n; i += 8)
            ((uint64_t *)(void *)b)[i / 8] = w[i / 8];
    for (; i < n; i++)
        b[i] = ((const uint8_t *)w)[i];
}

/* call and reply_recv both take (handle, what goes out, what comes in,
 * deadline): what goes out travels in registers when it fits (no
 * handles, at most REG_MSG_BYTES), and what comes in may come back in
 * them. */
static int64_t reg_call(uint64_t num, uint32_t handle, const struct chan_io *out, struct chan_io *in, uint64_t deadline)
{
    uint64_t w[6] = { 0 }, a1, flags = CHAN_REG_IN;
    if (out && out->ncaps == 0 && out->len <= REG_MSG_BYTES) {
        words_from(w, (const uint8_t *)(uintptr_t)out->buf, out->len);
        flags |= CHAN_REG_OUT | out->len << CHAN_REG_LEN_SHIFT;
    }
    int64_t rc = reg_ecall(num, handle, (uint64_t)(uintptr_t)out, (uint64_t)(uintptr_t)in, deadline, flags, in->len, w,
                           &a1);
    if (rc >= 0 && (a1 & CHAN_REG_IN)) {
        in->len = a1 >> CHAN_REG_LEN_SHIFT & CHAN_REG_LEN_MASK;
        in->ncaps = 0;
        in->status = 0;
        words_to((uint8_t *)(uintptr_t)in->buf, w, in->len);
    }
    return rc;
}
int64_t chan_call(uint32_t handle, const struct chan_io *req, struct chan_io *rep, uint64_t deadline)
{
    return reg_call(SYS_call, handle, req, rep, deadline);
}

int64_t chan_reply_recv(uint32_t handle, const struct chan_io *rep, struct chan_io *req, uint64_t deadline)
{
    return reg_call(SYS_reply_recv, handle, rep, req, deadline);
}
