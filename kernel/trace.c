/* The IPC trace (see trace.h). One line per message:
 *   trace: 12345 us demo(0) -> boot(0): BootRequest::ConnectService { name: "timer" }
 * The time is rdtime in µs; the names are the tasks holding the two ends,
 * each with its name for the end (an app's handle, a service's slot). */
#include "trace.h"
#include "boot_format.h"    /* generated */
#include "chan.h"
#include "printf.h"
#include "riscv.h"
#include "sched.h"
#include "timer_format.h"   /* generated */

#define TRACE_RAW_BYTES 32  /* raw messages: the bytes shown */

bool trace_ipc;

typedef size_t (*format_bytes_fn)(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap);

static const format_bytes_fn formatters[] = {
    [TRACE_RAW] = NULL,
    [TRACE_BOOT_REQUEST] = BootRequest_format_bytes,
    [TRACE_BOOT_RESPONSE] = BootResponse_format_bytes,
    [TRACE_TIMER_REQUEST] = TimerRequest_format_bytes,
    [TRACE_TIMER_RESPONSE] = TimerResponse_format_bytes,
};

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

void trace_msg_print(const struct chan_end *from, const struct chan_msg *m)
{
    static char text[256];
    format_bytes_fn format = from->speaks < sizeof formatters / sizeof formatters[0] ? formatters[from->speaks] : NULL;
    size_t n = (format ? format : format_raw)(m->data, m->len, m->ncaps, text, sizeof text);
    const struct chan_end *to = from->peer;
    kprintf("trace: %lu us %s(%u) -> %s(%u): %s%s", (uint64_t)(r_time() / TICKS_PER_US), holder(from), from->handle,
            holder(to), to ? to->handle : 0, text, n >= sizeof text ? " ..." : "");
    if (m->ncaps)
        kprintf(" +%u cap%s", m->ncaps, m->ncaps > 1 ? "s" : "");
    kprintf("\n");
}
