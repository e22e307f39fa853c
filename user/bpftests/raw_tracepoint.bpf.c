/* raw_tracepoint.bpf.c: RAW_TRACEPOINT programs on sys_enter, whose context is the raw
 * arguments (struct pt_regs *regs, long id); one reads the user registers through the pt_regs
 * pointer with bpf_probe_read_kernel. One on sched_switch, whose arguments are
 * (bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state),
 * counts the switches away from this process. */
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>

#define NR_GETPGID 121

struct results {
    __u64 hits;
    __u64 arg0;     /* regs->rdi: the first syscall argument */
    __u64 orig_ax;  /* regs->orig_rax: the syscall number */
    __u64 by_name_hits;
    __u64 switches;        /* sched_switch with current in this process */
    __u64 prev_is_current; /* ... where prev == bpf_get_current_task() */
    __u64 next_differs;    /* ... where next != prev */
    __u64 voluntary;       /* ... with preempt false and prev_state TASK_INTERRUPTIBLE */
};
const volatile __u32 target_tgid;
struct results out;

SEC("raw_tp/sys_enter")
int on_sys_enter(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid || ctx[1] != NR_GETPGID)
        return 0;
    struct pt_regs *regs = (struct pt_regs *)ctx[0];
    __u64 v = 0;
    bpf_probe_read_kernel(&v, sizeof v, &regs->rdi);
    out.arg0 = v;
    bpf_probe_read_kernel(&v, sizeof v, &regs->orig_rax);
    out.orig_ax = v;
    __sync_fetch_and_add(&out.hits, 1);
    return 0;
}

SEC("raw_tp")
int by_name(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid && ctx[1] == NR_GETPGID)
        __sync_fetch_and_add(&out.by_name_hits, 1);
    return 0;
}

SEC("raw_tp/sched_switch")
int on_switch(__u64 *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.switches, 1);
    if (ctx[1] == bpf_get_current_task())
        __sync_fetch_and_add(&out.prev_is_current, 1);
    if (ctx[2] != ctx[1] && ctx[2] != 0)
        __sync_fetch_and_add(&out.next_differs, 1);
    if ((ctx[0] & 0xff) == 0 && (ctx[3] & 0xff) == 1)
        __sync_fetch_and_add(&out.voluntary, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
