/* The boot service. Requests are decoded and dispatched by the generated
 * BootRequest_dispatch; replies are encoded by the generated codec. The
 * service never waits on an app: replies are sent non-blocking. */
#include "boot_svc.h"
#include "../printf.h"
#include "boot_dispatch.h"   /* generated */
#include "../handle.h"
#include "service.h"
#include "../trace.h"

#define MAX_SERVICES 8

struct service {
    const char *name;
    service_connect_fn connect;
};

static struct service services[MAX_SERVICES];
static struct task *boot_task;
static uint64_t boot_malformed;

void boot_svc_register(const char *name, service_connect_fn connect)
{
    for (int i = 0; i < MAX_SERVICES; i++) {
        if (services[i].name == NULL) {
            services[i] = (struct service){ name, connect };
            return;
        }
    }
    panic("boot_svc_register: more than %d services", MAX_SERVICES);
}

int boot_svc_attach(struct task *t)
{
    struct chan_end *app, *svc;
    int rc = chan_create(boot_task, t, &svc, &app);
    if (rc < 0)
        return rc;
    app->speaks = TRACE_BOOT_REQUEST;
    svc->speaks = TRACE_BOOT_RESPONSE;
    chan_set_polled(svc, true);
    handle_install_at(t, BOOT_HANDLE, app);
    return 0;
}

uint64_t boot_svc_malformed(void)
{
    return boot_malformed;
}

/* Sends r on e. r's capabilities name ends by index (the generated encoder
 * lists them in wire order); the ends move to the app, or are closed when
 * the reply cannot go (the app would never get them: nothing leaks). */
static void reply(struct chan_end *e, const BootResponse *r, struct chan_end *const *ends, uint32_t nends)
{
    uint8_t buf[BootResponse_MAX_SIZE];
    proto_caps caps;
    struct chan_end *moved[BootResponse_MAX_CAPS > 0 ? BootResponse_MAX_CAPS : 1];
    size_t len;
    int rc = -1;
    if (BootResponse_encode_caps(r, buf, sizeof buf, &len, &caps) == PROTO_OK && caps.n == nends &&
        chan_wait_writable(e, true) == 0) {
        for (uint32_t i = 0; i < caps.n; i++)
            moved[i] = ends[caps.h[i]];
        rc = chan_push(e, buf, len, moved, caps.n, NULL);   /* charged to the app */
    }
    if (rc < 0)
        for (uint32_t i = 0; i < nends; i++)
            chan_close(ends[i]);
}

static void reply_error(struct chan_end *e, const char *why)
{
    BootResponse r = BootResponse_init_zero;
    r.tag = BootResponse_Error_tag;
    if (PROTO_STR_SET(r.u.Error.message, why) != PROTO_OK)
        panic("boot: error text too long: %s", why);
    reply(e, &r, NULL, 0);
}

int BootRequest_handle_ConnectService(void *ctx, const BootRequest_ConnectService *m)
{
    struct chan_end *e = ctx;
    for (int i = 0; i < MAX_SERVICES && services[i].name; i++) {
        /* By length: a name with a NUL inside must not match a prefix. */
        if (strlen(services[i].name) != m->name.len ||
            memcmp(services[i].name, m->name.data, m->name.len) != 0)
            continue;
        struct chan_end *client = NULL;
        int rc = services[i].connect(e->acct, &client);   /* the app the channel was made for */
        if (rc < 0) {
            reply_error(e, rc == -KERNEL_ERROR_QUOTA ? "quota" : rc == -KERNEL_ERROR_NO_MEMORY ? "busy"
                                                                  : kernel_error_name((uint32_t)-rc));
            return rc;
        }
        BootResponse r = BootResponse_init_zero;
        r.tag = BootResponse_Ok_tag;
        r.u.Ok.channel = 0;   /* index into the ends passed along */
        reply(e, &r, &client, 1);
        return 0;
    }
    reply_error(e, "not found");
    return -KERNEL_ERROR_INVALID;
}

/* Answers everything queued on one boot channel; closes it with its app. */
static void serve(struct chan_end *e)
{
    static uint8_t buf[MAX_MSG_SIZE];
    uint64_t len;
    while (chan_ready(e)) {
        if (chan_recv(e, buf, sizeof buf, &len, true) < 0) {
            chan_close(e);               /* the app is gone */
            return;
        }
        int result;
        if (BootRequest_dispatch(e, buf, len, &result) != PROTO_OK) {
            boot_malformed++;
            reply_error(e, "malformed request");
        }
    }
}

static void boot_main(void *arg)
{
    (void)arg;
    service_run(serve, NULL);
}

void boot_svc_init(void)
{
    boot_task = service_start("boot", boot_main);
}
