/* One side of an extensible message that grew (tests/gen/test_grow.lua):
 * built twice, against the probe schema's codec as it is (GROWN 0) and
 * against a copy whose ProbeEvent.Reading and ProbeStatus each gained an opt
 * field at the end (GROWN 1: extra, retries). Two programs, so that the two
 * codecs, which have the same names, never meet in one link:
 *   grow encode          prints this side's messages, one hex line each:
 *                        a Reading with every field, one with its trailing
 *                        opt fields absent, a ProbeStatus (GROWN sets the
 *                        new fields in each)
 *   grow decode HEX...   decodes the three messages (the other side's
 *                        bytes), checks every field this side knows against
 *                        the values both sides encode (the new fields of
 *                        an older peer's message absent) and prints each
 *                        one's re-encoding, one hex line each
 * Exits 1 naming what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#ifndef GROWN
#error "build with -DGROWN=0 (the schema as it is) or -DGROWN=1 (grown)"
#endif

static void die(const char *what)
{
    fprintf(stderr, "grow (GROWN %d): %s\n", GROWN, what);
    exit(1);
}

/* The messages both sides encode; GROWN also sets the fields it knows. */
static void reading(ProbeEvent *m, bool full)
{
    *m = (ProbeEvent)ProbeEvent_init_zero;
    m->tag = ProbeEvent_Reading_tag;
    m->u.Reading.sensor = 7;
    m->u.Reading.value = -5;
    if (full) {
        m->u.Reading.has_unit = true;
        if (PROTO_STR_SET(m->u.Reading.unit, "cm") != PROTO_OK) die("unit does not fit");
        m->u.Reading.has_scale = true;
        m->u.Reading.scale = 3;
    }
#if GROWN
    m->u.Reading.has_extra = true;
    m->u.Reading.extra = 0x2a2a2a;
#endif
}

static void status(ProbeStatus *m)
{
    *m = (ProbeStatus)ProbeStatus_init_zero;
    m->code = 5;
    m->has_detail = true;   /* its longest: with retries, longer than an older peer's ProbeStatus_MAX_SIZE */
    if (PROTO_STR_SET(m->detail, "status") != PROTO_OK) die("detail does not fit");
#if GROWN
    m->has_retries = true;
    m->retries = 9;
#endif
}

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s%02x", i ? " " : "", b[i]);
    printf("\n");
}

static size_t parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ') { s++; continue; }
        unsigned v;
        if (n == cap || sscanf(s, "%2x", &v) != 1) die("bad hex");
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

/* A Reading decoded from the other side's bytes: the fields this side knows. */
static void check_reading(const ProbeEvent *got, bool full, bool older_peer)
{
    ProbeEvent want;
    reading(&want, full);
    const ProbeEvent_Reading *g = &got->u.Reading, *w = &want.u.Reading;
    if (got->tag != ProbeEvent_Reading_tag || g->sensor != w->sensor || g->value != w->value || g->has_label)
        die("a Reading's fixed fields differ");
    if (g->has_unit != w->has_unit || g->unit.len != w->unit.len || memcmp(g->unit.data, w->unit.data, w->unit.len) != 0 ||
        g->has_scale != w->has_scale || g->scale != w->scale)
        die("a Reading's trailing opt fields differ");
#if GROWN
    if (older_peer ? g->has_extra || g->extra != 0 : !g->has_extra || g->extra != w->extra)
        die(older_peer ? "an older peer's Reading has extra" : "extra differs");
#else
    (void)older_peer;
#endif
}

static void check_status(const ProbeStatus *got, bool older_peer)
{
    ProbeStatus want;
    status(&want);
    if (got->code != want.code || !got->has_detail || got->detail.len != want.detail.len ||
        memcmp(got->detail.data, want.detail.data, want.detail.len) != 0)
        die("a ProbeStatus's fields differ");
#if GROWN
    if (older_peer ? got->has_retries || got->retries != 0 : !got->has_retries || got->retries != want.retries)
        die(older_peer ? "an older peer's ProbeStatus has retries" : "retries differs");
#else
    (void)older_peer;
#endif
}

int main(int argc, char **argv)
{
    uint8_t buf[PROTO_MAX_MSG_SIZE];   /* the other side's message may be longer than this side's _MAX_SIZE */
    size_t len;
    if (argc == 2 && strcmp(argv[1], "encode") == 0) {
        ProbeEvent e;
        ProbeStatus st;
        for (int full = 1; full >= 0; full--) {
            reading(&e, full);
            if (ProbeEvent_encode(&e, buf, ProbeEvent_MAX_SIZE, &len) != PROTO_OK) die("a Reading does not encode");
            print_hex(buf, len);
        }
        status(&st);
        if (ProbeStatus_encode(&st, buf, ProbeStatus_MAX_SIZE, &len) != PROTO_OK) die("a ProbeStatus does not encode");
        print_hex(buf, len);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "decode") == 0) {
        /* argv[5]: "older" when the bytes are an older peer's, "newer" when a newer one's */
        bool older_peer = strcmp(argv[5], "older") == 0;
        for (int i = 0; i < 3; i++) {
            uint8_t out[ProbeEvent_MAX_SIZE > ProbeStatus_MAX_SIZE ? ProbeEvent_MAX_SIZE : ProbeStatus_MAX_SIZE];
            size_t out_len;
            len = parse_hex(argv[2 + i], buf, sizeof buf);
            if (i < 2) {
                ProbeEvent e;
                if (ProbeEvent_decode(&e, buf, len) != PROTO_OK) die("the other side's Reading does not decode");
                check_reading(&e, i == 0, older_peer);
                if (ProbeEvent_encode(&e, out, sizeof out, &out_len) != PROTO_OK) die("a decoded Reading does not encode");
            } else {
                ProbeStatus st;
                if (ProbeStatus_decode(&st, buf, len) != PROTO_OK) die("the other side's ProbeStatus does not decode");
                check_status(&st, older_peer);
                if (ProbeStatus_encode(&st, out, sizeof out, &out_len) != PROTO_OK) die("a decoded ProbeStatus does not encode");
            }
            print_hex(out, out_len);
        }
        return 0;
    }
    fprintf(stderr, "usage: grow encode | grow decode READING READING_SHORT STATUS older|newer\n");
    return 2;
}
