/* The IPC trace, switched on by the bootarg "trace-ipc": one console line
 * per message queued on a channel, with the time, the sender and the
 * receiver, and the message decoded by the protocol of the end it was sent
 * from and written by the generated formatter (its bytes in hex when it
 * does not decode or the channel has no protocol). What each end speaks is
 * set where a service makes the channel (service_speaks), so each service
 * in the generated registry is traced both ways with nothing to list here. */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <stdbool.h>

struct chan_end;
struct chan_msg;

extern bool trace_ipc;

void trace_msg_print(const struct chan_end *from, const struct chan_msg *m);

/* chan.c calls this for every message it queues, sent from end from. */
static inline void trace_msg(const struct chan_end *from, const struct chan_msg *m)
{
    if (trace_ipc)
        trace_msg_print(from, m);
}
#endif
