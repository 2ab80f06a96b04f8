/* The min-heap (see heap.h). */
#include "heap.h"

static bool before(const struct heap_node *x, const struct heap_node *y)
{
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static void put(struct heap *h, uint64_t i, struct heap_node *x)
{
    h->a[i] = x;
    x->pos = (uint32_t)i + 1;
}

/* x goes in the hole at i, then up past the parents it comes before. */
static void sift_up(struct heap *h, uint64_t i, struct heap_node *x)
{
    while (i > 0 && before(x, h->a[(i - 1) / 2])) {
        put(h, i, h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    put(h, i, x);
}

/* x goes in the hole at i, then down past the children that come before it. */
static void sift_down(struct heap *h, uint64_t i, struct heap_node *x)
{
    for (;;) {
        uint64_t c = 2 * i + 1;
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

/* Fills the hole at i with x, which came from the bottom: the hole moves
 * down to a leaf, filled at each step by the child first due, and x goes
 * in there and up. One comparison a level on the way down and, x being
 * among the last due, few on the way up: about half of sift_down's. */
static void fill_from_bottom(struct heap *h, uint64_t i, struct heap_node *x)
{
    for (uint64_t c; (c = 2 * i + 1) < h->n; i = c) {
        if (c + 1 < h->n && before(h->a[c + 1], h->a[c]))
            c++;
        put(h, i, h->a[c]);
    }
    sift_up(h, i, x);
}

void heap_init(struct heap *h, struct heap_node **storage, uint32_t cap)
{
    *h = (struct heap){ .a = storage, .cap = cap };
}

bool heap_set(struct heap *h, struct heap_node *x, uint64_t key)
{
    struct heap_node old = *x;
    if (!old.pos && h->n == h->cap)
        return false;
    x->key = key;
    x->seq = h->seq++;
    if (!old.pos)
        sift_up(h, h->n++, x);
    else if (before(x, &old))
        sift_up(h, old.pos - 1, x);
    else
        sift_down(h, old.pos - 1, x);
    return true;
}

void heap_remove(struct heap *h, struct heap_node *x)
{
    if (!x->pos)
        return;
    uint64_t i = x->pos - 1;
    struct heap_node *last = h->a[--h->n];
    x->pos = 0;
    if (last != x)
        fill_from_bottom(h, i, last);
}
