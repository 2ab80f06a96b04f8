/* Every service of the generated registry on the host harness, with
 * nothing here that names one: what the binding promises any service
 * (the client table, quotas, counters, malformed requests, every request
 * vector of its protocol handled), so a new service is tested by its
 * schema alone. Service-specific behaviour has its own test file. */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"
#include "vector_suites.h"   /* generated: every protocol's vectors */

TestSuite(services, .init = harness_start);

/* The app a test's i-th client is charged to, so that no app_quota stops
 * a test that fills the service. */
static int app_for(const struct svc *s, uint32_t i)
{
    return (int)(i / (s->desc->app_quota ? s->desc->app_quota : 1)) % HARNESS_APPS;
}

/* Connects every client the service takes; returns them in c. */
static void fill(struct svc *s, struct harness_client **c)
{
    for (uint32_t i = 0; i < s->desc->max_clients; i++) {
        int rc = harness_connect(s, app_for(s, i), &c[i]);
        cr_assert_eq(rc, 0, "%s: client %u of %u refused (%d)", s->desc->name, i + 1, s->desc->max_clients, rc);
        cr_assert_eq(svc_client_slot(c[i]->c), i, "%s: slots are handed out from 0 up", s->desc->name);
    }
}

Test(services, every_service_is_registered_once_by_its_id)
{
    cr_assert_gt(SERVICE_COUNT, 0);
    cr_assert_leq(SERVICE_COUNT, MAX_SERVICES);
    for (uint32_t i = 0; i < SERVICE_COUNT; i++) {
        const struct svc_desc *d = service_registry[i]->desc;
        cr_expect_eq(d->id, i, "%s: id %u at index %u", d->name, d->id, i);
        cr_expect_eq(harness_service(d->name), service_registry[i], "%s: its name finds it", d->name);
        cr_expect_gt(d->max_clients, 0, "%s", d->name);
        cr_expect_not_null(d->format_request, "%s: its requests are traced", d->name);
    }
}

Test(services, max_clients_then_refused_then_the_freed_slot_reused)
{
    for (uint32_t k = 0; k < SERVICE_COUNT; k++) {
        struct svc *s = service_registry[k];
        uint32_t n = s->desc->max_clients;
        struct harness_client **c = calloc(n, sizeof *c), *extra;
        fill(s, c);
        cr_expect_eq(svc_connected(s), n, "%s", s->desc->name);
        cr_expect_eq(harness_connect(s, HARNESS_APPS - 1, &extra), -(int)KERNEL_ERROR_NO_MEMORY,
                     "%s: client %u is refused", s->desc->name, n + 1);
        cr_expect_eq(s->stats.refused, 1, "%s: the refusal is counted", s->desc->name);
        uint32_t mid = n / 2;
        harness_close(c[mid]);
        cr_assert_eq(harness_connect(s, HARNESS_APPS - 1, &extra), 0, "%s: a closed slot is free", s->desc->name);
        cr_expect_eq(svc_client_slot(extra->c), mid, "%s: the freed slot is reused", s->desc->name);
        harness_close(extra);
        for (uint32_t i = 0; i < n; i++)
            harness_close(c[i]);
        cr_expect_eq(svc_connected(s), 0, "%s: every client gone", s->desc->name);
        cr_expect_eq(s->desc->pending(), 0, "%s: holds no work for clients that are gone", s->desc->name);
        free(c);
    }
}

Test(services, an_apps_quota_stops_that_app_only)
{
    for (uint32_t k = 0; k < SERVICE_COUNT; k++) {
        struct svc *s = service_registry[k];
        uint32_t q = s->desc->app_quota;
        struct harness_client *h;
        if (q == 0 || q >= s->desc->max_clients)
            continue;
        for (uint32_t i = 0; i < q; i++)
            cr_assert_eq(harness_connect(s, 7, &h), 0, "%s: client %u of the app's %u", s->desc->name, i + 1, q);
        cr_expect_eq(harness_connect(s, 7, &h), -(int)KERNEL_ERROR_QUOTA, "%s: one over the quota", s->desc->name);
        cr_expect_eq(harness_connect(s, 8, &h), 0, "%s: another app is still served", s->desc->name);
    }
}

/* Every request vector of the service's protocol, sent by one client:
 * those that decode are served, the others counted as malformed, and the
 * service keeps serving either way. */
Test(services, every_request_vector_is_served_or_counted_malformed)
{
    for (uint32_t k = 0; k < SERVICE_COUNT; k++) {
        struct svc *s = service_registry[k];
        const proto_vector_suite *suite = NULL;
        for (uint32_t i = 0; i < PROTO_VECTOR_SUITES; i++)
            if (strcmp(proto_vector_suites[i]->protocol, s->desc->protocol) == 0)
                suite = proto_vector_suites[i];
        cr_assert_not_null(suite, "%s: no conformance vectors for protocol %s", s->desc->name, s->desc->protocol);
        uint64_t ok = 0, bad = 0;
        for (size_t i = 0; i < suite->count; i++) {
            const proto_vector *v = &suite->vectors[i];
            struct harness_client *h;
            if (strcmp(v->message, s->desc->request) != 0 || v->ncaps > 0)
                continue;   /* a service's requests carry no caps: the kernel closes any sent */
            cr_assert_eq(harness_connect(s, (int)(i % HARNESS_APPS), &h), 0, "%s", s->desc->name);
            cr_assert_eq(h->t.send(h->t.ctx, v->in, v->in_len, NULL), 0, "%s: \"%s\" sent", s->desc->name, v->name);
            if (v->expect == PROTO_OK)
                ok++;
            else
                bad++;
            cr_expect_eq(s->stats.served + harness_not_implemented(), ok, "%s: \"%s\"", s->desc->name, v->name);
            cr_expect_eq(s->stats.malformed, bad, "%s: \"%s\"", s->desc->name, v->name);
            harness_close(h);
        }
        cr_expect_gt(ok, 0, "%s: no valid request vector", s->desc->name);
        cr_expect_gt(bad, 0, "%s: no malformed request vector", s->desc->name);
        cr_expect_eq(svc_connected(s), 0, "%s", s->desc->name);
    }
}

Test(services, a_refused_reply_is_counted_and_leaks_nothing)
{
    /* Every service's replies go through svc_reply_msg: a send the channel
     * refuses is counted in send_failed, never in replies. */
    for (uint32_t k = 0; k < SERVICE_COUNT; k++) {
        struct svc *s = service_registry[k];
        struct harness_client *h;
        cr_assert_eq(harness_connect(s, 1, &h), 0);
        harness_refuse_sends(true);
        static const uint8_t msg[] = { 0 };
        cr_expect_lt(svc_reply_msg(h->c, PROTO_OK, msg, sizeof msg, NULL, NULL, 0), 0, "%s", s->desc->name);
        cr_expect_eq(s->stats.send_failed, 1, "%s", s->desc->name);
        cr_expect_eq(s->stats.replies, 0, "%s", s->desc->name);
        harness_refuse_sends(false);
        cr_expect_eq(svc_reply_msg(h->c, PROTO_ERR_OUTPUT_TOO_SMALL, msg, sizeof msg, NULL, NULL, 0),
                     -(int)KERNEL_ERROR_INVALID, "%s: an encoder's error is not sent", s->desc->name);
        cr_expect_eq(h->count, 0, "%s", s->desc->name);
        harness_close(h);
    }
}
