/* attach_churn.bpf.c: a tracepoint (syscalls:sys_enter_getpgid) and a raw tracepoint
 * (sys_enter) program that watch one child process call getpgid(seq) with a growing seq: each
 * counts its runs and every seq that is not larger than the previous one it saw (a duplicate or
 * out-of-order run). */
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>

#define NR_GETPGID 121

struct sys_enter_getpgid_record {
    __u64 common;
    __s32 syscall_nr;
    __s32 pad;
    __u64 pid;
};

struct churn {
    __u64 child_tgid;   /* set by user space */
    __u64 hits[2];      /* 0: tracepoint, 1: raw tracepoint */
    __u64 last[2];
    __u64 bad[2];
};
struct churn st;

static void record(int slot, __u64 seq)
{
    __sync_fetch_and_add(&st.hits[slot], 1);
    if (seq <= st.last[slot])
        __sync_fetch_and_add(&st.bad[slot], 1);
    st.last[slot] = seq;
}

SEC("tp/syscalls/sys_enter_getpgid")
int tp_seq(struct sys_enter_getpgid_record *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.child_tgid)
        return 0;
    record(0, ctx->pid);
    return 0;
}

SEC("raw_tp/sys_enter")
int raw_seq(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.child_tgid || ctx[1] != NR_GETPGID)
        return 0;
    struct pt_regs *regs = (struct pt_regs *)ctx[0];
    __u64 seq = 0;
    bpf_probe_read_kernel(&seq, sizeof seq, &regs->rdi);
    record(1, seq);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
