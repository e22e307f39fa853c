/* uprobe.bpf.c: uprobe and uretprobe programs (BPF_KPROBE/BPF_KRETPROBE from bpf_tracing.h,
 * reading the x86-64 pt_regs) for a function of the test binary itself. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct results {
    __u64 entry_hits;
    __u64 ret_hits;
    __u64 any_hits;   /* the program attached for every process */
    __s64 a, b, ret;
    __u64 any_tgid;
};
struct results out;

SEC("uprobe")
int BPF_KPROBE(on_entry, int a, int b)
{
    out.entry_hits++;
    out.a = a;
    out.b = b;
    return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, int ret)
{
    out.ret_hits++;
    out.ret = ret;
    return 0;
}

SEC("uprobe")
int BPF_KPROBE(on_any, int a, int b)
{
    out.any_hits++;
    out.any_tgid = bpf_get_current_pid_tgid() >> 32;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
