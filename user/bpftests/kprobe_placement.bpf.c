/* kprobe_placement.bpf.c: probes at and after the entry of do_sys_openat2, counting the
 * test process's hits and recording PT_REGS_IP and bpf_get_func_ip (Linux: the function's
 * address for an entry probe, 0 for one at an offset). `at_offset` is attached by the test
 * with an offset chosen at run time; `at_plus_one` uses libbpf's SEC("kprobe/func+off")
 * syntax, attached only where offset 1 is an instruction boundary. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid;

struct site {
    __u64 hits, ip, func_ip;
};
struct results {
    struct site entry, offset, plus_one;
};
struct results out;

static void record(struct site *s, struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return;
    s->hits++;
    s->ip = PT_REGS_IP(ctx);
    s->func_ip = bpf_get_func_ip(ctx);
}

SEC("kprobe/do_sys_openat2")
int at_entry(struct pt_regs *ctx)
{
    record(&out.entry, ctx);
    return 0;
}

SEC("kprobe")
int at_offset(struct pt_regs *ctx)
{
    record(&out.offset, ctx);
    return 0;
}

SEC("kprobe/do_sys_openat2+0x1")
int at_plus_one(struct pt_regs *ctx)
{
    record(&out.plus_one, ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
