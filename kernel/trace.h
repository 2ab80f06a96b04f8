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

extern bool trace_ipc;

#include <stdint.h>

void trace_msg_print(const struct chan_end *from, const uint8_t *data, uint32_t len, uint32_t ncaps);

/* Called for every message sent from end from: chan.c for those it
 * queues, syscall.c for those call and reply_recv hand straight over. */
static inline void trace_msg(const struct chan_end *from, const uint8_t *data, uint32_t len, uint32_t ncaps)
{
    if (trace_ipc)
        trace_msg_print(from, data, len, ncaps);
}
#endif
