/* The conformance vectors (generated/NAME_vectors.c, and the probe schema's in
 * build/tests/probe-gen/): canonical bytes and malformed inputs computed by
 * the Lua reference codec (gen/wire_ref.lua), run on the host's C codecs.
 * Each input is copied into a heap buffer of exactly its length and the
 * re-encoding goes into one of exactly the message's _MAX_SIZE, so ASan
 * sees any read or write past either.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "probe_vectors.h"
#include "vector_suites.h"   /* generated: every protocol's */

/* Runs every vector of suite; returns how many failed (each one reported). */
static size_t run_suite(const proto_vector_suite *suite)
{
    size_t failed = 0;
    for (size_t i = 0; i < suite->count; i++) {
        const proto_vector *v = &suite->vectors[i];
        uint8_t *in = malloc(v->in_len);
        uint8_t *out = malloc(v->max_size);
        cr_assert(out != NULL && (in != NULL || v->in_len == 0));
        if (v->in_len > 0)
            memcpy(in, v->in, v->in_len);
        proto_err got;
        const char *why = proto_vector_run(v, in, out, v->max_size, &got);
        if (why != NULL) {
            failed++;
            cr_log_error("%s vector %zu, %s \"%s\": %s (expected %s, decoder gave %s)", suite->protocol, i,
                         v->message, v->name, why, proto_strerror(v->expect), proto_strerror(got));
        }
        free(in);
        free(out);
    }
    return failed;
}

static void check_suite(const proto_vector_suite *suite)
{
    cr_assert_gt(suite->count, 0, "%s has no vectors", suite->protocol);
    size_t failed = run_suite(suite);
    cr_expect_eq(failed, 0, "%s: %zu of %zu conformance vectors failed", suite->protocol, failed, suite->count);
}

/* Every protocol the schemas generate (the generated registry), so a new
 * protocol's vectors run with nothing to add here. */
Test(vectors, every_protocol)
{
    cr_assert_gt(PROTO_VECTOR_SUITES, 0, "no protocol has vectors");
    for (size_t s = 0; s < PROTO_VECTOR_SUITES; s++)
        check_suite(proto_vector_suites[s]);
}

Test(vectors, probe) { check_suite(&probe_vectors); }
