/* kfuzz: a syscall fuzzer inside the guest, in the spirit of syzkaller.
 *
 *   kfuzz=SEED,COUNT[,CHILDREN][,nochains][,nocycles][,trace]
 *
 * CHILDREN (default 4) bounds the children alive at once. For diagnosis
 * only, nochains leaves out the deep chain and nocycles any nesting of ends
 * in queues (so no cycle either), the patterns of two known kernel bugs;
 * trace prints every call with its result. The default exercises all.
 *
 * A seeded PRNG draws long sequences of syscalls from the generated table of
 * every syscall in schema/kernel.lua (generated/kernel_sysdesc.h) and draws
 * each argument by its kind and name from edge values: live, closed and
 * impossible handles; its own buffers at odd offsets and page ends, text,
 * NULL, kernel addresses, the edges of the user range and pointers whose
 * range wraps; lengths around MAX_MSG_SIZE; valid and malformed timer and
 * boot messages. Now and then it runs a pattern a random walk rarely finds:
 * deep chains of ends queued inside ends, cycles of ends in each other's
 * queues, a timer round trip. It spawns copies of itself (argument
 * "c,SEED,COUNT") that fuzz with a derived seed and then exit, some holding
 * handles, some left blocked on their parent channel until it is closed,
 * and copies that serve it in reply_recv ("p,SEED,COUNT", pingpong) so that
 * its calls take the kernel's fast path.
 *
 * The fuzzer cannot hang by its own logic: it blocks (blocking recv/send,
 * block without a near deadline) only where it knows the call returns,
 * from the handles it tracks. Its oracles: the kernel survives; handles it
 * does not hold give BAD_HANDLE and handles it holds do not; every channel
 * end is returned at the end (capacity measured before and after). Under
 * --icount a run is reproducible from its seed. The main fuzzer ends with
 * `kfuzz: N syscalls, seed S, done` and powers off with 0 (1 on an anomaly).
 * A syscall added to the schema later is fuzzed with generic values for its
 * kinds; give it a policy below if it can block or end the app. */
#include "boot.h"            /* generated: BootRequest encoder */
#include "kernel_sysdesc.h"  /* generated: the syscall table */
#include "timer.h"           /* generated: TimerRequest encoder, TICKS_PER_US */
#include "ulib.h"

#define PROGRESS_EVERY 100000
#define STACK_BOTTOM (0x80000000UL - 16 * 4096)   /* USER_TOP - USER_STACK_PAGES pages */
#define USER_BASE_ADDR 0x40000000UL
#define USER_TOP_ADDR 0x80000000UL
#define KERNEL_ADDR 0x80200000UL
#define DEEP_CHAIN 600       /* deep enough to nest every channel end of the kernel */
#define DEAD_KEPT 16

/* ------------------------------------------------------------ random numbers */

static uint64_t rng;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
    return splitmix(&rng);
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

static uint64_t pick(const uint64_t *v, unsigned n)
{
    return v[below(n)];
}
#define PICK(...) pick((const uint64_t[]){ __VA_ARGS__ }, sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* ------------------------------------------------------------ state */

struct opts {
    uint64_t seed, count, children;
    bool child, pingpong, nochains, nocycles, trace;
};

/* What the fuzzer knows of one of its handles. A pair is a channel whose
 * both ends it created; for an end whose peer it holds it knows the queue
 * exactly (only that peer sends into it), which makes blocking safe. */
enum hkind { H_FREE, H_BOOT, H_PARENT, H_PAIR, H_SPAWN, H_OTHER };
struct hinfo {
    uint8_t kind;
    bool polled;
    bool peer_closed;   /* closed by us: recv returns at once */
    bool nested;        /* ends may be queued in it (or we cannot tell) */
    int16_t peer;       /* our handle of the other end, or -1 */
    uint32_t queued;    /* messages we sent into this end's queue, not yet taken */
    bool unsure;        /* call or reply_recv moved messages on it: queued is a guess */
};

static struct opts opt;
static struct hinfo hs[MAX_HANDLES];
static uint32_t dead[DEAD_KEPT], ndead;
static uint64_t nsys, anomalies, spawned;
static uint8_t scratch[4 * 4096] __attribute__((aligned(4096)));   /* out buffers; the last page is slack */
static uint8_t msgbuf[MAX_MSG_SIZE + 64];
static uint32_t capsbuf[MAX_CAPS + 2];
static char childarg[64];
static const char rodata_text[] = "read-only bytes";
static const char self_name[] = "kfuzz";
extern char _end[];   /* clients/lib/user.ld: the end of the image */

static const struct syscall_desc *desc_of(uint64_t num)
{
    for (unsigned i = 0; i < SYSCALL_DESC_COUNT; i++)
        if (syscall_descs[i].number == num)
            return &syscall_descs[i];
    return NULL;
}

static const char *call_name(uint64_t num)
{
    const struct syscall_desc *d = desc_of(num);
    return d ? d->name : "?";
}

/* Whether every 32-bit argument fits its type. One that does not is either
 * truncated by the kernel or refused as a whole with INVALID; both are right. */
static bool args_fit(uint64_t num, const uint64_t a[6])
{
    const struct syscall_desc *d = desc_of(num);
    for (unsigned i = 0; d && i < d->nargs; i++) {
        if (d->arg_kinds[i] == SYSCALL_ARG_U32 && a[i] > 0xffffffffULL)
            return false;
        if (d->arg_kinds[i] == SYSCALL_ARG_I32 && a[i] != (uint64_t)(int64_t)(int32_t)a[i])
            return false;
    }
    return true;
}

static int64_t sc(uint64_t num, const uint64_t a[6])
{
    nsys++;
    int64_t rc = sys_raw(num, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (opt.trace)
        printf("kfuzz%s %lu: %s(%lx, %lx, %lx, %lx, %lx, %lx) = %ld\n", opt.child ? " child" : "", nsys,
               call_name(num), a[0], a[1], a[2], a[3], a[4], a[5], rc);
    return rc;
}

static bool live(uint32_t h)
{
    return h < MAX_HANDLES && hs[h].kind != H_FREE;
}

static uint32_t nlive(void)
{
    uint32_t n = 0;
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        n += live(h);
    return n;
}

static uint32_t nkind(enum hkind k)
{
    uint32_t n = 0;
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        n += hs[h].kind == k;
    return n;
}

static int64_t random_live(void)
{
    uint32_t n = nlive();
    if (n == 0)
        return -1;
    uint64_t i = below(n);
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        if (live(h) && i-- == 0)
            return h;
    return -1;
}

static void anomaly(const char *what, uint64_t num, const uint64_t a[6], int64_t rc)
{
    if (anomalies++ < 10)
        printf("kfuzz%s: ANOMALY after %lu syscalls: %s: %s(%lx, %lx, %lx, %lx, %lx, %lx) = %ld\n",
               opt.child ? " child" : "", nsys, what, call_name(num), a[0], a[1], a[2], a[3], a[4], a[5], rc);
}

static void track(uint32_t h, enum hkind k, int16_t peer)
{
    hs[h] = (struct hinfo){ .kind = (uint8_t)k, .peer = peer, .nested = k != H_PAIR };
}

/* h left us (closed, or moved into a message); closed says which. */
static void untrack(uint32_t h, bool closed)
{
    int16_t p = hs[h].peer;
    if (p >= 0 && hs[p].peer == (int16_t)h) {
        hs[p].peer = -1;
        hs[p].peer_closed = closed;
    }
    hs[h] = (struct hinfo){ .kind = H_FREE, .peer = -1 };
    dead[ndead++ % DEAD_KEPT] = h;
}

/* Blocking recv on h returns: a message we queued, or a peer we closed. */
static bool recv_returns(uint32_t h)
{
    return live(h) && !hs[h].unsure && (hs[h].queued > 0 || hs[h].peer_closed);
}

/* Blocking send on h returns: room in a queue only we fill, or a closed peer. */
static bool send_returns(uint32_t h)
{
    if (!live(h))
        return false;
    int16_t p = hs[h].peer;
    return hs[h].peer_closed || (p >= 0 && !hs[p].unsure && hs[p].queued < CHAN_QUEUE_DEPTH);
}

/* With nocycles, the caps of a send on h must not nest ends: they go only
 * into the queue of an end we hold (which we mark), and only ends that no
 * end was ever queued in travel. Then no end holding ends sits in a queue,
 * so no chain or cycle forms. Offending caps become a handle we do not hold. */
static void caps_without_nesting(uint32_t h, uint64_t a[6])
{
    uint32_t n = (uint32_t)a[4];
    if (n == 0 || n > MAX_CAPS)
        return;
    a[3] = (uint64_t)(uintptr_t)capsbuf;
    for (uint32_t i = 0; i < n; i++)
        if (live(capsbuf[i]) && (!live(h) || hs[h].peer < 0 || hs[capsbuf[i]].nested))
            capsbuf[i] = MAX_HANDLES;
}

static bool poll_ready(void)
{
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        if (live(h) && hs[h].polled && recv_returns(h))
            return true;
    return false;
}

/* ------------------------------------------------------------ values */

static uint64_t draw_handle(void)
{
    int64_t h = random_live();
    switch (below(12)) {
    case 0: case 1: case 2: case 3: case 4: case 5:
        return h >= 0 ? (uint64_t)h : 2;
    case 6: return ndead ? dead[below(ndead < DEAD_KEPT ? ndead : DEAD_KEPT)] : 5;
    case 7: return PICK(0, 1, MAX_HANDLES - 1, MAX_HANDLES, MAX_HANDLES + 1);
    case 8: return PICK(0xffffffffULL, 0x80000000ULL, 0x7fffffffULL);
    case 9: return (1ULL << 32) + (h >= 0 ? (uint64_t)h : 0);   /* truncates to a live handle */
    case 10: return below(MAX_HANDLES);
    default: return rnd();
    }
}

static uint64_t draw_len(void)
{
    switch (below(8)) {
    case 0: return PICK(0, 1, 2, 4, 8);
    case 1: return PICK(MAX_MSG_SIZE - 1, MAX_MSG_SIZE, MAX_MSG_SIZE + 1);
    case 2: return PICK(~0ULL, 1ULL << 63, 0xffffffffULL, 1ULL << 32, 4096, 4097);
    case 3: return rnd();
    default: return below(MAX_MSG_SIZE + 2);
    }
}

static uint64_t image_page_end(void)
{
    return ((uint64_t)(uintptr_t)_end + 4095) & ~4095ULL;
}

/* A user pointer. Where the kernel may write (out) it is a buffer of ours
 * with MAX_MSG_SIZE bytes free behind it, or a few bytes before the end of
 * mapped memory that nothing uses; reading (in) may also see text and
 * read-only data. Then NULL, the kernel, the edges of the user range and
 * pointers whose range wraps. */
static uint64_t draw_ptr(bool out, uint8_t *stackbuf)
{
    uint64_t k, end = image_page_end();
    switch (below(16)) {
    case 0: case 1: case 2: case 3:
        return (uint64_t)(uintptr_t)scratch + PICK(0, 1, 2, 3, 5, 7, 8, 4092, 4095, 4096, 4097, 8190, 3 * 4096 - 16, 3 * 4096);
    case 4: case 5:
        return out ? (uint64_t)(uintptr_t)(stackbuf + below(16)) : (uint64_t)(uintptr_t)msgbuf;
    case 6: return PICK((uint64_t)(uintptr_t)main, (uint64_t)(uintptr_t)rodata_text, USER_BASE_ADDR);
    case 7: return PICK(0, 1, 8, 4096);
    case 8: return PICK(KERNEL_ADDR, KERNEL_ADDR + 0x1000, USER_TOP_ADDR, USER_TOP_ADDR + 8);
    case 9: return PICK(USER_BASE_ADDR - 1, USER_BASE_ADDR - 8, USER_BASE_ADDR - 4096);
    case 10: return USER_TOP_ADDR - 1 - below(16);   /* the argument string, already parsed */
    case 11:   /* the stack's bottom page is unused; below it nothing is mapped */
        return chance(50) ? STACK_BOTTOM : STACK_BOTTOM - 1 - below(8);
    case 12:   /* the image's last page: slack after _end, then nothing */
        k = below(17);
        return end - (k <= end - (uint64_t)(uintptr_t)_end ? k : 0);
    case 13: return PICK(~0ULL - below(64), 1ULL << 63, (1ULL << 39) - 1, 1ULL << 38);
    case 14: return rnd();
    default: return (uint64_t)(uintptr_t)(scratch + below(3 * 4096));
    }
}

/* Fills msgbuf with a message (valid or malformed timer and boot requests,
 * random bytes); returns its length. */
static uint64_t draw_message(void)
{
    size_t len = 0;
    proto_err err = PROTO_OK;
    if (chance(35)) {
        TimerRequest m = TimerRequest_init_zero;
        m.tag = TimerRequest_After_tag;
        m.u.After.duration_us = PICK(0, 1, 10, 1000, 50000, ~0ULL, 1ULL << 63, rnd());
        err = TimerRequest_encode(&m, msgbuf, sizeof msgbuf, &len);
    } else if (chance(45)) {
        BootRequest m = BootRequest_init_zero;
        m.tag = BootRequest_ConnectService_tag;
        static const char *const names[] = { "timer", "", "boot", "nosuch", "timerX", "0123456789abcdef0123456789abcde" };
        const char *n = names[below(sizeof names / sizeof names[0])];
        if (PROTO_STR_SET(m.u.ConnectService.name, n) == PROTO_OK)
            err = BootRequest_encode(&m, msgbuf, sizeof msgbuf, &len);
    } else {
        len = below(MAX_MSG_SIZE + 1);
        for (size_t i = 0; i < len; i++)
            msgbuf[i] = (uint8_t)rnd();
    }
    if (err != PROTO_OK)
        len = 0;
    switch (below(6)) {
    case 0: if (len) len -= 1 + below(len); break;   /* truncated */
    case 1: msgbuf[len++] = (uint8_t)rnd(); break;   /* trailing byte */
    case 2: if (len) msgbuf[0] = (uint8_t)rnd(); break;   /* bad tag */
    case 3: if (len > 2) msgbuf[1 + below(len - 1)] = 0xff; break;   /* bad length prefix */
    default: break;
    }
    return len;
}

static uint64_t draw_u32(void)
{
    return PICK(0, 1, 2, 4, 5, 0xffffffffULL, 0x80000000ULL, 1ULL << 32, (1ULL << 32) + 1, rnd(), below(8));
}

static uint64_t draw_arg(const struct syscall_desc *d, unsigned i, uint8_t *stackbuf)
{
    const char *name = d->arg_names[i];
    switch (d->arg_kinds[i]) {
    case SYSCALL_ARG_U32:
        if (strcmp(name, "handle") == 0)
            return draw_handle();
        if (strcmp(name, "flags") == 0)
            return PICK(0, CHAN_NONBLOCK, 2, 3, 0xfffffffeULL, 0xffffffffULL, 1ULL << 32);
        return draw_u32();
    case SYSCALL_ARG_I32:
    case SYSCALL_ARG_I64:
        return PICK(0, 1, ~0ULL, 0x80000000ULL, 0x7fffffffULL, 1ULL << 63, rnd());
    case SYSCALL_ARG_U64:
        return PICK(0, 1, time_now(), time_now() + below(1000), ~0ULL, rnd());
    case SYSCALL_ARG_USIZE:
        return draw_len();
    case SYSCALL_ARG_UPTR_IN:
        if (strcmp(name, "caps") == 0 && chance(70))
            return (uint64_t)(uintptr_t)capsbuf;
        return draw_ptr(false, stackbuf);
    case SYSCALL_ARG_UPTR_OUT:
        return draw_ptr(true, stackbuf);
    }
    return rnd();
}

/* ------------------------------------------------------------ policies */

static void make_child_arg(void)
{
    uint64_t s = opt.seed ^ (spawned * 0x9e3779b97f4a7c15ULL);
    snfmt(childarg, sizeof childarg, "c,%lu,%lu%s%s%s", splitmix(&s), 100 + below(1500),
          opt.nochains ? ",nochains" : "", opt.nocycles ? ",nocycles" : "", opt.trace ? ",trace" : "");
}

/* spawn: itself (with a child argument, within the child budget), names
 * too long, bad pointers, now and then a name that is no app (the kernel
 * logs those); never another app: they may shut the machine down. */
static void spawn_policy(uint64_t a[6])
{
    static const char *const others[] = { "kfuz", "kfuzzz", "nosuch", "", "0123456789abcdef0123456789abcdefXX" };
    if (chance(60)) {
        a[0] = (uint64_t)(uintptr_t)self_name;
        a[1] = PICK(5, 5, 5, 6, 32, 33, ~0ULL);
    } else if (chance(4)) {
        const char *n = others[below(sizeof others / sizeof others[0])];
        a[0] = (uint64_t)(uintptr_t)n;
        a[1] = strlen(n) + below(2);
    } else if (a[0] >= USER_BASE_ADDR && a[0] < USER_TOP_ADDR && a[1] < 32) {
        a[1] = 32 + below(8);   /* our memory could spell any app's name: TOO_BIG, unread */
    }
    if (a[0] == (uint64_t)(uintptr_t)self_name && (a[1] == 5 || a[1] == 6)) {   /* the kernel reads "kfuzz" */
        if (opt.child || nkind(H_SPAWN) >= opt.children) {
            a[1] = 32;   /* TOO_BIG: no child over the budget */
        } else {
            make_child_arg();
            a[2] = (uint64_t)(uintptr_t)childarg;
            a[3] = strlen(childarg);
        }
    }
}

/* call's and reply_recv's messages: ours, without handles to send or room
 * for any to come (a message with handles stays queued), so the handle
 * table only changes as the other calls change it. */
static struct chan_io fz_send, fz_recv;

static void io_policy(uint64_t a[6], unsigned send, unsigned recv)
{
    /* flags: never CHAN_REG_IN (it writes a1 and t0..t5, which the
     * syscall wrapper does not declare); the register form's sending side,
     * garbage bits (INVALID) now and then. */
    a[4] = chance(70) ? 0 : chance(80) ? (CHAN_REG_OUT | below(2 * REG_MSG_BYTES + 2) << CHAN_REG_LEN_SHIFT) : (rnd() & ~(uint64_t)CHAN_REG_IN);
    a[5] = rnd();
    fz_send = (struct chan_io){ .buf = (uint64_t)(uintptr_t)msgbuf, .len = draw_message() };
    if (chance(15))
        fz_send.len = draw_len();
    if (chance(5))
        fz_send.ncaps = 1 + below(MAX_CAPS);   /* caps 0: BAD_ADDRESS, nothing sent */
    fz_recv = (struct chan_io){ .buf = (uint64_t)(uintptr_t)scratch, .len = chance(90) ? sizeof scratch - 4096 : below(16) };
    if (!chance(8))   /* else: the drawn pointers, mostly bad */
        a[send] = (uint64_t)(uintptr_t)&fz_send;
    if (!chance(8))
        a[recv] = (uint64_t)(uintptr_t)&fz_recv;
}

/* Makes a drawn call one that returns: blocking only where it must. */
static void apply_policy(const struct syscall_desc *d, uint64_t a[6])
{
    uint64_t now = time_now();
    switch (d->number) {
    case SYS_block:
        if (!(a[0] == 0 ? poll_ready() : (a[0] <= now + 2000 * TICKS_PER_US || poll_ready())))
            a[0] = chance(20) ? PICK(1, now) : now + below(300 * TICKS_PER_US);
        break;
    case SYS_chan_send:
        if (!(a[5] & CHAN_NONBLOCK) && !send_returns((uint32_t)a[0]) && live((uint32_t)a[0]))
            a[5] |= CHAN_NONBLOCK;
        if (chance(60)) {
            uint64_t len = draw_message();
            a[1] = (uint64_t)(uintptr_t)msgbuf;
            a[2] = chance(85) ? len : draw_len();
        }
        for (unsigned i = 0; i < MAX_CAPS + 2; i++)
            capsbuf[i] = (uint32_t)(chance(80) ? draw_handle() : rnd());
        if (chance(50))
            a[4] = below(MAX_CAPS + 1);
        if (opt.nocycles)
            caps_without_nesting((uint32_t)a[0], a);
        break;
    case SYS_chan_recv:
        if (!(a[5] & CHAN_NONBLOCK) && !recv_returns((uint32_t)a[0]) && live((uint32_t)a[0]) &&
            !(opt.child && hs[(uint32_t)a[0]].kind == H_PARENT && chance(5)))
            a[5] |= CHAN_NONBLOCK;
        break;
    case SYS_console_write:
        if (a[0] >= USER_BASE_ADDR && a[0] < USER_TOP_ADDR)
            a[1] = 0;   /* keep the log readable: print nothing from our memory */
        break;
    case SYS_spawn:
        spawn_policy(a);
        break;
    case SYS_call:   /* handle, req, rep, deadline: always a deadline, soon */
        io_policy(a, 1, 2);
        a[3] = now + below(300 * TICKS_PER_US) + 1;
        break;
    case SYS_reply_recv:   /* handle, rep (often none), req, deadline */
        io_policy(a, 1, 2);
        if (chance(30))
            a[1] = 0;
        a[3] = now + below(300 * TICKS_PER_US) + 1;
        break;
    default:
        break;
    }
}

static void read_u32s(uint64_t ptr, uint32_t *out, uint32_t n)
{
    memcpy(out, (const void *)(uintptr_t)ptr, n * sizeof(uint32_t));
}

/* Probes every handle number (chan_poll_remove: 0 for an open one) and
 * brings the table in line; returns how many entries were wrong. */
static uint32_t resync(void)
{
    uint32_t wrong = 0;
    for (uint32_t h = 0; h < MAX_HANDLES; h++) {
        uint64_t a[6] = { h, 0, 0, 0, 0, 0 };
        bool open = sc(SYS_chan_poll_remove, a) == 0;
        if (open != live(h)) {
            wrong++;
            if (open)
                track(h, H_OTHER, -1);
            else
                untrack(h, false);
        }
        hs[h].polled = false;
    }
    return wrong;
}

static void after_recv(uint32_t h, const uint64_t a[6], int64_t rc)
{
    if (hs[h].queued)
        hs[h].queued--;
    uint32_t n = 0, caps[MAX_CAPS];
    if (a[4])
        read_u32s(a[4], &n, 1);
    if (n > MAX_CAPS) {
        anomaly("recv reports more caps than MAX_CAPS", SYS_chan_recv, a, rc);
        resync();
        return;
    }
    if (n && a[3] < a[4] + 4 && a[4] < a[3] + 4 * n) {   /* *ncaps was written over the caps */
        resync();
        return;
    }
    read_u32s(a[3], caps, n);
    for (uint32_t i = 0; i < n; i++) {
        if (caps[i] >= MAX_HANDLES || live(caps[i])) {
            anomaly("recv installed a cap over a handle in use", SYS_chan_recv, a, rc);
            resync();
            return;
        }
        track(caps[i], H_OTHER, -1);
    }
}

static void after_send(uint32_t h, const uint64_t a[6])
{
    uint32_t n = (uint32_t)a[4], caps[MAX_CAPS];
    read_u32s(a[3], caps, n);
    int16_t p = hs[h].peer;
    if (p >= 0) {
        hs[p].queued++;
        hs[p].nested |= n > 0;
    }
    for (uint32_t i = 0; i < n; i++)
        if (live(caps[i]))
            untrack(caps[i], false);
}

static void after_create(const uint64_t a[6])
{
    uint32_t e[2];
    read_u32s(a[0], e, 2);
    if (e[0] >= MAX_HANDLES || e[1] >= MAX_HANDLES || e[0] == e[1] || live(e[0]) || live(e[1])) {
        anomaly("chan_create gave handles in use", SYS_chan_create, a, 0);
        resync();
        return;
    }
    track(e[0], H_PAIR, (int16_t)e[1]);
    track(e[1], H_PAIR, (int16_t)e[0]);
}

/* Brings the table up to date after a call, and checks what it can. */
static void after_call(uint64_t num, const uint64_t a[6], int64_t rc)
{
    uint32_t h = (uint32_t)a[0];
    bool known = live(h);
    if (rc == -(int64_t)KERNEL_ERROR_INVALID && !args_fit(num, a))
        return;   /* refused before it did anything */
    switch (num) {
    case SYS_chan_close:
    case SYS_chan_poll_add:
    case SYS_chan_poll_remove:
        if (rc != (known ? 0 : -(int64_t)KERNEL_ERROR_BAD_HANDLE))
            anomaly(known ? "a handle we hold was refused" : "a handle we do not hold was taken", num, a, rc);
        if (rc == 0 && num == SYS_chan_close)
            untrack(h, true);
        else if (rc == 0)
            hs[h].polled = num == SYS_chan_poll_add;
        break;
    case SYS_chan_send:
    case SYS_chan_recv:
        if (!known && rc != -(int64_t)KERNEL_ERROR_BAD_HANDLE)
            anomaly("a handle we do not hold was taken", num, a, rc);
        if (known && rc >= 0 && num == SYS_chan_send)
            after_send(h, a);
        else if (known && rc >= 0)
            after_recv(h, a, rc);
        break;
    case SYS_chan_create:
        if (rc == 0)
            after_create(a);
        break;
    case SYS_spawn:
        if (rc >= 0) {
            if (rc >= MAX_HANDLES || live((uint32_t)rc)) {
                anomaly("spawn gave a handle in use", num, a, rc);
                resync();
            } else {
                track((uint32_t)rc, H_SPAWN, -1);
                spawned++;
            }
        }
        break;
    case SYS_block:
        if (rc >= 0 && !live((uint32_t)rc))
            anomaly("block returned a handle we do not hold", num, a, rc);
        break;
    case SYS_call:
    case SYS_reply_recv:   /* messages moved both ways: these queues are guesses from now on */
        if (num == SYS_reply_recv && rc >= 0 && !live((uint32_t)rc))
            anomaly("reply_recv returned a handle we do not hold", num, a, rc);
        if (live(h)) {
            hs[h].unsure = true;
            if (hs[h].peer >= 0)
                hs[hs[h].peer].unsure = true;
        }
        if (num == SYS_reply_recv && rc >= 0 && live((uint32_t)rc))
            hs[rc].unsure = true;
        break;
    default:
        break;
    }
}

/* One call drawn from the syscall table. */
static void fuzz_one(void)
{
    uint8_t stackbuf[MAX_MSG_SIZE + 16];
    const struct syscall_desc *d;
    do
        d = &syscall_descs[below(SYSCALL_DESC_COUNT)];
    while (d->number == SYS_exit || d->number == SYS_shutdown);   /* the end of the run only */
    uint64_t a[6] = { 0 };
    for (unsigned i = 0; i < d->nargs; i++)
        a[i] = draw_arg(d, i, stackbuf);
    for (unsigned i = d->nargs; i < 6; i++)
        a[i] = chance(90) ? 0 : rnd();   /* registers the call does not read */
    apply_policy(d, a);
    after_call(d->number, a, sc(d->number, a));
}

/* ------------------------------------------------------------ patterns */

static int64_t call6(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
    int64_t rc = sc(num, a);
    after_call(num, a, rc);
    return rc;
}

static bool create_pair(uint32_t e[2])
{
    uint64_t ptr = (uint64_t)(uintptr_t)e;
    return call6(SYS_chan_create, ptr, 0, 0, 0, 0, 0) == 0;
}

static int64_t send_caps(uint32_t h, const uint32_t *caps, uint32_t n)
{
    memcpy(capsbuf, caps, n * sizeof caps[0]);
    return call6(SYS_chan_send, h, (uint64_t)(uintptr_t)msgbuf, below(16), (uint64_t)(uintptr_t)capsbuf, n,
                 CHAN_NONBLOCK);
}

static void close_handle(uint32_t h)
{
    call6(SYS_chan_close, h, 0, 0, 0, 0, 0);
}

/* Each pair's two ends go into the queue of the next pair's second end:
 * closing the last pair closes the whole chain, one level inside the other. */
static void chain(void)
{
    uint64_t depth = chance(3) && !opt.nochains ? DEEP_CHAIN : below(12);
    uint32_t cur[2], next[2];
    if (nlive() > MAX_HANDLES - 4 || !create_pair(cur))
        return;
    for (uint64_t i = 0; i < depth && create_pair(next); i++) {
        if (send_caps(next[0], cur, 2) < 0) {
            close_handle(next[0]);
            close_handle(next[1]);
            break;
        }
        cur[0] = next[0];
        cur[1] = next[1];
    }
    if (chance(70))
        close_handle(cur[below(2)]);
    if (chance(70))
        close_handle(cur[chance(50)]);
}

/* Ends in each other's queues: after the outer ends close, nothing can
 * reach them any more, and the kernel must still free them. */
static void cycle(void)
{
    uint32_t n = 2 + (uint32_t)below(3), p[4][2];
    if (nlive() > MAX_HANDLES - 2 * n)
        return;
    uint32_t made = 0;
    while (made < n && create_pair(p[made]))
        made++;
    for (uint32_t i = 0; i < made; i++)   /* pair i's second end into the queue of pair i+1's */
        send_caps(p[(i + 1) % made][0], &p[i][1], 1);
    for (uint32_t i = 0; i < made; i++)
        if (live(p[i][0]) && chance(85))
            close_handle(p[i][0]);
}

/* A timer round trip: ask the boot channel for "timer", send After, poll,
 * block until the answer or a near deadline. */
static void timer_trip(void)
{
    BootRequest m = BootRequest_init_zero;
    m.tag = BootRequest_ConnectService_tag;
    size_t len;
    if (!live(BOOT_HANDLE) || PROTO_STR_SET(m.u.ConnectService.name, "timer") != PROTO_OK ||
        BootRequest_encode(&m, msgbuf, sizeof msgbuf, &len) != PROTO_OK)
        return;
    call6(SYS_chan_send, BOOT_HANDLE, (uint64_t)(uintptr_t)msgbuf, len, 0, 0, CHAN_NONBLOCK);
    uint32_t caps[MAX_CAPS], ncaps = 0;
    call6(SYS_block, time_now() + 200 * TICKS_PER_US, 0, 0, 0, 0, 0);
    if (call6(SYS_chan_recv, BOOT_HANDLE, (uint64_t)(uintptr_t)scratch, 256, (uint64_t)(uintptr_t)caps,
              (uint64_t)(uintptr_t)&ncaps, CHAN_NONBLOCK) < 0 || ncaps != 1)
        return;
    TimerRequest t = TimerRequest_init_zero;
    t.tag = TimerRequest_After_tag;
    t.u.After.duration_us = below(200);
    if (TimerRequest_encode(&t, msgbuf, sizeof msgbuf, &len) != PROTO_OK)
        return;
    call6(SYS_chan_send, caps[0], (uint64_t)(uintptr_t)msgbuf, len, 0, 0, CHAN_NONBLOCK);
    call6(SYS_chan_poll_add, caps[0], 0, 0, 0, 0, 0);
    call6(SYS_block, time_now() + 400 * TICKS_PER_US, 0, 0, 0, 0, 0);
    if (chance(60))
        close_handle(caps[0]);
}

/* The register form (clients/lib's chan_call and chan_reply_recv, which
 * declare the registers the kernel writes) on a handle we hold, often one
 * to a child or the parent doing the same: messages handed over in
 * registers both ways. Our chan_io has no room for handles, so a message
 * carrying some stays queued and the table does not change. */
static void reg_trip(void)
{
    int64_t h = random_live();
    if (h < 0)
        return;
    uint64_t a[6] = { 0 };
    io_policy(a, 0, 1);
    uint64_t deadline = time_now() + below(300 * TICKS_PER_US) + 1;
    int64_t rc;
    nsys++;
    if (chance(50)) {
        rc = chan_call((uint32_t)h, &fz_send, &fz_recv, deadline);
    } else {
        if (!hs[h].polled && call6(SYS_chan_poll_add, (uint64_t)h, 0, 0, 0, 0, 0) == 0)
            hs[h].polled = true;
        rc = chan_reply_recv((uint32_t)h, chance(30) ? NULL : &fz_send, &fz_recv, deadline);
        if (rc >= 0 && !live((uint32_t)rc))
            anomaly("reply_recv returned a handle we do not hold", SYS_reply_recv, a, rc);
        if (rc >= 0 && live((uint32_t)rc))
            hs[rc].unsure = true;
    }
    hs[h].unsure = true;
    if (hs[h].peer >= 0)
        hs[hs[h].peer].unsure = true;
}

/* Random bytes in msgbuf for a message of up to n bytes. */
static void random_message(uint64_t n)
{
    for (uint64_t i = 0; i < n; i += 8) {
        uint64_t r = rnd();
        memcpy(msgbuf + i, &r, sizeof r);
    }
}

/* A register-form ping-pong with a child that serves in reply_recv (its
 * argument "p,SEED,N"): calls that find it waiting take the kernel's fast
 * path, with random lengths (some past REG_MSG_BYTES, which are queued),
 * near deadlines (some pass, leaving a late reply queued), receive buffers
 * too small now and then, and a kill of the child or a close while it
 * serves or while we wait. */
static void pingpong(void)
{
    if (opt.child || nkind(H_SPAWN) >= opt.children || nlive() >= MAX_HANDLES)
        return;
    uint64_t s = opt.seed ^ ((spawned + 1) * 0x9e3779b97f4a7c15ULL);
    snfmt(childarg, sizeof childarg, "p,%lu,%lu", splitmix(&s), below(300));
    int64_t h = call6(SYS_spawn, (uint64_t)(uintptr_t)self_name, 5, (uint64_t)(uintptr_t)childarg, strlen(childarg),
                      0, 0);
    if (h < 0)
        return;
    for (uint64_t i = 0, n = below(300); i < n && live((uint32_t)h); i++) {
        fz_send = (struct chan_io){ .buf = (uint64_t)(uintptr_t)msgbuf, .len = below(REG_MSG_BYTES + 9) };
        fz_recv = (struct chan_io){ .buf = (uint64_t)(uintptr_t)scratch, .len = chance(95) ? 64 : below(16) };
        random_message(fz_send.len);
        nsys++;
        int64_t rc = chan_call((uint32_t)h, &fz_send, &fz_recv, time_now() + below(1000 * TICKS_PER_US) + 1);
        if (rc < 0 && rc != -(int64_t)KERNEL_ERROR_WOULD_BLOCK && rc != -(int64_t)KERNEL_ERROR_CLOSED &&
            rc != -(int64_t)KERNEL_ERROR_BUFFER_TOO_SMALL)
            anomaly("call to a child in reply_recv", SYS_call, (const uint64_t[6]){ (uint64_t)h }, rc);
        if (rc >= 0 && (uint64_t)rc > REG_MSG_BYTES + 8)
            anomaly("a reply longer than the child sends", SYS_call, (const uint64_t[6]){ (uint64_t)h }, rc);
        hs[h].unsure = true;
        if (chance(1))
            call6(SYS_kill, (uint64_t)h, 0, 0, 0, 0, 0);
    }
    if (chance(50))
        close_handle((uint32_t)h);   /* else the child serves on while we fuzz */
}

/* The child of pingpong: answers each request with random bytes (up to
 * REG_MSG_BYTES + 8) through reply_recv, count times at most, now and then
 * with a near deadline or a yield first; ends when its parent's channel
 * closes. */
static int pingpong_child(uint64_t count)
{
    struct chan_io rep, req;
    int64_t h = -1;
    sys_chan_poll_add(SPAWN_HANDLE);
    for (uint64_t i = 0; i < count; i++) {
        rep = (struct chan_io){ .buf = (uint64_t)(uintptr_t)msgbuf, .len = below(REG_MSG_BYTES + 9) };
        req = (struct chan_io){ .buf = (uint64_t)(uintptr_t)scratch, .len = chance(95) ? 64 : below(16) };
        random_message(rep.len);
        if (chance(5))
            sys_yield();
        uint64_t deadline = chance(20) ? time_now() + below(500 * TICKS_PER_US) + 1 : 0;
        h = chan_reply_recv(SPAWN_HANDLE, h >= 0 ? &rep : NULL, &req, deadline);
        if (h == -(int64_t)KERNEL_ERROR_WOULD_BLOCK ||
            (h >= 0 && req.status == -(int64_t)KERNEL_ERROR_BUFFER_TOO_SMALL)) {
            h = -1;   /* nothing to answer; a request too long for req stays queued */
            continue;
        }
        if (h < 0 || req.status != 0)
            return 0;   /* the parent closed its end, or killed us meanwhile */
    }
    return 0;
}

static void pattern(void)
{
    switch (below(6)) {
    case 0: chain(); break;
    case 1: if (!opt.nocycles) cycle(); break;
    case 2: timer_trip(); break;
    case 3: reg_trip(); break;
    case 4: pingpong(); break;
    default: {   /* make room */
        int64_t h = random_live();
        if (h > SPAWN_HANDLE || (h >= 0 && chance(10)))
            close_handle((uint32_t)h);
    }
    }
}

/* ------------------------------------------------------------ the run */

/* How many channel ends the kernel can still give: pairs made and parked,
 * four ends a message, in holder channels' queues; all closed again. */
/* The kernel's pools, from kstat (call6: a kstat the fuzzer makes itself
 * counts as a syscall like any other). */
static struct kernel_stats pools(void)
{
    struct kernel_stats k;
    memset(&k, 0, sizeof k);
    call6(SYS_kstat, (uint64_t)(uintptr_t)&k, sizeof k, 0, 0, 0, 0);
    return k;
}

/* Clients of every service together, but for this app's own (its boot
 * client, which the fuzzing may have closed). */
static uint32_t service_clients(const struct kernel_stats *k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->services_count && i < MAX_SERVICES; i++)
        n += k->services[i].clients - k->services[i].app_clients;
    return n;
}

/* Whether the kernel is back where it was: pages, ends (but for this
 * app's own, such as its boot channel), messages, tasks, others' service
 * clients. */

static bool as_before(const struct kernel_stats *b, const struct kernel_stats *k)
{
    return k->free_pages == b->free_pages && k->ends_in_use - k->app_ends == b->ends_in_use - b->app_ends &&
           k->msgs_queued == b->msgs_queued && k->tasks == b->tasks && service_clients(k) == service_clients(b);
}

static void close_all(void)
{
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        if (live(h) && (hs[h].kind != H_BOOT || chance(50)))   /* handle 0 may be another end by now */
            close_handle(h);
}

/* The main loop: COUNT syscalls, drawn and patterned. */
static void fuzz(void)
{
    uint64_t next_progress = PROGRESS_EVERY, next_check = 10000;
    while (nsys < opt.count) {
        if (chance(3))
            pattern();
        else if (nlive() > MAX_HANDLES - 8 && chance(30))
            close_handle((uint32_t)random_live());
        else
            fuzz_one();
        if (nsys >= next_check) {
            uint32_t wrong = resync();
            if (wrong && anomalies++ < 10)
                printf("kfuzz%s: ANOMALY after %lu syscalls: %u handles not as tracked\n", opt.child ? " child" : "",
                       nsys, wrong);
            next_check += 10000;
        }
        if (!opt.child && nsys >= next_progress) {
            printf("kfuzz: %lu syscalls, %u handles, %u children, %lu spawned\n", nsys, nlive(), nkind(H_SPAWN),
                   spawned);
            next_progress += PROGRESS_EVERY;
        }
    }
}

/* A child ends in one of three ways: exits holding its handles, closes
 * them and returns, or waits on its parent channel until the parent
 * closes it (or sends) and then exits holding the rest. */
static int child_end(void)
{
    switch (below(3)) {
    case 0:
        sys_exit((int32_t)rnd());
        return 0;
    case 1:
        close_all();
        return 0;
    default:
        if (hs[SPAWN_HANDLE].kind == H_PARENT)
            sys_chan_recv(SPAWN_HANDLE, scratch, sizeof scratch, NULL, NULL, 0);
        return 1;
    }
}

static void parse(const char *arg)
{
    if ((arg[0] == 'c' || arg[0] == 'p') && arg[1] == ',') {
        opt.child = true;
        opt.pingpong = arg[0] == 'p';
        arg += 2;
    }
    opt.seed = parse_u64(&arg, 1);
    opt.count = parse_u64(&arg, 20000);
    opt.children = opt.child ? 0 : parse_u64(&arg, 4);
    while (*arg) {
        const char *w = arg;
        while (*arg && *arg != ',')
            arg++;
        if ((size_t)(arg - w) == 8 && strncmp(w, "nochains", 8) == 0)
            opt.nochains = true;
        if ((size_t)(arg - w) == 8 && strncmp(w, "nocycles", 8) == 0)
            opt.nocycles = true;
        if ((size_t)(arg - w) == 5 && strncmp(w, "trace", 5) == 0)
            opt.trace = true;
        if (*arg == ',')
            arg++;
    }
}

int main(const char *arg)
{
    parse(arg);
    rng = opt.seed;
    for (uint32_t h = 0; h < MAX_HANDLES; h++)
        hs[h] = (struct hinfo){ .kind = H_FREE, .peer = -1 };
    track(BOOT_HANDLE, H_BOOT, -1);
    if (opt.pingpong)
        return pingpong_child(opt.count);
    if (opt.child) {
        track(SPAWN_HANDLE, H_PARENT, -1);
        fuzz();
        return child_end();
    }
    printf("kfuzz: seed %lu, %lu syscalls, %lu children%s%s\n", opt.seed, opt.count, opt.children,
           opt.nochains ? ", nochains" : "", opt.nocycles ? ", nocycles" : "");
    struct kernel_stats before = pools(), after;
    nsys = 0;
    fuzz();
    uint64_t ran = nsys;
    close_all();
    /* Children finish their counts and exit; blocked ones woke when their
     * channel closed. Wait (bounded) until the kernel is as it was. */
    after = pools();
    for (int tries = 0; tries < 40 && !as_before(&before, &after); tries++) {
        call6(SYS_block, time_now() + 50000 * TICKS_PER_US, 0, 0, 0, 0, 0);
        after = pools();
    }
    if (!as_before(&before, &after)) {
        anomalies++;
        printf("kfuzz: ANOMALY: the kernel is not as before the run: free pages %lu -> %lu, others' ends %u -> %u, "
               "messages %u -> %u, tasks %u -> %u, others' service clients %u -> %u\n",
               (unsigned long)before.free_pages, (unsigned long)after.free_pages, before.ends_in_use - before.app_ends,
               after.ends_in_use - after.app_ends, before.msgs_queued, after.msgs_queued, before.tasks, after.tasks,
               service_clients(&before), service_clients(&after));
    } else {
        printf("kfuzz: kstat as before the run: %lu free pages, %u ends, %u messages, %u tasks\n",
               (unsigned long)after.free_pages, after.ends_in_use, after.msgs_queued, after.tasks);
    }
    printf("kfuzz: %lu syscalls, seed %lu, %s\n", ran, opt.seed, anomalies ? "FAILED" : "done");
    sys_shutdown(anomalies ? 1 : 0);
    return 1;
}
