/* kvdemo: the app of tests/tree/new-service. Connects to "kv" over its
 * boot channel and puts, gets, replaces and deletes through the generated
 * stubs; prints each reply and PASS or FAIL, and powers off with it. */
#include "kv_client.h"   /* generated */
#include "ulib.h"

static int failures;

static void check(bool ok, const char *what)
{
    printf("kvdemo: %s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

int main(const char *arg)
{
    (void)arg;
    int64_t h = connect_service(KV_SERVICE_NAME, false);
    check(h >= 0, "connect_service(\"kv\")");
    if (h < 0)
        sys_shutdown(1);
    struct chan_transport ct;
    proto_transport t = chan_transport(&ct, (uint32_t)h);
    KvResponse r;
    static const uint8_t v1[] = { 1, 2, 3 }, v2[] = { 9 };
    check(kv_get(&t, "colour", &r) == 0 && r.tag == KvResponse_NotFound_tag, "get of a missing key: NotFound");
    check(kv_put(&t, "colour", v1, sizeof v1, &r) == 0 && r.tag == KvResponse_Ok_tag, "put: Ok");
    check(kv_get(&t, "colour", &r) == 0 && r.tag == KvResponse_Value_tag && r.u.Value.value.len == 3 &&
              r.u.Value.value.data[2] == 3, "get: the value put");
    check(kv_put(&t, "colour", v2, sizeof v2, &r) == 0 && r.tag == KvResponse_Ok_tag, "put again: Ok");
    check(kv_get(&t, "colour", &r) == 0 && r.tag == KvResponse_Value_tag && r.u.Value.value.len == 1 &&
              r.u.Value.value.data[0] == 9, "get: the replacing value");
    check(kv_delete(&t, "colour", &r) == 0 && r.tag == KvResponse_Ok_tag, "delete: Ok");
    check(kv_delete(&t, "colour", &r) == 0 && r.tag == KvResponse_NotFound_tag, "delete again: NotFound");
    printf("kvdemo: %s\n", failures ? "FAIL" : "PASS");
    sys_shutdown(failures ? 1 : 0);
    return 0;
}
