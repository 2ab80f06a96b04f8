/* The shared runtime (gen/runtime/proto.c): error names, proto_str_set and
 * the one-pass copy and UTF-8 check of a str (proto_utf8_copy). */
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

/* proto_utf8_copy against proto_utf8_valid and memcmp, at every length the
 * block loops and the 8/4/2/1 pieces split differently (0 to 150): the
 * source and the copy are heap buffers of exactly n bytes (ASan sees any
 * byte read or written past them), ASCII copies and is valid, one stray
 * byte 0x80, 0xff or a truncated U+20AC at any position is refused, a
 * valid U+20AC or U+10FFFF at any position is taken. The inline copy of
 * proto.h (under 16 bytes) is checked the same way.
 */
static void check_copy(const uint8_t *src, size_t n, bool valid, const char *what, size_t at)
{
    uint8_t *dst = malloc(n ? n : 1);
    uint8_t *dst2 = malloc(n ? n : 1);
    cr_assert(dst != NULL && dst2 != NULL);
    cr_expect_eq(proto_utf8_valid(src, n), valid, "%s at %zu, length %zu: proto_utf8_valid", what, at, n);
    cr_expect_eq(proto_utf8_copy(dst, src, n), valid, "%s at %zu, length %zu: proto_utf8_copy", what, at, n);
    cr_expect(memcmp(dst, src, n) == 0, "%s at %zu, length %zu: the copy differs", what, at, n);
    cr_expect_eq(proto_utf8_copy_inline(dst2, src, n), valid, "%s at %zu, length %zu: proto_utf8_copy_inline", what,
                 at, n);
    cr_expect(memcmp(dst2, src, n) == 0, "%s at %zu, length %zu: the inline copy differs", what, at, n);
    free(dst);
    free(dst2);
}

Test(runtime, utf8_copy_every_length_and_position)
{
    static const struct { const char *what; const char *bytes; bool valid; } marks[] = {
        { "byte 80", "\x80", false }, { "byte ff", "\xff", false }, { "truncated U+20AC", "\xe2\x82", false },
        { "U+20AC", "\xe2\x82\xac", true }, { "U+10FFFF", "\xf4\x8f\xbf\xbf", true },
    };
    for (size_t n = 0; n <= 150; n++) {
        uint8_t *src = malloc(n ? n : 1);
        cr_assert(src != NULL);
        for (size_t i = 0; i < n; i++) src[i] = (uint8_t)(' ' + (i * 7) % 95);
        check_copy(src, n, true, "ASCII", 0);
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
            size_t len = strlen(marks[k].bytes);
            for (size_t at = 0; at + len <= n; at++) {
                memcpy(src + at, marks[k].bytes, len);
                /* a truncated sequence is still one when the byte after it is ASCII */
                check_copy(src, n, marks[k].valid, marks[k].what, at);
                for (size_t i = at; i < at + len; i++) src[i] = (uint8_t)(' ' + (i * 7) % 95);
            }
        }
        free(src);
    }
}
