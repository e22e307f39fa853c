// Generic kprobes (see Kprobes.h): the table of probed addresses, registration and removal,
// and running the pre-handlers of a hit. The table is a fixed array of published pointers:
// the breakpoint path reads it without locks; changes happen under s_lock (interrupts
// masked), and removal waits until no other CPU is inside the breakpoint path before freeing.
#include "trace/kprobes/Kprobes.h"
#include "arch/Cpu.h"
#include "bpf/syscall/TraceContext.h"
#include "klib/Spinlock.h"
#include "lib/Symbols.h"
#include "trace/kprobes/ArchKprobes.h"
#include "trace/kprobes/Blacklist.h"
#include <new>

extern "C" char __text_start[];
extern "C" char __text_end[];

namespace kprobes {

namespace {

constexpr u32 max_probe_points = 128; // as many as out-of-line slots
constexpr u32 max_cpus = 64;

Spinlock s_lock;
Atomic<ProbePoint*> s_points[max_probe_points];
Kprobe* s_running[max_cpus];

ProbePoint* point_at_locked(u64 address)
{
    for (auto& entry : s_points) {
        ProbePoint* point = entry.load(MemoryOrder::Relaxed);
        if (point && point->address == address)
            return point;
    }
    return nullptr;
}

// Every name at the probed function's address is checked (C aliases of C++ functions).
bool is_blacklisted_address(KernelSymbol const& function)
{
    for (usize i = 0; i < kernel_symbol_count(); ++i) {
        auto const& symbol = kernel_symbol(i);
        if (symbol.address == function.address && symbol.is_text() && is_blacklisted_function(symbol.name))
            return true;
    }
    return false;
}

}

void synchronize_probe_handlers()
{
    u32 me = arch::current_cpu_id();
    for (u32 cpu = 0; cpu < arch::cpu_count() && cpu < max_cpus; ++cpu)
        while (cpu != me && arch_cpu_in_probe_handler(cpu))
            asm volatile("pause");
}

ProbePoint* find_probe_point(u64 address)
{
    for (auto& entry : s_points) {
        ProbePoint* point = entry.load(MemoryOrder::Acquire);
        if (point && point->address == address)
            return point;
    }
    return nullptr;
}

void run_pre_handlers(ProbePoint& point, Registers& regs)
{
    u32 cpu = arch::current_cpu_id() % max_cpus;
    for (Kprobe* probe = point.probes; probe; probe = probe->next_at_address) {
        if (!probe->pre_handler)
            continue;
        s_running[cpu] = probe;
        // bpf_get_func_ip: the probed function for probes on its entry, else 0 (Linux).
        bpf::kernel::TraceContextScope scope({ &regs, probe->on_function_entry ? probe->address : 0, 0 });
        probe->pre_handler(*probe, regs);
    }
    s_running[cpu] = nullptr;
}

Kprobe const* running_kprobe() { return s_running[arch::current_cpu_id() % max_cpus]; }

ErrorOr<u64> resolve_probe_address(StringView symbol, u64 offset_or_address)
{
    u64 address = offset_or_address;
    if (!symbol.is_empty()) {
        auto const* function = TRY(kernel_function_by_name(symbol));
        address = function->address + offset_or_address;
    }
    if (address < reinterpret_cast<u64>(__text_start) || address >= reinterpret_cast<u64>(__text_end))
        return Error(EINVAL);
    return address;
}

ErrorOr<void> register_kprobe(Kprobe& probe)
{
    if (probe.registered)
        return Error(EINVAL);
    if (probe.address < reinterpret_cast<u64>(__text_start) || probe.address >= reinterpret_cast<u64>(__text_end))
        return Error(EINVAL);
    auto location = kernel_function_at(probe.address);
    if (location.is_error() || is_blacklisted_address(*location.value().symbol))
        return Error(EINVAL);
    probe.on_function_entry = location.value().offset == 0;
    probe.next_at_address = nullptr;

    auto* fresh = new (std::nothrow) ProbePoint;
    if (!fresh)
        return Error(ENOMEM);
    SpinlockGuard guard(s_lock);
    if (ProbePoint* existing = point_at_locked(probe.address)) {
        delete fresh;
        Kprobe** tail = &existing->probes;
        while (*tail)
            tail = &(*tail)->next_at_address;
        *tail = &probe;
        probe.registered = true;
        return {};
    }
    Atomic<ProbePoint*>* free_entry = nullptr;
    for (auto& entry : s_points)
        if (!entry.load(MemoryOrder::Relaxed)) {
            free_entry = &entry;
            break;
        }
    fresh->address = probe.address;
    fresh->probes = &probe;
    ErrorOr<void> prepared = free_entry ? arch_prepare_probe(*fresh) : ErrorOr<void>(Error(ENOMEM));
    if (prepared.is_error()) {
        delete fresh;
        return prepared;
    }
    free_entry->store(fresh, MemoryOrder::Release);
    arch_arm_probe(*fresh);
    probe.registered = true;
    return {};
}

void unregister_kprobe(Kprobe& probe)
{
    ProbePoint* retired = nullptr;
    {
        SpinlockGuard guard(s_lock);
        if (!probe.registered)
            return;
        ProbePoint* point = point_at_locked(probe.address);
        if (point) {
            Kprobe** link = &point->probes;
            while (*link && *link != &probe)
                link = &(*link)->next_at_address;
            if (*link)
                *link = probe.next_at_address;
            if (!point->probes) {
                arch_disarm_probe(*point);
                for (auto& entry : s_points)
                    if (entry.load(MemoryOrder::Relaxed) == point)
                        entry.store(nullptr, MemoryOrder::Release);
                retired = point;
            }
        }
        probe.registered = false;
        probe.next_at_address = nullptr;
    }
    synchronize_probe_handlers();
    if (retired) {
        SpinlockGuard guard(s_lock);
        arch_release_probe(*retired);
        delete retired;
    }
}

}
