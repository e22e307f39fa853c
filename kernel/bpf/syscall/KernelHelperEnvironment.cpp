// The kernel's bpf::HelperEnvironment (see kernel/bpf/helpers/HelperEnvironment.h): what BPF
// helpers and maps get from the running kernel — CPU identity, clocks, the current task,
// fault-tolerant probe reads, the trace_printk ring, random numbers and signals. Installed once
// by bpf_subsystem_initialize() before any map or program exists.
//
// Every method may run in any context (interrupts, probes): none blocks or allocates. Probe
// reads never take a page fault that the memory manager would have to resolve: kernel
// addresses are read by ProbeRead.S under exception-table fixups; user addresses are read
// page by page through the active page table, so a page that is not present reads as -EFAULT
// just as Linux's pagefault_disable()d copies do.
#include "arch/Cpu.h"
#include "arch/Paging.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/syscall/TraceContext.h"
#include "bpf/syscall/TraceRing.h"
#include "klib/CString.h"
#include "lib/Random.h"
#include "proc/Process.h"
#include "proc/Signals.h"
#include "sched/Thread.h"
#include "time/Clock.h"

extern "C" u64 bpf_probe_copy_kernel(void* dest, void const* src, u64 n);
extern "C" i64 bpf_probe_copy_kernel_string(char* dest, char const* src, u64 n);

namespace bpf::kernel {

namespace {

constexpr i64 error(int code) { return -static_cast<i64>(code); }

// copy_from_kernel_nofault_allowed() on x86_64: only the (canonical) kernel half, no wrap.
bool kernel_range_allowed(u64 address, u64 size)
{
    constexpr u64 kernel_half_start = 0xffff800000000000ULL;
    u64 end;
    return address >= kernel_half_start && klib::checked_add<u64>(address, size, end);
}

// Copies from the current address space without faulting: every page must be present and
// user-accessible. Returns the number of bytes copied before the first missing page.
u64 copy_user_nofault(void* destination, u64 source, u64 size)
{
    PhysicalAddress root = arch::active_page_table();
    u64 done = 0;
    while (done < size) {
        u64 address = source + done;
        if (address >= arch::user_space_end)
            break;
        PhysicalAddress frame;
        arch::PageFlags flags;
        if (!arch::translate(root, address, frame, flags) || !flags.user)
            break;
        u64 in_page = address & (PAGE_SIZE - 1);
        u64 chunk = min<u64>(PAGE_SIZE - in_page, size - done);
        memcpy(static_cast<u8*>(destination) + done, static_cast<u8 const*>(phys_to_virt(frame)) + in_page, chunk);
        done += chunk;
    }
    return done;
}

// Frame-pointer walk (the kernel is built with -fno-omit-frame-pointer; user programs only
// give more than their first address when they keep frame pointers too): ips[0] = ip, then the
// return address of each frame while the frame pointers grow, stay aligned and are readable.
// `entry_return`, when non-zero, is the return address into the caller of a function stopped
// at its first instruction (before it pushed a frame pointer): it follows ip.
template<typename Read>
u32 walk_frames(u64 ip, u64 frame, u64* ips, u32 max_depth, Read read, u64 entry_return = 0)
{
    u32 count = 0;
    if (max_depth == 0)
        return 0;
    ips[count++] = ip;
    if (entry_return && count < max_depth)
        ips[count++] = entry_return;
    while (count < max_depth && frame && !(frame & 7)) {
        u64 saved[2]; // next frame pointer, return address
        if (!read(saved, frame) || !saved[1])
            break;
        ips[count++] = saved[1];
        if (saved[0] <= frame)
            break;
        frame = saved[0];
    }
    return count;
}

// An entry probe (kprobe at a function's address: ip = address + 1 after the int3; uprobe:
// ip = address) stops the function before its frame pointer is pushed, so the frame walk
// from rbp would skip the direct caller. Linux's unwinders report it (its user unwinder for
// uprobes since 6.12); so do we, from the return address at the stack pointer.
bool stopped_at_function_entry(TraceContext const* trace, Registers const& regs)
{
    if (!trace || !trace->func_ip)
        return false;
    u64 probed = regs.from_user() ? regs.rip : regs.rip - 1;
    return probed == trace->func_ip;
}

class KernelHelperEnvironment final : public HelperEnvironment {
public:
    u32 current_cpu() override { return arch::current_cpu_id(); }
    u32 possible_cpus() override { return arch::cpu_count(); }
    u32 numa_node_id() override { return 0; }

    u64 ktime_ns() override { return clock_monotonic_ns(); }
    u64 ktime_boot_ns() override { return clock_boottime_ns(); }
    u64 ktime_coarse_ns() override
    {
        constexpr u64 tick_ns = NS_PER_SEC / TICK_HZ;
        return clock_monotonic_ns() / tick_ns * tick_ns;
    }
    u64 jiffies64() override { return jiffies(); }
    u32 prandom_u32() override { return static_cast<u32>(random_u64()); }

    i64 current_pid_tgid() override
    {
        Thread& thread = Thread::current();
        Process* process = thread.process();
        if (!process)
            return thread.is_idle() ? 0 : static_cast<i64>(thread.tid()) << 32 | thread.tid();
        return static_cast<i64>(static_cast<u64>(static_cast<u32>(process->pid())) << 32 | thread.tid());
    }

    i64 current_uid_gid() override
    {
        Process* process = Thread::current().process();
        if (!process)
            return 0;
        auto const& cred = process->credentials();
        return static_cast<i64>(static_cast<u64>(cred.gid) << 32 | cred.uid);
    }

    i64 current_comm(char* buffer, u32 size) override
    {
        if (!size)
            return 0;
        memset(buffer, 0, size);
        Thread& thread = Thread::current();
        if (Process* process = thread.process()) {
            StringView comm = process->comm();
            memcpy(buffer, comm.chars(), min<usize>(comm.length(), size - 1));
        } else {
            char const* name = thread.name();
            memcpy(buffer, name, strnlen(name, size - 1));
        }
        return 0;
    }

    u64 current_task() override { return reinterpret_cast<u64>(&Thread::current()); }

    i64 probe_read_kernel(void* dst, u32 size, u64 unsafe_src) override
    {
        if (!kernel_range_allowed(unsafe_src, size)) {
            memset(dst, 0, size);
            return error(ERANGE);
        }
        if (bpf_probe_copy_kernel(dst, reinterpret_cast<void const*>(unsafe_src), size) != 0) {
            memset(dst, 0, size);
            return error(EFAULT);
        }
        return 0;
    }

    i64 probe_read_user(void* dst, u32 size, u64 unsafe_src) override
    {
        u64 end;
        if (!klib::checked_add<u64>(unsafe_src, size, end) || end > arch::user_space_end
            || copy_user_nofault(dst, unsafe_src, size) != size) {
            memset(dst, 0, size);
            return error(EFAULT);
        }
        return 0;
    }

    // strncpy_from_kernel_nofault(): the length with its NUL, `size` when truncated.
    i64 probe_read_kernel_str(char* dst, u32 size, u64 unsafe_src) override
    {
        if (!size)
            return 0;
        if (!kernel_range_allowed(unsafe_src, size)) {
            memset(dst, 0, size);
            return error(ERANGE);
        }
        i64 copied = bpf_probe_copy_kernel_string(dst, reinterpret_cast<char const*>(unsafe_src), size);
        if (copied < 0) {
            memset(dst, 0, size);
            return error(EFAULT);
        }
        if (copied == size && dst[size - 1] != '\0')
            dst[size - 1] = '\0';
        return copied;
    }

    // strncpy_from_user_nofault()
    i64 probe_read_user_str(char* dst, u32 size, u64 unsafe_src) override
    {
        if (!size)
            return 0;
        u32 copied = 0;
        while (copied < size) {
            u64 address = unsafe_src + copied;
            u32 chunk = static_cast<u32>(min<u64>(PAGE_SIZE - (address & (PAGE_SIZE - 1)), size - copied));
            if (address < unsafe_src || copy_user_nofault(dst + copied, address, chunk) != chunk) {
                memset(dst, 0, size);
                return error(EFAULT);
            }
            for (u32 i = 0; i < chunk; ++i)
                if (dst[copied + i] == '\0')
                    return copied + i + 1;
            copied += chunk;
        }
        dst[size - 1] = '\0';
        return size;
    }

    bool is_user_address(u64 address) override { return address < arch::user_space_end; }

    // The registers come from the innermost TraceContext (the code that ran the program knows
    // them); without one, the kernel stack is the current one and the user stack is the one
    // the current thread entered the kernel from. `regs` (the program context) is not trusted:
    // only some program types have registers there.
    i64 walk_stack(u64, bool user, u64* ips, u32 max_depth) override
    {
        TraceContext const* trace = current_trace_context();
        Registers const* regs = trace ? trace->regs : nullptr;
        if (user) {
            Thread& thread = Thread::current();
            if (!regs || !regs->from_user()) {
                if (!thread.process())
                    return 0;
                regs = &thread.user_frame();
            }
            u64 entry_return = 0;
            if (stopped_at_function_entry(trace, *regs) && copy_user_nofault(&entry_return, regs->rsp, 8) != 8)
                entry_return = 0;
            return walk_frames(regs->rip, regs->rbp, ips, max_depth,
                [](u64 (&saved)[2], u64 frame) { return copy_user_nofault(saved, frame, sizeof(saved)) == sizeof(saved); },
                entry_return);
        }
        auto read_kernel = [](u64 (&saved)[2], u64 frame) {
            return kernel_range_allowed(frame, sizeof(saved)) && bpf_probe_copy_kernel(saved, reinterpret_cast<void const*>(frame), sizeof(saved)) == 0;
        };
        if (regs && regs->from_user())
            return 0; // an event in user mode has no kernel stack
        if (regs) {
            u64 entry_return = 0;
            if (stopped_at_function_entry(trace, *regs)
                && (!kernel_range_allowed(regs->rsp, 8) || bpf_probe_copy_kernel(&entry_return, reinterpret_cast<void const*>(regs->rsp), 8) != 0))
                entry_return = 0;
            return walk_frames(regs->rip, regs->rbp, ips, max_depth, read_kernel, entry_return);
        }
        // Start at our caller (the helper): its return address and its saved frame pointer.
        u64 caller_frame = *static_cast<u64 const*>(__builtin_frame_address(0));
        return walk_frames(reinterpret_cast<u64>(__builtin_return_address(0)), caller_frame, ips, max_depth, read_kernel);
    }

    u64 func_ip(u64) override
    {
        TraceContext const* trace = current_trace_context();
        return trace ? trace->func_ip : 0;
    }

    u64 attach_cookie(u64) override
    {
        TraceContext const* trace = current_trace_context();
        return trace ? trace->cookie : 0;
    }

    i64 sampled_event_read(u64, u64* counter, u64* enabled, u64* running) override
    {
        TraceContext const* trace = current_trace_context();
        if (!trace || !trace->perf_event)
            return error(EINVAL);
        return trace->perf_event->read_local(counter, enabled, running);
    }

    void trace_output(char const* text, u32 length) override { trace_ring_append(text, length); }

    // bpf_send_signal_common(): never to kernel threads or init, only valid signal numbers.
    i64 send_signal(u32 signal, bool) override
    {
        Process* process = Thread::current().process();
        if (!process || process->pid() == 1)
            return error(EPERM);
        if (signal > 64)
            return error(EINVAL);
        if (signal == 0)
            return 0;
        SignalInfo info;
        info.code = 0x80; // SI_KERNEL (SEND_SIG_PRIV)
        ::send_signal(*process, static_cast<int>(signal), info);
        return 0;
    }
};

KernelHelperEnvironment s_environment;

}

void install_kernel_helper_environment() { install_helper_environment(&s_environment); }

}
