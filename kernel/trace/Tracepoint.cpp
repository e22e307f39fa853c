// Tracepoint firing, listener lists and the registry of all tracepoints (see Tracepoint.h).
//
// Listener lists are singly linked and read without a lock: add_listener() publishes a fully
// linked node with a release store; remove_listener() unlinks under the tracepoint's lock and
// then waits in synchronize_tracepoints() until every CPU that may still walk the old node has
// left its firing. Each CPU counts its firings (an even/odd generation per nesting level would
// also do; a depth counter plus a completed-firings counter is enough here).
#include "trace/Tracepoint.h"
#include "arch/Cpu.h"
#include "klib/CString.h"
#include "proc/Process.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"

namespace trace {

namespace {

constexpr u32 max_cpus = 64;
// Linux's first event ids are taken by its fixed ftrace entries; start after them.
constexpr u32 first_tracepoint_id = 32;
constexpr u32 max_registered = 2048;

struct CpuFiringState {
    Atomic<u32> depth { 0 };
    Atomic<u64> completed { 0 };
};
CpuFiringState cpu_firing[max_cpus];

Spinlock registry_lock;
Tracepoint* registry[max_registered];
u32 registry_count;
u32 next_id = first_tracepoint_id;
Atomic<u32> active_visits { 0 };

i32 current_pid()
{
    Thread& thread = Thread::current();
    if (thread.is_idle())
        return 0;
    Process* process = thread.process();
    return process ? static_cast<i32>(thread.tid()) : 0;
}

void fill_common_header(Tracepoint const& tracepoint, u8* record)
{
    u16 type = static_cast<u16>(tracepoint.id());
    memcpy(record, &type, 2);
    record[2] = 0; // common_flags: TRACE_FLAG_IRQS_OFF would be set by Linux for irq events
    record[3] = 0; // common_preempt_count
    i32 pid = current_pid();
    memcpy(record + 4, &pid, 4);
}

}

void Tracepoint::fire(u64 const* args, u32 arg_count, Registers const* regs)
{
    u64 irq_state = arch_irq_save();
    CpuFiringState& state = cpu_firing[arch::current_cpu_id() % max_cpus];
    state.depth.fetch_add(1, MemoryOrder::AcqRel);

    TracepointListener* first = __atomic_load_n(&m_listeners, __ATOMIC_ACQUIRE);
    bool need_record = false;
    for (auto* listener = first; listener; listener = __atomic_load_n(&listener->m_next_listener, __ATOMIC_ACQUIRE))
        need_record |= listener->wants_record();

    alignas(8) u8 record[max_trace_record_size];
    u32 record_size = m_definition.record_size;
    if (need_record) {
        memset(record, 0, record_size);
        fill_common_header(*this, record);
        if (m_definition.fill)
            record_size = m_definition.fill(m_definition, args, record);
    }
    TracepointHit hit { *this, args, arg_count, need_record ? record : nullptr, record_size, regs };
    for (auto* listener = first; listener; listener = __atomic_load_n(&listener->m_next_listener, __ATOMIC_ACQUIRE))
        listener->on_hit(hit);

    state.completed.fetch_add(1, MemoryOrder::Release);
    state.depth.fetch_sub(1, MemoryOrder::AcqRel);
    arch_irq_restore(irq_state);
}

ErrorOr<void> Tracepoint::add_listener(TracepointListener& listener)
{
    SpinlockGuard guard(m_lock);
    for (auto* existing = m_listeners; existing; existing = existing->m_next_listener) {
        if (existing == &listener)
            return Error(EEXIST);
    }
    listener.m_next_listener = m_listeners;
    __atomic_store_n(&m_listeners, &listener, __ATOMIC_RELEASE);
    m_active_listeners.fetch_add(1, MemoryOrder::Release);
    if (m_definition.group_listeners)
        m_definition.group_listeners->fetch_add(1, MemoryOrder::Release);
    return {};
}

void Tracepoint::remove_listener(TracepointListener& listener)
{
    {
        SpinlockGuard guard(m_lock);
        TracepointListener** link = &m_listeners;
        while (*link && *link != &listener)
            link = &(*link)->m_next_listener;
        if (!*link)
            return;
        __atomic_store_n(link, listener.m_next_listener, __ATOMIC_RELEASE);
        m_active_listeners.fetch_sub(1, MemoryOrder::Release);
        if (m_definition.group_listeners)
            m_definition.group_listeners->fetch_sub(1, MemoryOrder::Release);
    }
    synchronize_tracepoints();
    listener.m_next_listener = nullptr;
}

void synchronize_tracepoints()
{
    // A CPU that is inside a firing (depth > 0) may still hold a pointer to an unlinked
    // listener; wait until it completes one more firing or drops to depth 0. The calling CPU
    // cannot be inside a firing of its own that walks the list being changed unless it
    // removes a listener from within a listener, which is not allowed.
    u32 self = arch::current_cpu_id() % max_cpus;
    u32 cpus = arch::cpu_count() < max_cpus ? arch::cpu_count() : max_cpus;
    for (u32 cpu = 0; cpu < cpus; cpu++) {
        if (cpu == self)
            continue;
        CpuFiringState& state = cpu_firing[cpu];
        u64 seen = state.completed.load(MemoryOrder::Acquire);
        while (state.depth.load(MemoryOrder::Acquire) != 0 && state.completed.load(MemoryOrder::Acquire) == seen)
            Scheduler::yield();
    }
}

ErrorOr<void> register_tracepoint(Tracepoint& tracepoint)
{
    auto const& definition = tracepoint.definition();
    if (definition.record_size < trace_common_header_size || definition.record_size > max_trace_record_size)
        return Error(EINVAL);
    if (definition.arg_count > max_tracepoint_args)
        return Error(EINVAL);
    SpinlockGuard guard(registry_lock);
    if (registry_count == max_registered || next_id > 0xffff)
        return Error(ENOSPC);
    for (u32 i = 0; i < registry_count; i++) {
        if (registry[i] == &tracepoint)
            return Error(EEXIST);
        if (registry[i]->system() == tracepoint.system() && registry[i]->name() == tracepoint.name())
            return Error(EEXIST);
    }
    tracepoint.set_id(next_id++);
    registry[registry_count++] = &tracepoint;
    return {};
}

void unregister_tracepoint(Tracepoint& tracepoint)
{
    {
        SpinlockGuard guard(registry_lock);
        for (u32 i = 0; i < registry_count; i++) {
            if (registry[i] == &tracepoint) {
                for (u32 j = i + 1; j < registry_count; j++)
                    registry[j - 1] = registry[j];
                registry_count--;
                break;
            }
        }
    }
    synchronize_tracepoints();
    while (active_visits.load(MemoryOrder::Acquire) != 0)
        Scheduler::yield();
}

ErrorOr<Tracepoint*> add_listener_by_id(u32 id, TracepointListener& listener)
{
    SpinlockGuard guard(registry_lock);
    for (u32 i = 0; i < registry_count; i++) {
        if (registry[i]->id() == id) {
            TRY(registry[i]->add_listener(listener));
            return registry[i];
        }
    }
    return Error(ENOENT);
}

Tracepoint* find_tracepoint(u32 id)
{
    SpinlockGuard guard(registry_lock);
    for (u32 i = 0; i < registry_count; i++) {
        if (registry[i]->id() == id)
            return registry[i];
    }
    return nullptr;
}

Tracepoint* find_tracepoint(StringView system, StringView name)
{
    SpinlockGuard guard(registry_lock);
    for (u32 i = 0; i < registry_count; i++) {
        if (registry[i]->system() == system && registry[i]->name() == name)
            return registry[i];
    }
    return nullptr;
}

Tracepoint* find_tracepoint_by_name(StringView name)
{
    SpinlockGuard guard(registry_lock);
    for (u32 i = 0; i < registry_count; i++) {
        if (registry[i]->definition().flags & (tracepoint_flag_no_raw | tracepoint_flag_probe))
            continue;
        if (registry[i]->name() == name)
            return registry[i];
    }
    return nullptr;
}

void for_each_tracepoint(bool (*visit)(Tracepoint&, void* context), void* context)
{
    // Registered tracepoints are never freed while registered; copy the list in chunks so the
    // visitor runs without the lock (it may allocate).
    active_visits.fetch_add(1, MemoryOrder::AcqRel);
    struct VisitGuard {
        ~VisitGuard() { active_visits.fetch_sub(1, MemoryOrder::AcqRel); }
    } visit_guard;
    u32 index = 0;
    for (;;) {
        Tracepoint* batch[32];
        u32 count = 0;
        {
            SpinlockGuard guard(registry_lock);
            while (index + count < registry_count && count < 32) {
                batch[count] = registry[index + count];
                count++;
            }
        }
        if (count == 0)
            return;
        for (u32 i = 0; i < count; i++) {
            if (!visit(*batch[i], context))
                return;
        }
        index += count;
    }
}

}
