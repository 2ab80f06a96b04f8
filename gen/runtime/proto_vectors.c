/* proto_vectors.c: the conformance vectors' runner (proto_vectors.h).
 * Hand-written, the same for every schema (libwirec). */

#define PROTO_RUNTIME_ONLY
#include "proto_vectors.h"

const char *proto_vector_run(const proto_vector *v, const uint8_t *in, uint8_t *out, size_t cap,
    proto_err *got)
{
    size_t out_len = 0;
    proto_err encoded = PROTO_OK;
    *got = v->roundtrip(in, v->in_len, v->ncaps, out, cap, &out_len, &encoded);
    if (*got != v->expect) return "the decoder returned another status";
    if (*got != PROTO_OK) return NULL;
    if (encoded != PROTO_OK) return "the decoded value does not encode back (bytes and capabilities)";
    if (out_len != v->out_len) return "the re-encoding has another length";
    for (size_t i = 0; i < out_len; i++) {
        if (out[i] != v->out[i]) return "the re-encoding has other bytes";
    }
    return NULL;
}
