// BPF_MAP_TYPE_PERCPU_ARRAY (see PercpuArrayMap.h); ported from Linux's arraymap.c.
#include "bpf/maps/PercpuArrayMap.h"
#include "bpf/Runtime.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/ArrayMap.h"
#include "klib/CString.h"

namespace bpf {

ErrorOr<RefPtr<Map>> PercpuArrayMap::try_create(MapAttributes const& a)
{
    TRY(array_map_alloc_check(a));
    u64 element_size = klib::align_up(a.value_size, 8);
    u64 bytes = static_cast<u64>(a.max_entries) * element_size * helper_environment().possible_cpus();
    auto values = TRY(MapMemory::try_allocate(bytes, 16));
    return adopt_ref_or_enomem<Map>(new (std::nothrow) PercpuArrayMap(a, move(values)));
}

PercpuArrayMap::PercpuArrayMap(MapAttributes const& a, MapMemory values)
    : Map(a)
    , m_element_size(static_cast<u32>(klib::align_up(a.value_size, 8)))
    , m_values(move(values))
{
}

void* PercpuArrayMap::lookup_elem(void const* key)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return nullptr;
    return slot(index, helper_environment().current_cpu());
}

void* PercpuArrayMap::lookup_percpu_elem(void const* key, u32 cpu)
{
    u32 index = *static_cast<u32 const*>(key);
    if (cpu >= m_possible_cpus || index >= m_max_entries)
        return nullptr;
    return slot(index, cpu);
}

i64 PercpuArrayMap::update_elem(void const* key, void const* value, u64 flags)
{
    u32 index = *static_cast<u32 const*>(key);
    if ((flags & ~static_cast<u64>(BPF_F_LOCK)) > BPF_EXIST)
        return -EINVAL;
    if (index >= m_max_entries)
        return -E2BIG;
    if (flags & BPF_NOEXIST)
        return -EEXIST;
    if (flags & BPF_F_LOCK)
        return -EINVAL;
    memcpy(slot(index, helper_environment().current_cpu()), value, m_value_size);
    return 0;
}

i64 PercpuArrayMap::delete_elem(void const*) { return -EINVAL; }

i64 PercpuArrayMap::for_each_elem(u64 callback, u64 callback_ctx, u64 flags)
{
    if (flags)
        return -EINVAL;
    u32 cpu = helper_environment().current_cpu();
    i64 visited = 0;
    for (u32 i = 0; i < m_max_entries; ++i) {
        u32 key = i;
        ++visited;
        if (call_bpf_function(callback, reinterpret_cast<u64>(this), reinterpret_cast<u64>(&key), reinterpret_cast<u64>(slot(i, cpu)), callback_ctx, 0))
            break;
    }
    return visited;
}

bool PercpuArrayMap::matches_template(InnerMapTemplate const& meta) const
{
    if (!Map::matches_template(meta))
        return false;
    return (meta.map_flags & BPF_F_INNER_MAP) ? true : meta.max_entries == m_max_entries;
}

ErrorOr<void> PercpuArrayMap::copy_value(void const* key, void* value, u64)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return Error(ENOENT);
    auto* out = static_cast<u8*>(value);
    for (u32 cpu = 0; cpu < m_possible_cpus; ++cpu) {
        // copy_map_value_long: the whole rounded slot.
        memcpy(out, slot(index, cpu), m_element_size);
        out += m_element_size;
    }
    return {};
}

ErrorOr<void> PercpuArrayMap::update_value(void const* key, void const* value, u64 flags, ObjectResolver*)
{
    u32 index = *static_cast<u32 const*>(key);
    if (flags > BPF_EXIST)
        return Error(EINVAL);
    if (index >= m_max_entries)
        return Error(E2BIG);
    if (flags == BPF_NOEXIST)
        return Error(EEXIST);
    auto const* in = static_cast<u8 const*>(value);
    for (u32 cpu = 0; cpu < m_possible_cpus; ++cpu) {
        memcpy(slot(index, cpu), in, m_element_size);
        in += m_element_size;
    }
    return {};
}

ErrorOr<void> PercpuArrayMap::next_key(void const* key, void* next) { return array_next_key(m_max_entries, key, next); }

}
