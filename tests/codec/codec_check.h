/* Table-driven checks shared by the codec tests: one description per
 * message type (struct codec), one row per known encoding (struct wire_case),
 * and checks that run over a table. Every input is copied into a heap buffer
 * of exactly its length, so ASan reports any read past it.
 */
#ifndef TESTS_CODEC_CODEC_CHECK_H
#define TESTS_CODEC_CODEC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Table rows leave caps out where the message carries none (zero). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Room for any encoding in these tests (MAX_MSG_SIZE of schema/kernel.lua). */
#define PROTO_TEST_MAX_ENCODED 1024

/* A generated message type behind void pointers. */
struct codec {
    const char *name;
    size_t size;          /* sizeof the C struct */
    size_t max_size;      /* the generated T_MAX_SIZE */
    proto_err (*encode)(const void *m, uint8_t *buf, size_t cap, size_t *len, proto_caps *caps);
    proto_err (*decode)(void *m, const uint8_t *buf, size_t len, const proto_caps *caps);
};

/* Wrappers of T_encode_caps and T_decode_caps that take void pointers. */
#define CODEC_WRAPPERS(T)                                                                               \
    static proto_err T##_encode_any(const void *m, uint8_t *b, size_t cap, size_t *len, proto_caps *caps) \
    {                                                                                                    \
        return T##_encode_caps((const T *)m, b, cap, len, caps);                                        \
    }                                                                                                    \
    static proto_err T##_decode_any(void *m, const uint8_t *b, size_t len, const proto_caps *caps)      \
    {                                                                                                    \
        return T##_decode_caps((T *)m, b, len, caps);                                                   \
    }

/* Defines `codec_T` for a generated union or wire struct T. */
#define CODEC_DEFINE(T)                                                                \
    CODEC_WRAPPERS(T)                                                                   \
    static const struct codec codec_##T = {                                             \
        #T, sizeof(T), T##_MAX_SIZE, T##_encode_any, T##_decode_any                     \
    }

/* A message (a static object, so its padding and unused bytes are zero) and
 * its encoding written by hand as hex: "00 05 00 74 69", where "61*32" is
 * the byte 0x61 thirty-two times, with the capabilities that travel beside
 * the bytes (none when left out).
 */
struct wire_case {
    const char *what;
    const struct codec *codec;
    const void *msg;
    const char *hex;
    proto_caps caps;
};

/* Input (bytes and the caps beside them) that must not decode, and the
 * error it must give.
 */
struct bad_input {
    const char *what;
    const struct codec *codec;
    const char *hex;
    proto_err err;
    proto_caps caps;
};

/* A message that must not encode, and the error it must give. */
struct bad_message {
    const char *what;
    const struct codec *codec;
    const void *msg;
    proto_err err;
};

/* Parses hex (see struct wire_case) into a new heap buffer of exactly the
 * decoded length, stored in *len. The caller frees it.
 */
uint8_t *hex_bytes(const char *hex, size_t *len);

/* A heap copy of n bytes of p, exactly n bytes long (malloc(1) for n = 0,
 * of which nothing may be read).
 */
uint8_t *heap_copy(const void *p, size_t n);

/* The checks; each reports through Criterion and names the row. */
void check_golden_encode(const struct wire_case *c);
void check_golden_decode(const struct wire_case *c);
void check_truncations(const struct wire_case *c);
void check_trailing_bytes(const struct wire_case *c);
void check_output_too_small(const struct wire_case *c);
void check_unknown_tags(const struct codec *codec);

/* The tags union `message` defines, as the schema says through the reference
 * codec: the first byte of each of its valid conformance vectors (every
 * variant has one). Sets known[tag]; returns how many tags.
 */
size_t schema_tags(const char *message, bool known[256]);
void check_bad_input(const struct bad_input *b);
void check_bad_message(const struct bad_message *b);

/* Runs one per-row check over a table of n rows. */
void each_case(const struct wire_case *cases, size_t n, void (*check)(const struct wire_case *));

/* The Criterion tests every table of known encodings gets (include
 * <criterion/criterion.h> first).
 */
#define WIRE_CASE_TESTS(suite, cases)                                                                          \
    Test(suite, golden_bytes_encode) { each_case(cases, sizeof cases / sizeof cases[0], check_golden_encode); } \
    Test(suite, golden_bytes_decode_round_trip)                                                                \
    {                                                                                                           \
        each_case(cases, sizeof cases / sizeof cases[0], check_golden_decode);                                 \
    }                                                                                                           \
    Test(suite, every_truncation_is_short_buffer)                                                              \
    {                                                                                                           \
        each_case(cases, sizeof cases / sizeof cases[0], check_truncations);                                   \
    }                                                                                                           \
    Test(suite, trailing_bytes) { each_case(cases, sizeof cases / sizeof cases[0], check_trailing_bytes); }     \
    Test(suite, every_small_output_is_output_too_small)                                                        \
    {                                                                                                           \
        each_case(cases, sizeof cases / sizeof cases[0], check_output_too_small);                              \
    }

#endif
