/* An out-of-tree user of the codec: note.lua's messages, generated at build
 * time by the installed wirec, compiled against the installed runtime
 * (libwirec). Encodes a text note and a count, prints each as the generated
 * formatter writes it with its bytes in hex, decodes the bytes back and
 * checks the round trip: the same fields, the same bytes encoded again, the
 * same text formatted from the bytes. Exit 1 on any difference.
 *   codec_example [TEXT [COUNT]]   (default: "hello, wire" -42)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "note.h"
#include "note_format.h"

static int failed(const char *what, int err)
{
    fprintf(stderr, "codec_example: %s: %s\n", what, proto_strerror(err));
    return 1;
}

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) printf("%s%02x", i ? " " : "", p[i]);
}

static bool same_note(const Note *a, const Note *b)
{
    if (a->tag != b->tag) return false;
    if (a->tag == Note_Text_tag)
        return a->u.Text.author == b->u.Text.author && a->u.Text.body.len == b->u.Text.body.len &&
               memcmp(a->u.Text.body.data, b->u.Text.body.data, a->u.Text.body.len) == 0;
    return a->u.Count.n == b->u.Count.n;
}

/* One note through encode, format, decode and encode again. */
static int round_trip(const Note *m)
{
    uint8_t buf[Note_MAX_SIZE], again[Note_MAX_SIZE];
    char text[256], from_bytes[256];
    size_t len, len2;
    proto_err err = Note_encode(m, buf, sizeof buf, &len);
    if (err != PROTO_OK) return failed("encode", err);
    Note_format(m, text, sizeof text);
    printf("%s\n  %zu bytes: ", text, len);
    print_hex(buf, len);
    printf("\n");

    Note back = Note_init_zero;
    err = Note_decode(&back, buf, len);
    if (err != PROTO_OK) return failed("decode", err);
    if (!same_note(m, &back)) {
        fprintf(stderr, "codec_example: round trip: the decoded note differs from the one encoded\n");
        return 1;
    }
    err = Note_encode(&back, again, sizeof again, &len2);
    if (err != PROTO_OK) return failed("encode of the decoded note", err);
    if (len2 != len || memcmp(buf, again, len) != 0) {
        fprintf(stderr, "codec_example: round trip: the decoded note encodes to other bytes\n");
        return 1;
    }
    Note_format_bytes(buf, len, 0, from_bytes, sizeof from_bytes);
    if (strcmp(text, from_bytes) != 0) {
        fprintf(stderr, "codec_example: round trip: the bytes format as %s\n", from_bytes);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *body = argc > 1 ? argv[1] : "hello, wire";
    const char *count = argc > 2 ? argv[2] : "-42";
    if (argc > 3) {
        fprintf(stderr, "usage: codec_example [TEXT [COUNT]]\n");
        return 2;
    }
    char *end;
    errno = 0;
    long long n = strtoll(count, &end, 10);
    if (errno != 0 || end == count || *end != '\0') {
        fprintf(stderr, "codec_example: COUNT must be a signed 64-bit integer, not '%s'\n", count);
        return 2;
    }

    Note text = Note_init_zero;
    text.tag = Note_Text_tag;
    text.u.Text.author = 7;
    proto_err err = PROTO_STR_SET(text.u.Text.body, body);
    if (err != PROTO_OK) {
        fprintf(stderr, "codec_example: TEXT is %zu bytes, longer than NOTE_TEXT_MAX (%u)\n", strlen(body), NOTE_TEXT_MAX);
        return 1;
    }
    Note num = Note_init_zero;
    num.tag = Note_Count_tag;
    num.u.Count.n = n;

    if (round_trip(&text) != 0 || round_trip(&num) != 0) return 1;
    printf("round trip: 2 notes encoded, decoded, encoded again to the same bytes and formatted alike "
           "(largest note %d bytes, limit %d)\n", Note_MAX_SIZE, PROTO_MAX_MSG_SIZE);
    return 0;
}
