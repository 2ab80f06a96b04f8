/* A caller of the report rpc (tests/gen/test_grow.lua), built against the
 * probe schema as it is and against the copy whose ProbeEvent.Reading and
 * ProbeStatus grew: the struct-taking stub, probe_report_msg, compiles
 * unchanged against both (the appended field stays zero: absent), where a
 * call of the positional probe_report (POSITIONAL) does not. Run as
 *   grow_caller REPLY_HEX
 * it sends a Reading and takes REPLY_HEX, the reply's bytes, through a
 * transport that refuses a reply longer than the stub's buffer; prints the
 * bytes sent and the reply's fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_client.h"

static uint8_t reply_bytes[256];
static size_t reply_len;

static int send(void *ctx, const uint8_t *msg, size_t len, const proto_caps *caps)
{
    (void)ctx;
    (void)caps;
    for (size_t i = 0; i < len; i++)
        printf("%s%02x", i ? " " : "", msg[i]);
    printf("\n");
    return 0;
}

static int recv(void *ctx, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps)
{
    (void)ctx;
    if (reply_len > cap)
        return -1;   /* the stub's buffer is too small for the reply */
    memcpy(buf, reply_bytes, reply_len);
    *len = reply_len;
    caps->n = 0;
    return 0;
}

int report(proto_transport *t, ProbeStatus *reply);
int report(proto_transport *t, ProbeStatus *reply)
{
#ifdef POSITIONAL
    return probe_report(t, 7, NULL, -5, NULL, true, 3, reply);
#else
    return probe_report_msg(t, &(ProbeEvent_Reading){ .sensor = 7, .value = -5, .has_scale = true, .scale = 3 }, reply);
#endif
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: grow_caller REPLY_HEX\n");
        return 2;
    }
    for (const char *s = argv[1]; *s;) {
        unsigned v;
        if (*s == ' ') { s++; continue; }
        if (reply_len == sizeof reply_bytes || sscanf(s, "%2x", &v) != 1) return 2;
        reply_bytes[reply_len++] = (uint8_t)v;
        s += 2;
    }
    proto_transport t = { NULL, send, recv, NULL, NULL };
    ProbeStatus reply;
    int rc = report(&t, &reply);
    if (rc != 0) {
        printf("report: %s\n", proto_strerror(rc));
        return 1;
    }
    printf("code %u detail %s\n", (unsigned)reply.code, reply.has_detail ? reply.detail.data : "none");
    return 0;
}
