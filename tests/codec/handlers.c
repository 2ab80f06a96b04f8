/* Recording handlers for the generated dispatchers (see handlers.h). */
#include "handlers.h"

static int record(void *ctx, enum handled which)
{
    struct handler_log *log = ctx;
    log->calls++;
    log->last = which;
    return log->ret;
}

static int TimerRequest_handle_After(void *ctx, const TimerRequest_After *m)
{
    ((struct handler_log *)ctx)->after = *m;
    return record(ctx, HANDLED_AFTER);
}

static int BootRequest_handle_ConnectService(void *ctx, const BootRequest_ConnectService *m)
{
    ((struct handler_log *)ctx)->connect_service = *m;
    return record(ctx, HANDLED_CONNECT_SERVICE);
}

static int ProbeRequest_handle_Flags(void *ctx, const ProbeRequest_Flags *m)
{
    ((struct handler_log *)ctx)->flags = *m;
    return record(ctx, HANDLED_FLAGS);
}

static int ProbeRequest_handle_Numbers(void *ctx, const ProbeRequest_Numbers *m)
{
    ((struct handler_log *)ctx)->numbers = *m;
    return record(ctx, HANDLED_NUMBERS);
}

static int ProbeRequest_handle_Shape(void *ctx, const ProbeRequest_Shape *m)
{
    ((struct handler_log *)ctx)->shape = *m;
    return record(ctx, HANDLED_SHAPE);
}

static int ProbeRequest_handle_Labels(void *ctx, const ProbeRequest_Labels *m)
{
    ((struct handler_log *)ctx)->labels = *m;
    return record(ctx, HANDLED_LABELS);
}

static int ProbeRequest_handle_Maybe(void *ctx, const ProbeRequest_Maybe *m)
{
    ((struct handler_log *)ctx)->maybe = *m;
    return record(ctx, HANDLED_MAYBE);
}

static int ProbeRequest_handle_Floats(void *ctx, const ProbeRequest_Floats *m)
{
    ((struct handler_log *)ctx)->floats = *m;
    return record(ctx, HANDLED_FLOATS);
}

static int ProbeRequest_handle_Seek(void *ctx, const ProbeRequest_Seek *m)
{
    ((struct handler_log *)ctx)->seek = *m;
    return record(ctx, HANDLED_SEEK);
}

static int ProbeRequest_handle_Note(void *ctx, const ProbeRequest_Note *m)
{
    ((struct handler_log *)ctx)->note = *m;
    return record(ctx, HANDLED_NOTE);
}

static int ProbeRequest_handle_Chunk(void *ctx, const ProbeRequest_Chunk *m)
{
    ((struct handler_log *)ctx)->chunk = *m;
    return record(ctx, HANDLED_CHUNK);
}

static int ProbeRequest_handle_Ping(void *ctx)
{
    return record(ctx, HANDLED_PING);
}

static int ProbeHand_handle_Give(void *ctx, const ProbeHand_Give *m)
{
    ((struct handler_log *)ctx)->give = *m;
    return record(ctx, HANDLED_GIVE);
}

static int ProbeHand_handle_Nothing(void *ctx)
{
    return record(ctx, HANDLED_NOTHING);
}

static const TimerRequest_handlers timer_handlers = { .After = TimerRequest_handle_After };
static const BootRequest_handlers boot_handlers = { .ConnectService = BootRequest_handle_ConnectService };
static const ProbeRequest_handlers probe_handlers = {
    .Flags = ProbeRequest_handle_Flags,
    .Numbers = ProbeRequest_handle_Numbers,
    .Shape = ProbeRequest_handle_Shape,
    .Labels = ProbeRequest_handle_Labels,
    .Maybe = ProbeRequest_handle_Maybe,
    .Floats = ProbeRequest_handle_Floats,
    .Seek = ProbeRequest_handle_Seek,
    .Note = ProbeRequest_handle_Note,
    .Chunk = ProbeRequest_handle_Chunk,
    .Ping = ProbeRequest_handle_Ping,
};
static const ProbeHand_handlers hand_handlers = { .Give = ProbeHand_handle_Give, .Nothing = ProbeHand_handle_Nothing };

proto_err record_TimerRequest(void *log, const uint8_t *msg, size_t len, int *result)
{
    return TimerRequest_dispatch(&timer_handlers, log, msg, len, result);
}

proto_err record_BootRequest(void *log, const uint8_t *msg, size_t len, int *result)
{
    return BootRequest_dispatch(&boot_handlers, log, msg, len, result);
}

proto_err record_ProbeRequest(void *log, const uint8_t *msg, size_t len, int *result)
{
    return ProbeRequest_dispatch(&probe_handlers, log, msg, len, result);
}

proto_err record_ProbeHand(void *log, const uint8_t *msg, size_t len, const proto_caps *caps, int *result)
{
    return ProbeHand_dispatch(&hand_handlers, log, msg, len, caps, result);
}
