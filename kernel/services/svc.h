/* The service binding: what every kernel service shares, free of the
 * kernel. A service is its schema (protocol "P" { service = "NAME", ... })
 * and its handlers; the generator writes the rest (generated/P_service.c):
 * its description (struct svc_desc), its client table sized by the
 * schema's max_clients, the dispatch to the handlers and a typed reply
 * function per response type. This file keeps the client table and the
 * counters; a platform binds it to channels and a clock:
 *   - the kernel (service.c): a task per service, real channels, rdtime;
 *   - the host (tests/harness/svc_host.c): a loopback transport and a fake
 *     clock, so the same handlers run under Criterion.
 *
 * Errors: functions returning int give 0 (or a slot) or a negated
 * kernel_error; codec results stay proto_err.
 *
 * Cost follows work: connect and disconnect are O(1) (free slots are a
 * stack), a request is one decode and one handler call; only svc_init
 * touches every slot. */
#ifndef KERNEL_SERVICES_SVC_H
#define KERNEL_SERVICES_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel.h"   /* generated: kernel_error, struct service_stats */
#include "proto.h"    /* generated: proto_err */

#ifdef __cplusplus
extern "C" {
#endif

struct svc;

/* One connected client. Handlers get it; svc_client_slot names it. */
struct svc_client {
    struct svc *svc;
    uint32_t slot;    /* 0 .. max_clients - 1 */
    bool used;
    void *chan;       /* the platform's end of this client's channel */
    void *app;        /* the platform's account the client is charged to */
    void *asker;      /* the platform's account of the app whose request was
                         served last (its replies, even later ones, are
                         charged to it), and the platform's check that it */
    uint64_t asker_tag;   /* is still that app (the kernel: the task's serial) */
};

typedef size_t svc_format_fn(const uint8_t *msg, size_t len, uint32_t ncaps, char *buf, size_t cap);

/* What the generator knows of a service (generated/P_service.c). Every hook
 * is set: the generator fills in a default for each one the service does
 * not define. */
struct svc_desc {
    const char *name;          /* the name apps connect to ("timer") */
    const char *schema;        /* "schema/timer.lua:4", for messages */
    const char *protocol;      /* its protocol ("timer") */
    const char *request;       /* the union its clients send ("TimerRequest") */
    uint32_t id;               /* SERVICE_ID_name (generated/services.h) */
    uint32_t max_clients;      /* clients at once */
    uint32_t app_quota;        /* clients one app may hold; 0: no quota */
    int32_t attach;            /* >= 0: every app gets a client at this handle
                                  when it starts (not offered by name); -1: none */
    /* Decodes a request and calls its variant's handler, whose result goes
     * to *result. */
    proto_err (*dispatch)(struct svc_client *c, const uint8_t *msg, size_t len, int *result);
    /* Hooks: */
    void (*init)(void);                                 /* once, before any client */
    int (*connect)(struct svc_client *c);               /* 0, or a -kernel_error to refuse */
    void (*disconnect)(struct svc_client *c);           /* c's channel closed */
    uint64_t (*tick)(uint64_t now);                     /* does what is due at now; the next deadline, 0: none */
    uint64_t (*pending)(void);                          /* work held for clients (kstat) */
    void (*malformed)(struct svc_client *c, proto_err err);   /* a request that did not decode */
    /* The trace: how each direction of its channel is written. */
    svc_format_fn *format_request, *format_response;
};

/* A service's state: the generated binding defines one per service, with
 * its client table and free-slot stack sized by max_clients. */
struct svc {
    const struct svc_desc *desc;
    struct svc_client *clients;   /* desc->max_clients */
    uint32_t *free_slots;         /* a stack: free_slots[free_len - 1] goes next */
    uint32_t free_len;
    struct service_stats stats;   /* served, malformed, refused, replies, send_failed */
    void *platform;               /* the platform's own (the kernel: the task) */
};

/* ---------------------------------------------------------------- the binding */

/* Empties the table (slots handed out from 0 up) and runs the init hook. */
void svc_init(struct svc *s);
/* A new client on chan, charged to app: 0 and *out, or -NO_MEMORY when
 * max_clients are connected, or what the connect hook refused with (all
 * counted in refused). The most recently freed slot is reused first. */
int svc_connect(struct svc *s, void *chan, void *app, struct svc_client **out);
/* c's channel closed: the disconnect hook runs, then the slot is free. */
void svc_disconnect(struct svc_client *c);
/* One request from c: decoded and handed to its handler (served), or
 * counted as malformed and given to the malformed hook. Returns the
 * handler's result (0 for a malformed request): < 0 tells the platform to
 * drop the client. */
int svc_handle(struct svc_client *c, const uint8_t *msg, size_t len);
/* A reply the generated T_reply encoded (enc: the encoder's result) to c.
 * caps (NULL: none) are the encoder's capability indices into ends (nends
 * platform ends), each used once; the ends move to the client, or are all
 * closed when the reply cannot go. 0, or a negated kernel_error (counted
 * in send_failed). */
int svc_reply_msg(struct svc_client *c, proto_err enc, const uint8_t *msg, size_t len, const proto_caps *caps,
                  void *const *ends, uint32_t nends);
/* The clients connected now. */
uint32_t svc_connected(const struct svc *s);
/* The client in slot, or NULL if none is connected there. */
struct svc_client *svc_client_at(const struct svc *s, uint32_t slot);

/* ---------------------------------------------------------------- the platform's part */

/* The service clock: rdtime ticks (TICKS_PER_US per microsecond). */
uint64_t svc_now(void);
/* Queues msg with its caps on c's channel, never waiting, charged to the
 * app that asked for it (asker): 0 or -kernel_error; on an error the caps
 * are closed. */
int svc_send(struct svc_client *c, const uint8_t *msg, size_t len, void *const *caps, uint32_t ncaps);
/* Connects the app whose request is being served (c's asker, not the app
 * c was connected for) with the service called name (len bytes, not
 * offered by name when it attaches): the new client's end, to be handed
 * over in a reply, in *end. 0, or -NOT_FOUND, -QUOTA (the app's app_quota
 * or channel quota, or no handle free to take the end), -NO_MEMORY (the
 * service is full), -CLOSED (the app that asked has ended). */
int svc_open(struct svc_client *c, const char *name, size_t len, void **end);
/* Closes an end svc_open made that will not be handed over. */
void svc_close_end(void *end);
/* A handler that is not written yet (the skeleton's): says so where the
 * platform writes, naming the service and what; returns
 * -KERNEL_ERROR_NO_SYSCALL, so the client is dropped. */
int svc_not_implemented(struct svc_client *c, const char *what);

/* The slot of a connected client, 0 .. max_clients - 1: a service's
 * per-client state is an array indexed by it. */
static inline uint32_t svc_client_slot(const struct svc_client *c)
{
    return c->slot;
}

#ifdef __cplusplus
}
#endif
#endif
