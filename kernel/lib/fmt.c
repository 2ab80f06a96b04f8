/* A small printf engine for the kernel console and the guest apps. */
#include "klib.h"

struct out {
    void (*put)(void *, char);
    void *arg;
};

static void put_num(struct out *o, uint64_t v, unsigned base, int neg, int width, char pad, int left)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    int len = n;
    for (int i = len; i < width && !left; i++)
        o->put(o->arg, pad);
    while (n)
        o->put(o->arg, tmp[--n]);
    for (int i = len; i < width && left; i++)
        o->put(o->arg, ' ');
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
}

static int64_t take_signed(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

void vfmt(void (*put)(void *arg, char c), void *arg, const char *fmt, va_list ap0)
{
    struct out o = { put, arg };
    va_list ap;
    va_copy(ap, ap0);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(arg, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0, left = 0;
        if (*fmt == '-') {
            left = 1;
            fmt++;
        }
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            longs = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = take_signed(&ap, longs);
            put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad, left);
            break;
        }
        case 'u':
            put_num(&o, take_unsigned(&ap, longs), 10, 0, width, pad, left);
            break;
        case 'x':
            put_num(&o, take_unsigned(&ap, longs), 16, 0, width, pad, left);
            break;
        case 'p':
            put(arg, '0');
            put(arg, 'x');
            put_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, 16, '0', 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            int n = (int)strlen(s);
            for (int i = n; i < width && !left; i++)
                put(arg, ' ');
            while (*s)
                put(arg, *s++);
            for (int i = n; i < width && left; i++)
                put(arg, ' ');
            break;
        }
        case 'c':
            put(arg, (char)va_arg(ap, int));
            break;
        case '%':
            put(arg, '%');
            break;
        case 0:
            va_end(ap);
            return;
        default:
            put(arg, '%');
            put(arg, *fmt);
            break;
        }
    }
    va_end(ap);
}

struct sbuf {
    char *buf;
    size_t cap, len;
};

static void sbuf_put(void *arg, char c)
{
    struct sbuf *s = arg;
    if (s->len + 1 < s->cap)
        s->buf[s->len] = c;
    s->len++;
}

int snfmt(char *buf, size_t cap, const char *fmt, ...)
{
    struct sbuf s = { buf, cap, 0 };
    va_list ap;
    va_start(ap, fmt);
    vfmt(sbuf_put, &s, fmt, ap);
    va_end(ap);
    if (cap > 0)
        buf[s.len < cap ? s.len : cap - 1] = 0;
    return (int)s.len;
}
