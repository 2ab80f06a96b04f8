/* Recording handlers for the generated dispatchers (see handlers.h). */
#include "handlers.h"

static int record(void *ctx, enum handled which)
{
    struct handler_log *log = ctx;
    log->calls++;
    log->last = which;
    return log->ret;
}

int TimerRequest_handle_After(void *ctx, const TimerRequest_After *m)
{
    ((struct handler_log *)ctx)->after = *m;
    return record(ctx, HANDLED_AFTER);
}

int BootRequest_handle_ConnectService(void *ctx, const BootRequest_ConnectService *m)
{
    ((struct handler_log *)ctx)->connect_service = *m;
    return record(ctx, HANDLED_CONNECT_SERVICE);
}

int ProbeRequest_handle_Flags(void *ctx, const ProbeRequest_Flags *m)
{
    ((struct handler_log *)ctx)->flags = *m;
    return record(ctx, HANDLED_FLAGS);
}

int ProbeRequest_handle_Numbers(void *ctx, const ProbeRequest_Numbers *m)
{
    ((struct handler_log *)ctx)->numbers = *m;
    return record(ctx, HANDLED_NUMBERS);
}

int ProbeRequest_handle_Shape(void *ctx, const ProbeRequest_Shape *m)
{
    ((struct handler_log *)ctx)->shape = *m;
    return record(ctx, HANDLED_SHAPE);
}

int ProbeRequest_handle_Labels(void *ctx, const ProbeRequest_Labels *m)
{
    ((struct handler_log *)ctx)->labels = *m;
    return record(ctx, HANDLED_LABELS);
}

int ProbeRequest_handle_Maybe(void *ctx, const ProbeRequest_Maybe *m)
{
    ((struct handler_log *)ctx)->maybe = *m;
    return record(ctx, HANDLED_MAYBE);
}

int ProbeRequest_handle_Floats(void *ctx, const ProbeRequest_Floats *m)
{
    ((struct handler_log *)ctx)->floats = *m;
    return record(ctx, HANDLED_FLOATS);
}

int ProbeRequest_handle_Seek(void *ctx, const ProbeRequest_Seek *m)
{
    ((struct handler_log *)ctx)->seek = *m;
    return record(ctx, HANDLED_SEEK);
}

int ProbeRequest_handle_Note(void *ctx, const ProbeRequest_Note *m)
{
    ((struct handler_log *)ctx)->note = *m;
    return record(ctx, HANDLED_NOTE);
}

int ProbeRequest_handle_Chunk(void *ctx, const ProbeRequest_Chunk *m)
{
    ((struct handler_log *)ctx)->chunk = *m;
    return record(ctx, HANDLED_CHUNK);
}

int ProbeRequest_handle_Ping(void *ctx)
{
    return record(ctx, HANDLED_PING);
}

int ProbeHand_handle_Give(void *ctx, const ProbeHand_Give *m)
{
    ((struct handler_log *)ctx)->give = *m;
    return record(ctx, HANDLED_GIVE);
}

int ProbeHand_handle_Nothing(void *ctx)
{
    return record(ctx, HANDLED_NOTHING);
}
