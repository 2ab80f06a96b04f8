/* Intrusive doubly-linked FIFO lists: a struct embeds a list_node and is
 * found again from it with container_of. Push at the back, pop at
 * the front, remove anywhere: all O(1). The caller knows which list a node
 * is on (or whether it is on one). */
#ifndef KERNEL_LIB_LIST_H
#define KERNEL_LIB_LIST_H
#include <stddef.h>

/* The struct of type T whose member m is at node. */
#define container_of(node, T, m) ((T *)((char *)(node) - __builtin_offsetof(T, m)))

struct list_node {
    struct list_node *next, *prev;
};

struct list {
    struct list_node *head, *tail;
};

static inline void list_push(struct list *l, struct list_node *n)
{
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

static inline void list_remove(struct list *l, struct list_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
}

/* The front node, taken off the list; NULL when it is empty. */
static inline struct list_node *list_pop(struct list *l)
{
    struct list_node *n = l->head;
    if (n)
        list_remove(l, n);
    return n;
}
#endif
