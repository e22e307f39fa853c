/* perf_buffer: PERF_EVENT_ARRAY + bpf_perf_event_output consumed with perf_buffer__new/poll:
 * one buffer per online CPU, records delivered with the size padded as Linux does
 * (roundup(len + 4, 8) - 4), on the CPU that produced them, in production order within each
 * CPU's buffer, each exactly once (200 records in a row), and lost records reported through
 * the lost callback (PERF_RECORD_LOST) when a 1-page buffer overflows. */
#include "bpftest.h"
#include <sched.h>
#include <time.h>

struct event {
    __u32 tgid;
    __u32 seq;
    __u32 cpu;
    __u32 pad;
    __u64 magic;
};

/* Our tgid, read once: calling getpid() in the callback would itself fire the tracepoint. */
static __u32 my_tgid;

static struct {
    int samples, bad_cpu, bad_magic, bad_tgid;
    __u32 size;
    unsigned seen_mask;
    unsigned char seen[256]; /* how often each sequence number arrived */
    int last_seq[64];        /* per CPU, -1: none yet */
    int out_of_order;
    unsigned char first5[5];
    __u64 lost;
} got;

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
    (void)ctx;
    got.samples++;
    got.size = size;
    if (size >= sizeof(struct event)) {
        struct event e;
        memcpy(&e, data, sizeof e);
        if (e.cpu != (__u32)cpu)
            got.bad_cpu++;
        if (e.magic != 0xc0ffee0000c0ffeeULL)
            got.bad_magic++;
        if (e.tgid != my_tgid)
            got.bad_tgid++;
        if (e.seq < 32)
            got.seen_mask |= 1u << e.seq;
        if (e.seq < 256)
            got.seen[e.seq]++;
        if (cpu >= 0 && cpu < 64) {
            if ((int)e.seq <= got.last_seq[cpu])
                got.out_of_order++;
            got.last_seq[cpu] = (int)e.seq;
        }
    } else if (size >= 5) {
        memcpy(got.first5, data, 5);
    }
}

static void on_lost(void *ctx, int cpu, __u64 count)
{
    (void)ctx;
    (void)cpu;
    got.lost += count;
}

static void poll_until(struct perf_buffer *pb, int samples, int ms)
{
    for (int waited = 0; got.samples < samples && waited < ms; waited += 20)
        perf_buffer__poll(pb, 20);
}

int main(int argc, char **argv)
{
    bt_init(argc, argv);
    const char *why = bt_need_trace_event("syscalls/sys_enter_getpid");
    if (why) {
        tap_skip(why, "perf buffer fed by the syscalls:sys_enter_getpid tracepoint");
        return tap_done();
    }
    struct bpf_object *obj = bt_open("perf_buffer");
    if (!obj)
        return tap_done();
    __u32 tgid = my_tgid = (__u32)getpid();
    bt_set_global(obj, ".rodata", "target_tgid", &tgid, sizeof tgid);
    if (bt_load(obj) != 0)
        return tap_done();
    int map_fd = bpf_map__fd(bt_map(obj, "events"));

    struct perf_buffer *pb = perf_buffer__new(map_fd, 8, on_sample, on_lost, NULL, NULL);
    CHECK(pb != NULL, "perf_buffer__new with 8 pages per CPU");
    struct bpf_link *link = bpf_program__attach(bt_prog(obj, "send"));
    CHECK(link != NULL, "attach the tracepoint program");
    if (!pb || !link)
        return tap_done();
    int ncpus = libbpf_num_possible_cpus();
    CHECK(perf_buffer__buffer_cnt(pb) >= 1 && (int)perf_buffer__buffer_cnt(pb) <= ncpus,
          "one buffer per online CPU (%zu of %d possible)", perf_buffer__buffer_cnt(pb), ncpus);
    CHECK(perf_buffer__epoll_fd(pb) >= 0, "perf buffer has an epoll fd");

    for (int c = 0; c < 64; c++)
        got.last_seq[c] = -1;
    CHECK_EQ(0, perf_buffer__poll(pb, 0), "poll with nothing sent: 0 records");
    for (int i = 0; i < 5; i++)
        syscall(SYS_getpid);
    poll_until(pb, 5, 2000);
    CHECK_EQ(5, got.samples, "5 records received");
    CHECK_EQ(0x1f, got.seen_mask, "sequence numbers 0..4 each once");
    CHECK_EQ(28, got.size, "a 24-byte record arrives padded to 28 bytes (roundup(24 + 4, 8) - 4)");
    CHECK_EQ(0, got.bad_magic, "record contents intact");
    CHECK_EQ(0, got.bad_tgid, "records carry our tgid");
    CHECK_EQ(0, got.bad_cpu, "each record came through the buffer of the CPU that sent it");
    CHECK_EQ(0, got.lost, "nothing lost");

    /* 200 more (8 KiB of records: fits in 8 pages). */
    for (int i = 0; i < 200; i++)
        syscall(SYS_getpid);
    poll_until(pb, 205, 3000);
    int once = 1;
    for (int q = 0; q < 205; q++)
        if (got.seen[q] != 1)
            once = 0;
    CHECK_EQ(205, got.samples, "205 records received in all");
    CHECK(once, "sequence numbers 0..204 each arrived exactly once");
    CHECK_EQ(0, got.out_of_order, "records arrive in production order within each CPU's buffer");
    CHECK_EQ(0, got.bad_magic + got.bad_tgid + got.bad_cpu, "all 205 intact, from our process, on their CPU");
    CHECK_EQ(0, got.lost, "nothing lost");

    /* A 5-byte record arrives as 12 bytes (roundup(5 + 4, 8) - 4). */
    __u32 zero = 0;
    struct { __u64 seq, small, errors; } st = { 1000, 1, 0 };
    bpf_map_update_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &st, BPF_ANY);
    got.samples = 0;
    syscall(SYS_getpid);
    poll_until(pb, 1, 2000);
    CHECK_EQ(1, got.samples, "the 5-byte record was received");
    CHECK_EQ(12, got.size, "... padded to 12 bytes");
    __u32 tg;
    memcpy(&tg, got.first5, 4);
    CHECK_EQ(tgid, tg, "... starting with our tgid");
    bpf_link__destroy(link);
    perf_buffer__free(pb);

    /* Overflow: 1 page per CPU, 300 records from one CPU without reading. */
    st = (typeof(st)){ 0, 0, 0 };
    bpf_map_update_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &st, BPF_ANY);
    memset(&got, 0, sizeof got);
    pb = perf_buffer__new(map_fd, 1, on_sample, on_lost, NULL, NULL);
    link = bpf_program__attach(bt_prog(obj, "send"));
    CHECK(pb && link, "a 1-page perf buffer and the program attached again");
    if (!pb || !link)
        return tap_done();
    cpu_set_t saved, one;
    int pinned = sched_getaffinity(0, sizeof saved, &saved) == 0;
    if (pinned) {
        int cpu = sched_getcpu();
        CPU_ZERO(&one);
        CPU_SET(cpu >= 0 ? cpu : 0, &one);
        pinned = sched_setaffinity(0, sizeof one, &one) == 0;
    }
    for (int i = 0; i < 300; i++)
        syscall(SYS_getpid);
    int before = 0;
    while (perf_buffer__poll(pb, 50) > 0)
        before = got.samples;
    /* The kernel reports the loss with the next record that fits. */
    syscall(SYS_getpid);
    poll_until(pb, before + 1, 2000);
    if (pinned)
        sched_setaffinity(0, sizeof saved, &saved);
    DIAG("received %d, lost %llu", got.samples, (unsigned long long)got.lost);
    CHECK(before < 300, "a 4 KiB buffer cannot hold 300 records of 40 bytes (received %d before draining)", before);
    CHECK(got.lost > 0, "the lost callback reported lost records");
    CHECK_EQ(301, got.samples + (long)got.lost, "received + lost = 301 sent");
    bpf_map_lookup_elem(bpf_map__fd(bt_map(obj, ".bss")), &zero, &st);
    CHECK_EQ(got.lost, st.errors, "bpf_perf_event_output failed exactly for the lost records");

    bpf_link__destroy(link);
    perf_buffer__free(pb);
    bpf_object__close(obj);
    return tap_done();
}
