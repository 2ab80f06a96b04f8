/* Recording handlers for the generated dispatchers (one per variant of
 * TimerRequest, BootRequest and the test-only ProbeRequest and ProbeHand),
 * passed to them as their handler tables by record_UNION. Each handler
 * records its call in the struct handler_log passed as ctx and returns
 * log->ret.
 */
#ifndef TESTS_CODEC_HANDLERS_H
#define TESTS_CODEC_HANDLERS_H

#include "boot_dispatch.h"
#include "probe_dispatch.h"
#include "timer_dispatch.h"

enum handled {
    HANDLED_NONE,
    HANDLED_AFTER,
    HANDLED_CONNECT_SERVICE,
    HANDLED_FLAGS,
    HANDLED_NUMBERS,
    HANDLED_SHAPE,
    HANDLED_LABELS,
    HANDLED_MAYBE,
    HANDLED_FLOATS,
    HANDLED_SEEK,
    HANDLED_NOTE,
    HANDLED_CHUNK,
    HANDLED_PING,
    HANDLED_GIVE,
    HANDLED_NOTHING,
};

struct handler_log {
    int ret;             /* what every handler returns */
    int calls;           /* handler calls so far */
    enum handled last;   /* the handler called last */
    TimerRequest_After after;
    BootRequest_ConnectService connect_service;
    ProbeRequest_Flags flags;
    ProbeRequest_Numbers numbers;
    ProbeRequest_Shape shape;
    ProbeRequest_Labels labels;
    ProbeRequest_Maybe maybe;
    ProbeRequest_Floats floats;
    ProbeRequest_Seek seek;
    ProbeRequest_Note note;
    ProbeRequest_Chunk chunk;
    ProbeHand_Give give;
};

/* UNION_dispatch with the recording handlers; log is a struct handler_log. */
proto_err record_TimerRequest(void *log, const uint8_t *msg, size_t len, int *result);
proto_err record_BootRequest(void *log, const uint8_t *msg, size_t len, int *result);
proto_err record_ProbeRequest(void *log, const uint8_t *msg, size_t len, int *result);
proto_err record_ProbeHand(void *log, const uint8_t *msg, size_t len, const proto_caps *caps, int *result);

#endif
