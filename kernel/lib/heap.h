/* A binary min-heap of intrusive nodes, keyed by a u64 (a deadline) with
 * ties broken by insertion order, so that equal keys come out first in,
 * first out. Storage is the caller's array of node pointers; no allocation,
 * so the same code runs in the kernel and on the host. Every operation is
 * O(log n) but heap_min, which is O(1). */
#ifndef KERNEL_LIB_HEAP_H
#define KERNEL_LIB_HEAP_H

#include <stdbool.h>
#include <stdint.h>
#include "list.h"   /* container_of */

struct heap_node {
    uint64_t key;
    uint64_t seq;    /* insertion order, for ties */
    uint32_t pos;    /* index + 1 in the heap; 0 when not in it */
};

struct heap {
    struct heap_node **a;
    uint32_t n, cap;
    uint64_t seq;
};

void heap_init(struct heap *h, struct heap_node **storage, uint32_t cap);
/* Inserts x with key, or moves it to key if already in; x then counts as the
 * newest among equal keys. False (nothing changed) when full. */
bool heap_set(struct heap *h, struct heap_node *x, uint64_t key);
/* Takes x out; nothing if it is not in. */
void heap_remove(struct heap *h, struct heap_node *x);
/* The node with the smallest key (oldest among equal ones), or NULL. */
static inline struct heap_node *heap_min(const struct heap *h)
{
    return h->n ? h->a[0] : (struct heap_node *)0;
}
static inline bool heap_contains(const struct heap_node *x)
{
    return x->pos != 0;
}
#endif
