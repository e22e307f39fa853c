/* kprobe.bpf.c: kprobe and kretprobe programs for the kernel's getpid syscall function,
 * counting calls of one process and recording the return value from pt_regs. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct results {
    __u64 entry_hits;
    __u64 ret_hits;
    __s64 ret;
};
const volatile __u32 target_tgid;
struct results out;

SEC("kprobe")
int on_entry(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 == target_tgid)
        __sync_fetch_and_add(&out.entry_hits, 1);
    return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(on_return, long ret)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.ret_hits, 1);
    out.ret = ret;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
