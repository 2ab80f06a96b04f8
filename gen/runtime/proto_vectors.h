/* proto_vectors.h: what the generated conformance vectors (P_vectors.c,
 * computed by the reference codec gen/wire_ref.lua) are made of, and the
 * one runner every table goes through. Hand-written, the same for every
 * schema (gen/runtime/; installed as include/wirec/ with libwirec). */

#ifndef WIREC_PROTO_VECTORS_H
#define WIREC_PROTO_VECTORS_H

#ifdef __cplusplus
extern "C" {
#endif

#include "proto.h"

/* Decodes in (len bytes), with ncaps capabilities beside it (handles 100,
 * 101, ...), into a value on the stack; when that succeeds, encodes the
 * value back into out (cap bytes), storing the encoder's status in *encoded
 * (PROTO_ERR_BAD_CAP when it carries other capabilities than came in) and
 * the length in *out_len. Returns the decoder's status.
 */
typedef proto_err (*proto_roundtrip_fn)(const uint8_t *in, size_t len, uint32_t ncaps, uint8_t *out,
    size_t cap, size_t *out_len, proto_err *encoded);

/* One conformance vector, computed by the reference codec
 * (gen/wire_ref.lua). The wire format has one encoding per value, so a
 * valid input's expected re-encoding is its own bytes, except an extensible
 * message's input from a newer peer (bytes after the known fields, skipped)
 * or an older one (cut before its trailing opt fields, absent).
 */
typedef struct proto_vector {
    const char *message;          /* the union or wire struct, e.g. "TimerRequest" */
    const char *name;             /* what the vector tries */
    proto_roundtrip_fn roundtrip; /* the message's decode -> encode */
    size_t max_size;              /* the message's _MAX_SIZE (an extensible one's input may be longer) */
    const uint8_t *in;            /* the input; NULL when in_len is 0 */
    size_t in_len;
    uint32_t ncaps;               /* capabilities beside the input */
    proto_err expect;             /* what decoding in returns */
    const uint8_t *out;           /* PROTO_OK: the re-encoding (an extensible message's: without the bytes it skipped, with the opt fields it found absent); else NULL */
    size_t out_len;
} proto_vector;

/* Every vector of one protocol. */
typedef struct proto_vector_suite {
    const char *protocol;
    const proto_vector *vectors;
    size_t count;
} proto_vector_suite;

/* Runs v: in is the caller's copy of v->in (v->in_len bytes), out a buffer
 * of cap >= v->max_size bytes. Stores the decoder's status in *got; returns
 * NULL when the codec does what v expects, else what went wrong.
 */
const char *proto_vector_run(const proto_vector *v, const uint8_t *in, uint8_t *out, size_t cap,
    proto_err *got);

#ifndef PROTO_RUNTIME_ONLY
/* The capabilities a round trip puts beside an input (handles 100, 101,
 * ...), and whether the re-encoding gave the same back. Inline: they
 * depend on the schema set's limits (proto_caps). */
static inline void proto_vector_caps(proto_caps *caps, uint32_t n)
{
    caps->n = n;
    for (uint32_t i = 0; i < n && PROTO_CAP_FITS(i); i++) caps->h[i] = 100 + i;
}

static inline bool proto_vector_same_caps(const proto_caps *a, const proto_caps *b)
{
    if (a->n != b->n) return false;
    for (uint32_t i = 0; i < a->n && PROTO_CAP_FITS(i); i++) {
        if (a->h[i] != b->h[i]) return false;
    }
    return true;
}
#endif

#ifdef __cplusplus
}
#endif
#endif
