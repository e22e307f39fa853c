/* funccount.bpf.c: one program attached to every probed function (a uprobe or a kprobe per
 * function, each with its index as the attach cookie) that counts calls per index. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "funccount.h"

const volatile __u32 targ_tgid = 0; /* 0: every process */

struct funccount_counts counts;

SEC("kprobe")
int count_call(struct pt_regs *ctx)
{
    if (targ_tgid && bpf_get_current_pid_tgid() >> 32 != targ_tgid)
        return 0;
    __u64 index = bpf_get_attach_cookie(ctx);
    if (index < FUNCCOUNT_MAX)
        __sync_fetch_and_add(&counts.calls[index], 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
