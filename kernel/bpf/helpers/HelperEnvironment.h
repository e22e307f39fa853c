// bpf::HelperEnvironment: the narrow interface through which maps and helpers reach kernel
// services (CPU identity, time, the current task, fault-tolerant memory reads, trace output,
// randomness, stack walking, signals). The kernel installs its implementation once at boot;
// host tests install fakes. Until something is installed a built-in default answers
// (one CPU, CPU 0, zero clocks, every memory read faults), so the core works standalone.
//
// Every method may be called from program context (interrupt, probe, NMI-like): an
// implementation must not block or allocate. install_helper_environment() is not
// synchronised: call it before any program runs or map is created.
#pragma once

#include "klib/Types.h"

namespace bpf {

class HelperEnvironment {
public:
    virtual ~HelperEnvironment() = default;

    // CPUs. possible_cpus() must not change once a map exists (per-CPU layouts depend on it).
    virtual u32 current_cpu() { return 0; }
    virtual u32 possible_cpus() { return 1; }
    virtual u32 numa_node_id() { return 0; }

    // Clocks (CLOCK_MONOTONIC, CLOCK_BOOTTIME, coarse monotonic) in ns; jiffies.
    virtual u64 ktime_ns() { return 0; }
    virtual u64 ktime_boot_ns() { return 0; }
    virtual u64 ktime_coarse_ns() { return 0; }
    virtual u64 jiffies64() { return 0; }

    virtual u32 prandom_u32() { return 0; }

    // The current task. pid_tgid = tgid << 32 | pid; uid_gid = gid << 32 | uid.
    // Returning a negative errno from these means "no current task" (Linux returns -EINVAL).
    virtual i64 current_pid_tgid() { return -22; }
    virtual i64 current_uid_gid() { return -22; }
    // Copies the NUL-terminated comm (at most size bytes). Returns 0 or -errno.
    virtual i64 current_comm(char* buffer, u32 size);
    virtual u64 current_task() { return 0; }
    // bpf_get_ns_current_pid_tgid: the task's pid/tgid as seen from the pid namespace (dev, ino).
    virtual i64 ns_current_pid_tgid(u64 dev, u64 ino, u32* pid, u32* tgid);

    // Fault-tolerant reads: return 0 or -EFAULT; never fault. The str variants copy up to
    // size-1 bytes plus NUL and return the length including the NUL, or -EFAULT.
    virtual i64 probe_read_kernel(void* dst, u32 size, u64 unsafe_src);
    virtual i64 probe_read_user(void* dst, u32 size, u64 unsafe_src);
    virtual i64 probe_read_kernel_str(char* dst, u32 size, u64 unsafe_src);
    virtual i64 probe_read_user_str(char* dst, u32 size, u64 unsafe_src);
    // Sleepable copy from the current task's memory (bpf_copy_from_user): 0 or -EFAULT.
    virtual i64 copy_from_user(void* dst, u32 size, u64 user_src) { return probe_read_user(dst, size, user_src); }
    // True when the address is a user-space address (decides what plain %s reads).
    virtual bool is_user_address(u64 address) { return address < (1ull << 47); }

    // The trace pipe (bpf_trace_printk). `text` is already formatted; length excludes the NUL.
    virtual void trace_output(char const* text, u32 length) { (void)text, (void)length; }

    // Walks the kernel or user stack of the context `regs` (0 = current), writing up to
    // max_depth return addresses. Returns the number written or -EFAULT.
    virtual i64 walk_stack(u64 regs, bool user, u64* ips, u32 max_depth);
    virtual u32 max_stack_depth() { return 127; } // sysctl kernel.perf_event_max_stack

    // bpf_send_signal(sig) to the current process (thread = only the current thread).
    virtual i64 send_signal(u32 signal, bool thread) { (void)signal, (void)thread; return -1; }

    // bpf_get_func_ip / bpf_get_attach_cookie for the program context `ctx`.
    virtual u64 func_ip(u64 ctx) { (void)ctx; return 0; }
    virtual u64 attach_cookie(u64 ctx) { (void)ctx; return 0; }

    // bpf_perf_prog_read_value: perf_event_read_local() of the event whose sample runs the
    // PERF_EVENT program `ctx`. 0 or -errno.
    virtual i64 sampled_event_read(u64 ctx, u64* counter, u64* enabled, u64* running)
    {
        (void)ctx, (void)counter, (void)enabled, (void)running;
        return -22; // EINVAL: no sampled event
    }
};

HelperEnvironment& helper_environment();
void install_helper_environment(HelperEnvironment* environment); // nullptr restores the default

}
