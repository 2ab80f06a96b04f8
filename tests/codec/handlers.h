/* The request handlers the generated dispatchers call (one per variant of
 * TimerRequest, BootRequest and the test-only ProbeRequest). Each records
 * its call in the struct handler_log passed as ctx and returns log->ret.
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

#endif
