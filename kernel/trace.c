/* The IPC trace (see trace.h). One line per message:
 *   trace: 12345 us demo(0) -> boot(0): BootRequest::ConnectService { name: "timer" }
 * The time is rdtime in µs; the names are the tasks holding the two ends,
 * each with its name for the end (an app's handle, a service's slot). */
#include "trace.h"
#include "chan.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"
#include "proto_format.h"   /* generated */
#include "service.h"
#include "services/svc.h"
#include "timer.h"          /* generated: TICKS_PER_US */

#define TRACE_RAW_BYTES 32  /* raw messages: the bytes shown */

bool trace_ipc;

/* The generated formatter of what an end speaks (service_speaks), or NULL. */
static svc_format_fn *formatter(uint8_t speaks)
{
    if (speaks == SPEAKS_RAW || speaks > 2 * SERVICE_COUNT)
        return NULL;
    const struct svc_desc *d = service_registry[(speaks - 1) / 2]->desc;
    return (speaks - 1) % 2 ? d->format_response : d->format_request;
}

/* raw N bytes <hex of the first TRACE_RAW_BYTES> */
static size_t format_raw(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap)
{
    (void)ncaps;   /* said after the text */
    proto_fmt f = PROTO_FMT_INIT(buf, cap);
    proto_fmt_text(&f, "raw ");
    proto_fmt_u64(&f, len);
    proto_fmt_text(&f, " bytes ");
    proto_fmt_hex(&f, msg, len, TRACE_RAW_BYTES);
    if (len > TRACE_RAW_BYTES)
        proto_fmt_text(&f, " ...");
    return proto_fmt_end(&f);
}

static const char *holder(const struct chan_end *e)
{
    return e && e->owner ? e->owner->name : "(in flight)";
}

void trace_msg_print(const struct chan_end *from, const uint8_t *data, uint32_t len, uint32_t ncaps)
{
    static char text[256];
    svc_format_fn *format = formatter(from->speaks);
    size_t n = (format ? format : format_raw)(data, len, ncaps, text, sizeof text);
    const struct chan_end *to = from->peer;
    kprintf("trace: %lu us %s(%u) -> %s(%u): %s%s", (uint64_t)(r_time() / TICKS_PER_US), holder(from), from->handle,
            holder(to), to ? to->handle : 0, text, n >= sizeof text ? " ..." : "");
    if (ncaps)
        kprintf(" +%u cap%s", ncaps, ncaps > 1 ? "s" : "");
    kprintf("\n");
}
