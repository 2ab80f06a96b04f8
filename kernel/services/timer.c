/* The timer service's handlers (schema/timer.lua): one pending deadline per
 * client, in rdtime ticks; a new After replaces the one before; Expired is
 * sent once the deadline has passed. Portable: the kernel and the host
 * harness run the same file.
 *
 * Pending deadlines are a binary min-heap of the clients' nodes (arm,
 * replace, disconnect O(log n); expiry O(k log n) for k expired; the next
 * deadline O(1)), so no step loops over MAX_TIMER_CLIENTS. */
#include "timer_service.h"   /* generated */
#include "../lib/heap.h"

struct timer_client {
    struct heap_node node;   /* in the heap while a deadline is pending (key: the deadline) */
};

static struct timer_client clients[MAX_TIMER_CLIENTS];   /* by svc_client_slot */
static struct heap heap;
static struct heap_node *heap_slots[MAX_TIMER_CLIENTS];

/* now + duration_us * TICKS_PER_US, saturating at UINT64_MAX. */
static uint64_t deadline_after(uint64_t now, uint64_t duration_us)
{
    if (duration_us > UINT64_MAX / TICKS_PER_US)
        return UINT64_MAX;
    uint64_t ticks = duration_us * TICKS_PER_US;
    return ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks;
}

void timer_service_init(void)
{
    heap_init(&heap, heap_slots, MAX_TIMER_CLIENTS);
    for (uint32_t i = 0; i < MAX_TIMER_CLIENTS; i++)   /* once, before any client: no node is in the heap */
        clients[i] = (struct timer_client){ 0 };
}

int TimerRequest_handle_After(struct svc_client *c, const TimerRequest_After *m)
{
    /* one node per slot: the heap is never full; replaces any earlier deadline */
    heap_set(&heap, &clients[svc_client_slot(c)].node, deadline_after(svc_now(), m->duration_us));
    return 0;
}

void timer_service_disconnect(struct svc_client *c)
{
    heap_remove(&heap, &clients[svc_client_slot(c)].node);
}

/* Sends Expired to every client whose deadline is <= now, by deadline and,
 * for equal deadlines, in the order they were armed. A deadline saturated
 * at UINT64_MAX never comes. */
uint64_t timer_service_tick(uint64_t now)
{
    struct heap_node *n;
    while ((n = heap_min(&heap)) != NULL && n->key <= now) {
        struct timer_client *t = container_of(n, struct timer_client, node);
        heap_remove(&heap, n);   /* before the reply: the heap is whole if it re-enters */
        TimerResponse r = TimerResponse_init_zero;
        r.tag = TimerResponse_Expired_tag;
        (void)TimerResponse_reply(svc_client_at(&timer_service, (uint32_t)(t - clients)), &r);   /* counted */
    }
    return n && n->key != UINT64_MAX ? n->key : 0;
}

uint64_t timer_service_pending(void)
{
    return heap.n;
}
