/* printk.bpf.c: bpf_printk (bpf_trace_printk, helper 6) with its format string in .rodata, and
 * the 4-argument form that becomes bpf_trace_vprintk (helper 177). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 marker;
__u32 run; /* added to the marker: user space sets it so that each run prints its own lines */

SEC("xdp")
int say(struct xdp_md *ctx)
{
    bpf_printk("bpftests-printk %u three=%d %s", marker + run, 3, "done");
    bpf_printk("bpftests-printk %u four %d %d %d", marker + run, 1, 2, 3);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
