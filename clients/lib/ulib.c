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

proto_transport chan_transport(struct chan_transport *ct, uint32_t handle)
{
    ct->handle = handle;
    return (proto_transport){ ct, ct_send, ct_recv, ct_close };
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
