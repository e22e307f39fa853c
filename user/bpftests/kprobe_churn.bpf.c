/* kprobe_churn.bpf.c: a kprobe and a kretprobe program for the kernel's getpgid syscall
 * function (__x64_sys_getpgid(const struct pt_regs *regs), Linux's syscall wrapper) that
 * watch one child call getpgid(seq) with a growing seq. The kprobe reads seq from the user
 * registers the wrapper receives and counts every seq not larger than the previous one
 * (duplicate or out of order); the kretprobe counts returns and every result other than
 * -ESRCH (the seq values are beyond pid_max). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define ESRCH 3

struct churn {
    __u64 child_tgid; /* set by user space */
    __u64 hits[2];    /* 0: kprobe, 1: kretprobe */
    __u64 last;
    __u64 bad[2];
};
struct churn st;

SEC("kprobe/__x64_sys_getpgid")
int entry_seq(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.child_tgid)
        return 0;
    struct pt_regs *user = (struct pt_regs *)PT_REGS_PARM1(ctx);
    __u64 seq = 0;
    bpf_probe_read_kernel(&seq, sizeof seq, &user->rdi);
    __sync_fetch_and_add(&st.hits[0], 1);
    if (seq <= st.last)
        __sync_fetch_and_add(&st.bad[0], 1);
    st.last = seq;
    return 0;
}

SEC("kretprobe/__x64_sys_getpgid")
int return_value(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != st.child_tgid)
        return 0;
    __sync_fetch_and_add(&st.hits[1], 1);
    if ((long)PT_REGS_RC(ctx) != -ESRCH)
        __sync_fetch_and_add(&st.bad[1], 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
