/* The min-heap (see heap.h). */
#include "heap.h"

static bool before(const struct heap_node *x, const struct heap_node *y)
{
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static void put(struct heap *h, uint32_t i, struct heap_node *x)
{
    h->a[i] = x;
    x->pos = i + 1;
}

static void sift_up(struct heap *h, uint32_t i)
{
    struct heap_node *x = h->a[i];
    while (i > 0 && before(x, h->a[(i - 1) / 2])) {
        put(h, i, h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    put(h, i, x);
}

static void sift_down(struct heap *h, uint32_t i)
{
    struct heap_node *x = h->a[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(h->a[c + 1], h->a[c]))
            c++;
        if (!before(h->a[c], x))
            break;
        put(h, i, h->a[c]);
        i = c;
    }
    put(h, i, x);
}

void heap_init(struct heap *h, struct heap_node **storage, uint32_t cap)
{
    *h = (struct heap){ .a = storage, .cap = cap };
}

bool heap_set(struct heap *h, struct heap_node *x, uint64_t key)
{
    if (!x->pos) {
        if (h->n == h->cap)
            return false;
        put(h, h->n++, x);
    }
    x->key = key;
    x->seq = h->seq++;
    sift_up(h, x->pos - 1);
    sift_down(h, x->pos - 1);
    return true;
}

void heap_remove(struct heap *h, struct heap_node *x)
{
    if (!x->pos)
        return;
    uint32_t i = x->pos - 1;
    struct heap_node *last = h->a[--h->n];
    x->pos = 0;
    if (last == x)
        return;
    put(h, i, last);
    sift_up(h, i);
    sift_down(h, last->pos - 1);
}
