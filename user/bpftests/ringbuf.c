/* ringbuf: BPF_MAP_TYPE_RINGBUF consumed with ring_buffer__new/poll/consume: records from
 * bpf_ringbuf_reserve+submit and bpf_ringbuf_output arrive in order with their exact size,
 * discarded ones never arrive, BPF_RB_AVAIL_DATA counts unread bytes (8-byte headers, discarded
 * records included), poll times out when empty, a 4 KiB ring accepts exactly 127 records of 32 bytes
 * (Linux never lets the producer get a whole ring ahead of the consumer), and the wakeup rules
 * seen by a consumer blocked in ring_buffer__poll while another process produces: a record
 * wakes it when the consumer had caught up, BPF_RB_NO_WAKEUP never does, a record behind
 * unconsumed data does not, BPF_RB_FORCE_WAKEUP always does. */
#include "bpftest.h"
#include <time.h>

struct event {
    __u32 tgid;
    __u32 seq;
    __u64 kind;
    __u64 magic;
};
struct state {
    __u64 seq, burst, refused, avail, other_tgid, flags;
};

static __u32 my_tgid; /* read once: getpid() in a callback would fire the tracepoint */
static struct {
    int n, bad;
    __u32 seqs[64];
    size_t size;
} got;

static int on_event(void *ctx, void *data, size_t size)
{
    (void)ctx;
    struct event e;
    got.size = size;
    if (size != sizeof e) {
        got.bad++;
        return 0;
    }
    memcpy(&e, data, sizeof e);
    if (e.tgid != my_tgid || e.magic != 0x5eed || e.kind == 2)
        got.bad++;
    if (got.n < 64)
        got.seqs[got.n] = e.seq;
    got.n++;
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* One wakeup case: the parent optionally leaves one record of its own unconsumed (produced
 * with BPF_RB_NO_WAKEUP), then blocks in ring_buffer__poll(1000 ms) while a child produces one
 * record with `flags` 100 ms later. Reports whether the poll was woken early, then consumes
 * whatever is left and checks the total. */
static void wake_case(struct ring_buffer *rb, int bss_fd, int parent_first, __u64 flags, int expect_wake,
                      const char *what)
{
    __u32 zero = 0;
    ring_buffer__consume(rb);
    ring_buffer__poll(rb, 0); /* forget readiness left from earlier rounds */
    got.n = 0;
    struct state st = { .seq = 300, .flags = BPF_RB_NO_WAKEUP }; /* seq 300: kind 0, 301: kind 1 */
    bpf_map_update_elem(bss_fd, &zero, &st, BPF_ANY);
    if (parent_first)
        syscall(SYS_getpid);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        usleep(100000);
        syscall(SYS_getpid);
        _exit(0);
    }
    st.seq = parent_first ? 301 : 300;
    st.other_tgid = (__u64)child;
    st.flags = flags;
    bpf_map_update_elem(bss_fd, &zero, &st, BPF_ANY);
    long t0 = now_ms();
    int n = ring_buffer__poll(rb, 1000);
    long waited = now_ms() - t0;
    waitpid(child, NULL, 0);
    int left = ring_buffer__consume(rb);
    int want = parent_first ? 2 : 1;
    if (expect_wake)
        CHECK(n == want && waited < 800, "%s: poll woken early with %d records (%d, %ld ms)", what, want, n, waited);
    else
        CHECK(n == 0 && waited >= 900, "%s: poll not woken, times out (%d records, %ld ms)", what, n, waited);
    CHECK_EQ(want, n + left, "%s: %d records in all", what, want);
    st.other_tgid = 0;
    st.flags = 0;
    bpf_map_update_elem(bss_fd, &zero, &st, BPF_ANY);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_trace_event("syscalls/sys_enter_getpid");
    if (why) {
        tap_skip(why, "ring buffer fed by the syscalls:sys_enter_getpid tracepoint");
        return tap_done();
    }
    struct bpf_object *obj = bt_open("ringbuf");
    if (!obj)
        return tap_done();
    my_tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &my_tgid, sizeof my_tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    int bss_fd = bpf_map__fd(bt_map(obj, ".bss"));
    __u32 zero = 0;

    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bt_map(obj, "rb")), on_event, NULL, NULL);
    CHECK(rb != NULL, "ring_buffer__new on the 16 KiB ring");
    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "produce"));
    CHECK(link != NULL, "attach the tracepoint program");
    if (!rb || !link)
        return tap_done();

    long t0 = now_ms();
    CHECK_EQ(0, ring_buffer__poll(rb, 100), "poll on an empty ring returns 0");
    CHECK(now_ms() - t0 >= 80, "... after waiting for the timeout (%ld ms)", now_ms() - t0);

    /* seq 0..8: kinds 0 1 2 0 1 2 0 1 2; the discarded 2, 5, 8 never arrive. */
    for (int i = 0; i < 9; i++)
        syscall(SYS_getpid);
    struct state st;
    bpf_map_lookup_elem(bss_fd, &zero, &st);
    CHECK_EQ(0, st.refused, "no reservation refused");
    CHECK_EQ(9 * 32, st.avail, "BPF_RB_AVAIL_DATA: 9 records of 8 + 24 bytes (discarded ones hold space until consumed)");
    int n = ring_buffer__poll(rb, 1000);
    CHECK_EQ(6, n, "poll consumed 6 records");
    CHECK_EQ(6, got.n, "callback ran 6 times");
    CHECK_EQ(sizeof(struct event), got.size, "records have their exact size (24)");
    CHECK_EQ(0, got.bad, "records are intact, none of them a discarded one");
    const __u32 want[6] = { 0, 1, 3, 4, 6, 7 };
    CHECK(memcmp(got.seqs, want, sizeof want) == 0, "records arrive in production order: 0 1 3 4 6 7");
    syscall(SYS_getpid); /* seq 9, kind 0 */
    bpf_map_lookup_elem(bss_fd, &zero, &st);
    CHECK_EQ(32, st.avail, "BPF_RB_AVAIL_DATA after consuming: only the new record");
    CHECK_EQ(1, ring_buffer__consume(rb), "ring_buffer__consume without epoll: 1 record");
    CHECK_EQ(9, got.seqs[6], "... seq 9");
    CHECK_EQ(0, ring_buffer__consume(rb), "ring_buffer__consume on an empty ring: 0");

    /* Many rounds through the ring (16 KiB, 32-byte slots): wrapping works. */
    int ok = 1;
    for (int round = 0; round < 20; round++) {
        got.n = 0;
        for (int i = 0; i < 300; i++)
            syscall(SYS_getpid);
        ring_buffer__consume(rb);
        if (got.n != 200 || got.bad)
            ok = 0;
    }
    CHECK(ok, "20 rounds of 300 calls (200 records, 6400 bytes) through a 16 KiB ring wrap correctly");

    wake_case(rb, bss_fd, 0, 0, 1, "default flags, consumer caught up");
    wake_case(rb, bss_fd, 0, BPF_RB_NO_WAKEUP, 0, "BPF_RB_NO_WAKEUP");
    wake_case(rb, bss_fd, 1, 0, 0, "default flags behind an unconsumed record");
    wake_case(rb, bss_fd, 1, BPF_RB_FORCE_WAKEUP, 1, "BPF_RB_FORCE_WAKEUP behind an unconsumed record");
    ring_buffer__free(rb);

    /* Capacity: a 4 KiB ring nobody reads. */
    struct state burst = { .seq = 0, .burst = 1 };
    bpf_map_update_elem(bss_fd, &zero, &burst, BPF_ANY);
    for (int i = 0; i < 200; i++)
        syscall(SYS_getpid);
    bpf_map_lookup_elem(bss_fd, &zero, &st);
    CHECK_EQ(73, st.refused, "4 KiB ring: 73 of 200 reservations refused");
    memset(&got, 0, sizeof got);
    struct ring_buffer *small = ring_buffer__new(bpf_map__fd(bt_map(obj, "small_rb")), on_event, NULL, NULL);
    CHECK(small != NULL, "ring_buffer__new on the 4 KiB ring");
    if (small) {
        CHECK_EQ(127, ring_buffer__consume(small), "4 KiB ring: 127 records of 32 bytes were kept");
        CHECK(got.n > 0 && got.seqs[0] == 0 && got.seqs[got.n < 64 ? got.n - 1 : 63] == (__u32)(got.n < 64 ? got.n - 1 : 63),
              "4 KiB ring: the first records in order");
        ring_buffer__free(small);
    }

    bpf_link__destroy(link);
    bpf_object__close(obj);
    return tap_done();
}
