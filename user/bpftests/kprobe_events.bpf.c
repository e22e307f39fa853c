/* kprobe_events.bpf.c: plain KPROBE programs (no attach target: the test attaches them with
 * PERF_EVENT_IOC_SET_BPF to events it creates in <tracefs>/kprobe_events). The entry program
 * counts the test process's opens of `target_path` (the second argument, read from user
 * memory); the return program counts the test process's returns and keeps the last value. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define PATH_LEN 64

const volatile __u32 target_tgid;
const volatile char target_path[PATH_LEN];

struct results {
    __u64 entries, matched, returns;
    __s64 last_ret;
};
struct results out;

SEC("kprobe")
int on_event(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.entries, 1);
    char buf[PATH_LEN] = {};
    if (bpf_probe_read_user_str(buf, sizeof buf, (const void *)PT_REGS_PARM2(ctx)) <= 0)
        return 0;
    for (int i = 0; i < PATH_LEN; i++) {
        if (buf[i] != target_path[i])
            return 0;
        if (!buf[i])
            break;
    }
    __sync_fetch_and_add(&out.matched, 1);
    return 0;
}

SEC("kretprobe")
int on_return(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.returns, 1);
    out.last_ret = PT_REGS_RC(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
