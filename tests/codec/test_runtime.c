/* The shared runtime (generated/proto.c): error names and proto_str_set. */
#include <criterion/criterion.h>
#include <string.h>

#include "boot.h"

Test(runtime, strerror_names_every_error_distinctly)
{
    enum { N = PROTO_ERR_COUNT };
    const char *names[N + 2];
    for (int e = 0; e < N; e++) names[e] = proto_strerror(e);
    names[N] = proto_strerror(-1);       /* any transport error */
    names[N + 1] = proto_strerror(N);    /* past the last proto_err */
    for (int i = 0; i < N + 2; i++) {
        cr_assert_not_null(names[i], "name %d", i);
        cr_expect_gt(strlen(names[i]), 0, "name %d is empty", i);
        for (int j = 0; j < i; j++) {
            cr_expect_str_neq(names[i], names[j], "entries %d and %d share the name \"%s\"", i, j, names[i]);
        }
    }
    cr_expect_str_eq(proto_strerror(-1), proto_strerror(-1000), "every negative code is a transport error");
    cr_expect_str_eq(proto_strerror(N), proto_strerror(1000), "every code past the enum is unknown");
}

Test(runtime, str_set_bounds)
{
    BootRequest m = BootRequest_init_zero;
    char s[SERVICE_NAME_MAX + 2];
    memset(s, 'n', sizeof s - 1);
    s[sizeof s - 1] = '\0';                 /* SERVICE_NAME_MAX + 1 chars */
    cr_expect_eq(PROTO_STR_SET(m.u.ConnectService.name, ""), PROTO_OK);
    cr_expect_eq(m.u.ConnectService.name.len, 0);
    cr_expect_eq(PROTO_STR_SET(m.u.ConnectService.name, "t"), PROTO_OK);
    cr_expect_eq(m.u.ConnectService.name.len, 1);
    cr_expect_eq(PROTO_STR_SET(m.u.ConnectService.name, s + 1), PROTO_OK);   /* exactly the bound */
    cr_expect_eq(m.u.ConnectService.name.len, SERVICE_NAME_MAX);
    cr_expect_eq(m.u.ConnectService.name.data[SERVICE_NAME_MAX], '\0');
    cr_expect_eq(PROTO_STR_SET(m.u.ConnectService.name, s), PROTO_ERR_TOO_LONG);
    cr_expect_eq(m.u.ConnectService.name.len, 0, "a refused string leaves the field empty");
    cr_expect_str_eq(m.u.ConnectService.name.data, "");
}

/* proto_str_set reads at most max + 1 characters of s: a source without a
 * NUL in reach is refused without reading past it (ASan checks).
 */
Test(runtime, str_set_reads_no_further_than_the_bound)
{
    BootRequest m = BootRequest_init_zero;
    char *s = malloc(SERVICE_NAME_MAX + 1);  /* no terminating NUL */
    memset(s, 'x', SERVICE_NAME_MAX + 1);
    cr_expect_eq(PROTO_STR_SET(m.u.ConnectService.name, s), PROTO_ERR_TOO_LONG);
    free(s);
}
