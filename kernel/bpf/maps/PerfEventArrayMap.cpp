// BPF_MAP_TYPE_PERF_EVENT_ARRAY (see PerfEventArrayMap.h); ported from Linux's arraymap.c
// and kernel/trace/bpf_trace.c.
#include "bpf/maps/PerfEventArrayMap.h"
#include "bpf/helpers/HelperEnvironment.h"

namespace bpf {

ErrorOr<RefPtr<Map>> PerfEventArrayMap::try_create(MapAttributes const& a)
{
    TRY(alloc_check(a));
    auto slots = TRY(MapMemory::try_allocate(static_cast<u64>(a.max_entries) * sizeof(void*)));
    auto owners = TRY(MapMemory::try_allocate(static_cast<u64>(a.max_entries) * sizeof(void*)));
    return adopt_ref_or_enomem<Map>(new (std::nothrow) PerfEventArrayMap(a, move(slots), move(owners)));
}

ErrorOr<void> PerfEventArrayMap::update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver)
{
    // fd_array_map_update_elem with bpf_event_entry_gen(perf_file, map_file).
    if (flags != BPF_ANY)
        return Error(EINVAL);
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return Error(E2BIG);
    void* event = TRY(get_object(*static_cast<u32 const*>(value), resolver));
    void* old;
    {
        SpinlockGuard guard(m_owner_lock);
        old = swap_slot(index, event);
        owners()[index] = resolver->map_file;
    }
    if (old)
        put_object(old);
    return {};
}

i64 PerfEventArrayMap::delete_elem(void const* key)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return -E2BIG;
    void* old;
    {
        SpinlockGuard guard(m_owner_lock);
        old = swap_slot(index, nullptr);
        owners()[index] = nullptr;
    }
    if (!old)
        return -ENOENT;
    put_object(old);
    return 0;
}

void PerfEventArrayMap::release_file(void const* map_file)
{
    // perf_event_fd_array_release: only entries stored through this file, and none with
    // BPF_F_PRESERVE_ELEMS (they stay until deleted or the map is freed).
    if (!map_file || (m_flags & BPF_F_PRESERVE_ELEMS))
        return;
    for (u32 i = 0; i < m_max_entries; ++i) {
        void* old = nullptr;
        {
            SpinlockGuard guard(m_owner_lock);
            if (owners()[i] == map_file) {
                old = swap_slot(i, nullptr);
                owners()[i] = nullptr;
            }
        }
        if (old)
            put_object(old);
    }
}

ErrorOr<void*> PerfEventArrayMap::get_object(u32 fd, ObjectResolver* resolver)
{
    if (!resolver)
        return Error(EBADF);
    auto event = TRY(resolver->perf_event_from_fd(fd));
    u64 value, enabled, running;
    if (event->read_local(&value, &enabled, &running) == -EOPNOTSUPP)
        return Error(EOPNOTSUPP);
    return static_cast<void*>(event.leak_ref());
}

i64 PerfEventArrayMap::select(u64 flags, PerfEventSource*& event) const
{
    u64 index = flags & BPF_F_INDEX_MASK;
    if (index == BPF_F_CURRENT_CPU)
        index = helper_environment().current_cpu();
    if (index >= m_max_entries)
        return -E2BIG;
    event = this->event(static_cast<u32>(index));
    if (!event)
        return -ENOENT;
    return 0;
}

i64 PerfEventArrayMap::output(u64 regs, u64 flags, void const* data, u64 size)
{
    if (flags & ~static_cast<u64>(BPF_F_INDEX_MASK))
        return -EINVAL;
    PerfEventSource* event;
    if (i64 error = select(flags, event))
        return error;
    if (!event->is_bpf_output())
        return -EINVAL;
    if (event->active_cpu() != static_cast<i32>(helper_environment().current_cpu()))
        return -EOPNOTSUPP;
    return event->output(regs, data, size);
}

i64 PerfEventArrayMap::read_value(u64 flags, struct bpf_perf_event_value* value)
{
    if (flags & ~static_cast<u64>(BPF_F_INDEX_MASK))
        return -EINVAL;
    PerfEventSource* event;
    if (i64 error = select(flags, event))
        return error;
    u64 counter, enabled, running;
    i64 result = event->read_local(&counter, &enabled, &running);
    if (result)
        return result;
    value->counter = counter;
    value->enabled = enabled;
    value->running = running;
    return 0;
}

}
