// Return probes (see Kprobes.h). At the function's entry the return address on the stack is
// replaced by the trampoline's and remembered in an instance (the task, the stack slot, the
// real address). At return the trampoline finds the task's instance for that stack slot, runs
// the handler and returns to the real address. Instances come from one pool; a probe may have
// at most maxactive in flight (more entries count as missed, as on Linux). Instances outlive
// their probe's removal (their return still needs the real address) and are reclaimed when
// their task exits inside the function (release_task_instances). s_lock guards the lists.
#include "console/Console.h"
#include "klib/Spinlock.h"
#include "lib/Symbols.h"
#include "trace/kprobes/ArchKprobes.h"
#include "trace/kprobes/Kprobes.h"

namespace kprobes {

namespace {

constexpr u32 instance_pool_size = 1024;

Spinlock s_lock;
KretprobeInstance s_pool[instance_pool_size];
KretprobeInstance* s_free { nullptr };
KretprobeInstance* s_active { nullptr }; // newest first
bool s_pool_ready { false };

void initialize_pool_locked()
{
    if (s_pool_ready)
        return;
    for (auto& instance : s_pool) {
        instance.next = s_free;
        s_free = &instance;
    }
    s_pool_ready = true;
}

void release_locked(KretprobeInstance& instance)
{
    if (instance.probe)
        instance.probe->active.fetch_sub(1, MemoryOrder::Relaxed);
    instance = {};
    instance.next = s_free;
    s_free = &instance;
}

void entry_handler(Kprobe& entry, Registers& regs)
{
    auto& probe = *static_cast<Kretprobe*>(entry.owner);
    u32 limit = probe.maxactive ? probe.maxactive : default_kretprobe_maxactive;
    SpinlockGuard guard(s_lock);
    initialize_pool_locked();
    if (probe.active.load(MemoryOrder::Relaxed) >= limit || !s_free) {
        probe.missed.fetch_add(1, MemoryOrder::Relaxed);
        return;
    }
    KretprobeInstance* instance = s_free;
    s_free = instance->next;
    auto* slot = reinterpret_cast<u64*>(regs.rsp); // at the entry, sp points at the return address
    *instance = { &probe, arch_current_task(), regs.rsp, *slot, entry.address, s_active };
    s_active = instance;
    probe.active.fetch_add(1, MemoryOrder::Relaxed);
    *slot = arch_kretprobe_trampoline();
}

}

u64 kretprobe_trampoline_handler(Registers& regs)
{
    bool may_run = arch_enter_probe_context();
    Thread const* task = arch_current_task();
    u64 slot = regs.rsp - 8;
    KretprobeInstance* found = nullptr;
    {
        SpinlockGuard guard(s_lock);
        KretprobeInstance** link = &s_active;
        while (*link) {
            KretprobeInstance* instance = *link;
            if (instance->task != task) {
                link = &instance->next;
                continue;
            }
            if (instance->return_address_slot == slot) {
                *link = instance->next;
                found = instance;
                break;
            }
            if (instance->return_address_slot < slot) {
                // A deeper frame of this task that was left without returning.
                *link = instance->next;
                release_locked(*instance);
                continue;
            }
            link = &instance->next;
        }
    }
    if (!found)
        panic("kretprobe: no instance for the return at stack %016lx", slot);
    regs.rip = found->return_address;
    if (Kretprobe* probe = found->probe) {
        if (may_run && probe->handler)
            probe->handler(*probe, *found, regs);
        else if (!may_run)
            probe->missed.fetch_add(1, MemoryOrder::Relaxed);
    }
    u64 real = found->return_address;
    {
        SpinlockGuard guard(s_lock);
        release_locked(*found);
    }
    if (may_run)
        arch_leave_probe_context();
    return real;
}

ErrorOr<void> register_kretprobe(Kretprobe& probe, u64 function_address)
{
    if (probe.maxactive > max_kretprobe_maxactive)
        return Error(E2BIG);
    auto location = kernel_function_at(function_address);
    if (location.is_error() || location.value().offset != 0)
        return Error(EINVAL);
    probe.entry.address = function_address;
    probe.entry.pre_handler = entry_handler;
    probe.entry.owner = &probe;
    return register_kprobe(probe.entry);
}

void unregister_kretprobe(Kretprobe& probe)
{
    unregister_kprobe(probe.entry);
    {
        SpinlockGuard guard(s_lock);
        for (auto* instance = s_active; instance; instance = instance->next)
            if (instance->probe == &probe)
                instance->probe = nullptr;
        probe.active.store(0, MemoryOrder::Relaxed);
    }
    // A trampoline on another CPU may still be running this probe's handler.
    synchronize_probe_handlers();
}

void release_task_instances(Thread const& task)
{
    SpinlockGuard guard(s_lock);
    KretprobeInstance** link = &s_active;
    while (*link) {
        KretprobeInstance* instance = *link;
        if (instance->task == &task) {
            *link = instance->next;
            release_locked(*instance);
        } else {
            link = &instance->next;
        }
    }
}

}
