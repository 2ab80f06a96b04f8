/* The boot service's handlers (schema/boot.lua): every app's handle
 * BOOT_HANDLE. ConnectService asks the platform for a channel to a named
 * service and hands the app its end as the reply's capability; a refusal
 * is Error { message }. Replies never wait on the app. */
#include "boot_service.h"   /* generated */

/* Error { why }, cut to its first BOOT_ERROR_MAX bytes (the reasons are
 * ASCII: any cut is valid UTF-8): a schema may bound the message below the
 * longest reason, and the app still learns that, and mostly why, it was
 * refused. */
static int reply_error(struct svc_client *c, const char *why)
{
    BootResponse r = BootResponse_init_zero;
    r.tag = BootResponse_Error_tag;
    uint16_t n = 0;
    for (; why[n] && n < BOOT_ERROR_MAX; n++)
        r.u.Error.message.data[n] = why[n];
    r.u.Error.message.data[n] = 0;
    r.u.Error.message.len = n;
    (void)BootResponse_reply(c, &r, NULL, 0);   /* a full queue: counted in send_failed */
    return 0;
}

/* The Error text of a refused connect. */
static const char *refusal(int rc)
{
    switch (-rc) {
    case KERNEL_ERROR_NOT_FOUND: return "not found";
    case KERNEL_ERROR_QUOTA: return "quota";
    case KERNEL_ERROR_NO_MEMORY: return "busy";
    default: return kernel_error_name((uint32_t)-rc);
    }
}

int BootRequest_handle_ConnectService(struct svc_client *c, const BootRequest_ConnectService *m)
{
    void *end;
    int rc = svc_open(c, m->name.data, m->name.len, &end);
    if (rc < 0)
        return reply_error(c, refusal(rc));
    BootResponse r = BootResponse_init_zero;
    r.tag = BootResponse_Ok_tag;
    r.u.Ok.channel = 0;   /* index into the ends passed along */
    (void)BootResponse_reply(c, &r, &end, 1);   /* the end is closed if the reply cannot go */
    return 0;
}

void boot_service_malformed(struct svc_client *c, proto_err err)
{
    (void)err;
    (void)reply_error(c, "malformed request");
}
