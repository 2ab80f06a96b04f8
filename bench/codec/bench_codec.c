/* ninja bench-codec: encode + decode time per message, our generated codec
 * against protobuf-c (bench/codec/codec.proto, compiled by protoc-c at build
 * time) in the same run. Each figure is the median of REPS repetitions of
 * enough iterations for at least MIN_REP_NS each. Built with -O2, no
 * sanitizers; the generated code is in its own translation units (no LTO),
 * as an application would link it.
 *
 * The last line is `codec speedup vs protobuf-c: X`, X the smaller of the
 * two ratios protobuf-c time / ours.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot.h"
#include "codec.pb-c.h"
#include "timer.h"

#define REPS 11
#define MIN_REP_NS 50000000.0  /* 50 ms */

/* Keeps the compiler from dropping or merging work whose result is unused. */
static volatile uint64_t sink;
#define BARRIER() __asm__ volatile("" ::: "memory")

static void die(const char *what)
{
    fprintf(stderr, "bench_codec: %s\n", what);
    exit(1);
}

/* One workload: runs n encode + decode round trips, returns a checksum. */
typedef uint64_t workload(uint64_t n);

static uint64_t ours_after(uint64_t n)
{
    uint8_t buf[TimerRequest_MAX_SIZE];
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        TimerRequest m = { .tag = TimerRequest_After_tag, .u.After.duration_us = 50000 + i };
        TimerRequest out;
        size_t len;
        if (TimerRequest_encode(&m, buf, sizeof buf, &len) != PROTO_OK) die("TimerRequest_encode");
        BARRIER();
        if (TimerRequest_decode(&out, buf, len) != PROTO_OK) die("TimerRequest_decode");
        sum += out.u.After.duration_us;
    }
    return sum;
}

static uint64_t pbc_after(uint64_t n)
{
    uint8_t buf[32];
    uint64_t sum = 0;
    Bench__TimerRequest__After after = BENCH__TIMER_REQUEST__AFTER__INIT;
    Bench__TimerRequest m = BENCH__TIMER_REQUEST__INIT;
    m.variant_case = BENCH__TIMER_REQUEST__VARIANT_AFTER;
    m.after = &after;
    for (uint64_t i = 0; i < n; i++) {
        after.duration_us = 50000 + i;
        size_t len = bench__timer_request__pack(&m, buf);
        BARRIER();
        Bench__TimerRequest *out = bench__timer_request__unpack(NULL, len, buf);
        if (out == NULL || out->variant_case != BENCH__TIMER_REQUEST__VARIANT_AFTER) die("timer_request unpack");
        sum += out->after->duration_us;
        bench__timer_request__free_unpacked(out, NULL);
    }
    return sum;
}

static uint64_t ours_connect(uint64_t n)
{
    uint8_t buf[BootRequest_MAX_SIZE];
    uint64_t sum = 0;
    BootRequest m = { .tag = BootRequest_ConnectService_tag, .u.ConnectService.name = { 5, "timer" } };
    for (uint64_t i = 0; i < n; i++) {
        BootRequest out;
        size_t len;
        BARRIER();
        if (BootRequest_encode(&m, buf, sizeof buf, &len) != PROTO_OK) die("BootRequest_encode");
        BARRIER();
        if (BootRequest_decode(&out, buf, len) != PROTO_OK) die("BootRequest_decode");
        sum += out.u.ConnectService.name.len + (uint8_t)out.u.ConnectService.name.data[0];
    }
    return sum;
}

static uint64_t pbc_connect(uint64_t n)
{
    uint8_t buf[64];
    uint64_t sum = 0;
    char name[] = "timer";
    Bench__BootRequest__ConnectService cs = BENCH__BOOT_REQUEST__CONNECT_SERVICE__INIT;
    Bench__BootRequest m = BENCH__BOOT_REQUEST__INIT;
    cs.name = name;
    m.variant_case = BENCH__BOOT_REQUEST__VARIANT_CONNECT_SERVICE;
    m.connect_service = &cs;
    for (uint64_t i = 0; i < n; i++) {
        BARRIER();
        size_t len = bench__boot_request__pack(&m, buf);
        BARRIER();
        Bench__BootRequest *out = bench__boot_request__unpack(NULL, len, buf);
        if (out == NULL || out->variant_case != BENCH__BOOT_REQUEST__VARIANT_CONNECT_SERVICE) die("boot_request unpack");
        sum += strlen(out->connect_service->name) + (uint8_t)out->connect_service->name[0];
        bench__boot_request__free_unpacked(out, NULL);
    }
    return sum;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Iterations of w that take at least MIN_REP_NS (a power-of-two multiple of 1000). */
static uint64_t calibrate(workload *w)
{
    uint64_t n = 1000;
    for (;;) {
        double t0 = now_ns();
        sink = w(n);
        if (now_ns() - t0 >= MIN_REP_NS) return n;
        n *= 2;
    }
}

static double run_rep(workload *w, uint64_t n)
{
    double t0 = now_ns();
    sink = w(n);
    return (now_ns() - t0) / (double)n;
}

static double median(double *v)
{
    qsort(v, REPS, sizeof v[0], cmp_double);
    return v[REPS / 2];
}

/* Median ns per round trip of each codec over REPS repetitions, the two
 * codecs' repetitions taken in turn so that both see the same machine load.
 */
static void measure(workload *ours, workload *pbc, double *ours_ns, double *pbc_ns)
{
    uint64_t n_ours = calibrate(ours), n_pbc = calibrate(pbc);
    double a[REPS], b[REPS];
    for (int r = 0; r < REPS; r++) {
        a[r] = run_rep(ours, n_ours);
        b[r] = run_rep(pbc, n_pbc);
    }
    *ours_ns = median(a);
    *pbc_ns = median(b);
}

int main(void)
{
    static const struct {
        const char *name;
        workload *ours, *pbc;
    } rows[] = {
        { "TimerRequest::After", ours_after, pbc_after },
        { "BootRequest::ConnectService(\"timer\")", ours_connect, pbc_connect },
    };
    /* Same checksums: both codecs carried the same values. */
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].ours(1000) != rows[i].pbc(1000)) die("the two codecs disagree");
    }
    double speedup = 0;
    printf("encode+decode, median of %d reps (>= %.0f ms each), ns per message\n", REPS, MIN_REP_NS / 1e6);
    printf("%-38s %10s %14s %8s\n", "message", "ours ns", "protobuf-c ns", "ratio");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double ours, pbc;
        measure(rows[i].ours, rows[i].pbc, &ours, &pbc);
        double ratio = pbc / ours;
        printf("%-38s %10.1f %14.1f %8.1f\n", rows[i].name, ours, pbc, ratio);
        if (i == 0 || ratio < speedup) speedup = ratio;
    }
    printf("codec speedup vs protobuf-c: %.1f\n", speedup);
    return 0;
}
