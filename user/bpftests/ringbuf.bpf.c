/* ringbuf.bpf.c: a sys_enter_getpid tracepoint program feeding BPF ring buffers: in turn
 * reserve+submit, bpf_ringbuf_output, and reserve+discard; or, in burst mode, one reservation
 * per call in a 4 KiB ring that nobody reads, counting refused reservations. Calls of this
 * process count, and of a second one (other_tgid) when user space names it; submissions use
 * the wakeup flags user space puts in st.flags. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
    __u32 tgid;
    __u32 seq;
    __u64 kind; /* 0 reserve+submit, 1 output, 2 reserve+discard */
    __u64 magic;
};

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16384); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } small_rb SEC(".maps");

struct state {
    __u64 seq;
    __u64 burst;     /* write to small_rb instead */
    __u64 refused;   /* reservations that failed */
    __u64 avail;     /* bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) after the last write */
    __u64 other_tgid;
    __u64 flags;     /* BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP for submit, output and discard */
};
const volatile __u32 target_tgid;
struct state st;

SEC("tp/syscalls/sys_enter_getpid")
int produce(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid != target_tgid && (!st.other_tgid || tgid != st.other_tgid))
        return 0;
    __u64 flags = st.flags;
    __u32 seq = __sync_fetch_and_add(&st.seq, 1);
    if (st.burst) {
        struct event *e = bpf_ringbuf_reserve(&small_rb, sizeof *e, 0);
        if (!e) {
            __sync_fetch_and_add(&st.refused, 1);
            return 0;
        }
        e->tgid = target_tgid;
        e->seq = seq;
        e->kind = 0;
        e->magic = 0x5eed;
        bpf_ringbuf_submit(e, 0);
        return 0;
    }
    __u64 kind = seq % 3;
    if (kind == 1) {
        struct event e = { .tgid = target_tgid, .seq = seq, .kind = 1, .magic = 0x5eed };
        if (bpf_ringbuf_output(&rb, &e, sizeof e, flags))
            __sync_fetch_and_add(&st.refused, 1);
    } else {
        struct event *e = bpf_ringbuf_reserve(&rb, sizeof *e, 0);
        if (!e) {
            __sync_fetch_and_add(&st.refused, 1);
            return 0;
        }
        e->tgid = target_tgid;
        e->seq = seq;
        e->kind = kind;
        e->magic = 0x5eed;
        if (kind == 2)
            bpf_ringbuf_discard(e, flags);
        else
            bpf_ringbuf_submit(e, flags);
    }
    st.avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
