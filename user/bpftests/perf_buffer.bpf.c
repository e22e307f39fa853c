/* perf_buffer.bpf.c: a sys_enter_getpid tracepoint program that sends one record per call of
 * this process to user space with bpf_perf_event_output on the current CPU's perf buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
    __u32 tgid;
    __u32 seq;
    __u32 cpu;
    __u32 pad;
    __u64 magic;
};

struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } events SEC(".maps");

struct state {
    __u64 seq;    /* 64-bit: a fetch-and-add whose result is used needs BPF_DW at -mcpu=v1 */
    __u64 small;  /* send a 5-byte record instead */
    __u64 errors; /* failed bpf_perf_event_output calls */
};
const volatile __u32 target_tgid;
struct state st;

SEC("tp/syscalls/sys_enter_getpid")
int send(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    struct event e = {
        .tgid = target_tgid,
        .seq = __sync_fetch_and_add(&st.seq, 1),
        .cpu = bpf_get_smp_processor_id(),
        .magic = 0xc0ffee0000c0ffeeULL,
    };
    long err = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, st.small ? 5 : sizeof e);
    if (err)
        __sync_fetch_and_add(&st.errors, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
