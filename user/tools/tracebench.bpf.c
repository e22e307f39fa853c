/* tracebench.bpf.c: the programs tracebench measures: three counters (a tracepoint on
 * syscalls:sys_enter_getppid, a raw tracepoint on sys_enter, and a KPROBE-type program that
 * serves as kprobe, kretprobe, uprobe and uretprobe) and two producers on the
 * getppid tracepoint that send a 64-byte record per call of one process, through a ring buffer
 * and through a perf buffer, counting the records they could not send. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct record { __u64 seq; __u64 payload[7]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 20); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } pb SEC(".maps");

struct state {
    __u64 hits;         /* counters */
    __u64 producer;     /* tgid whose calls produce records */
    __u64 seq;
    __u64 dropped;
};
struct state st;

SEC("tp/syscalls/sys_enter_getppid")
int count_tp(void *ctx)
{
    __sync_fetch_and_add(&st.hits, 1);
    return 0;
}

SEC("raw_tp/sys_enter")
int count_raw(void *ctx)
{
    __sync_fetch_and_add(&st.hits, 1);
    return 0;
}

/* Attached by tracebench as a kprobe, kretprobe, uprobe and uretprobe in turn. */
SEC("kprobe")
int count_probe(void *ctx)
{
    __sync_fetch_and_add(&st.hits, 1);
    return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int produce_rb(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.producer)
        return 0;
    struct record *r = bpf_ringbuf_reserve(&rb, sizeof *r, 0);
    if (!r) {
        __sync_fetch_and_add(&st.dropped, 1);
        return 0;
    }
    r->seq = st.seq++;
    for (int i = 0; i < 7; i++)
        r->payload[i] = i;
    bpf_ringbuf_submit(r, 0);
    return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int produce_pb(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.producer)
        return 0;
    struct record r = { .seq = st.seq++ };
    for (int i = 0; i < 7; i++)
        r.payload[i] = i;
    if (bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &r, sizeof r))
        __sync_fetch_and_add(&st.dropped, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
