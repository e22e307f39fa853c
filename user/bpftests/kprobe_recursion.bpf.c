/* kprobe_recursion.bpf.c: programs that make a probed function run inside a BPF program.
 * signal_self (tracepoint syscalls:sys_enter_getppid) and signal_from_kprobe (a kprobe the
 * test attaches to __x64_sys_getpgid) send SIGUSR1 to the test process with bpf_send_signal,
 * which wakes the process through the kernel's wake-up function; on_wake is a kprobe on that
 * function counting its runs. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define SIGUSR1 10

const volatile __u32 target_tgid;

struct results {
    __u64 wake_runs, tp_runs, kprobe_runs, send_errors;
};
struct results out;

SEC("kprobe")
int on_wake(struct pt_regs *ctx)
{
    __sync_fetch_and_add(&out.wake_runs, 1);
    return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int signal_self(void *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.tp_runs, 1);
    if (bpf_send_signal(SIGUSR1))
        __sync_fetch_and_add(&out.send_errors, 1);
    return 0;
}

SEC("kprobe")
int signal_from_kprobe(struct pt_regs *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.kprobe_runs, 1);
    if (bpf_send_signal(SIGUSR1))
        __sync_fetch_and_add(&out.send_errors, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
