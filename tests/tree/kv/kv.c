/* The kv service's handlers (schema/kv.lua): up to MAX_KV_ENTRIES entries,
 * kept dense (a delete moves the last entry into the hole), so a request
 * costs the entries stored, never MAX_KV_ENTRIES. */
#include "kv_service.h"   /* generated */

struct entry {
    uint16_t key_len, value_len;
    char key[KV_KEY_MAX];
    uint8_t value[KV_VALUE_MAX];
};

static struct entry entries[MAX_KV_ENTRIES];
static uint32_t used;

static struct entry *find(const char *key, uint16_t len)
{
    for (uint32_t i = 0; i < used; i++)
        if (entries[i].key_len == len && __builtin_memcmp(entries[i].key, key, len) == 0)
            return &entries[i];
    return NULL;
}

static int reply(struct svc_client *c, uint8_t tag)
{
    KvResponse r = KvResponse_init_zero;
    r.tag = tag;
    (void)KvResponse_reply(c, &r);   /* a full queue: counted in send_failed */
    return 0;
}

void kv_service_init(void)
{
    used = 0;
}

int KvRequest_handle_Put(struct svc_client *c, const KvRequest_Put *m)
{
    struct entry *e = find(m->key.data, m->key.len);
    if (e == NULL) {
        if (used == MAX_KV_ENTRIES)
            return reply(c, KvResponse_Full_tag);
        e = &entries[used++];
        e->key_len = m->key.len;
        __builtin_memcpy(e->key, m->key.data, m->key.len);
    }
    e->value_len = m->value.len;
    __builtin_memcpy(e->value, m->value.data, m->value.len);
    return reply(c, KvResponse_Ok_tag);
}

int KvRequest_handle_Get(struct svc_client *c, const KvRequest_Get *m)
{
    const struct entry *e = find(m->key.data, m->key.len);
    if (e == NULL)
        return reply(c, KvResponse_NotFound_tag);
    KvResponse r = KvResponse_init_zero;
    r.tag = KvResponse_Value_tag;
    r.u.Value.value.len = e->value_len;
    __builtin_memcpy(r.u.Value.value.data, e->value, e->value_len);
    (void)KvResponse_reply(c, &r);
    return 0;
}

int KvRequest_handle_Delete(struct svc_client *c, const KvRequest_Delete *m)
{
    struct entry *e = find(m->key.data, m->key.len);
    if (e == NULL)
        return reply(c, KvResponse_NotFound_tag);
    *e = entries[--used];
    return reply(c, KvResponse_Ok_tag);
}
