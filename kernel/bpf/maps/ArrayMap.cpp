// BPF_MAP_TYPE_ARRAY (see ArrayMap.h); ported from Linux's kernel/bpf/arraymap.c.
#include "bpf/maps/ArrayMap.h"
#include "bpf/Runtime.h"
#include "klib/CString.h"

namespace bpf {

ErrorOr<void> array_map_alloc_check(MapAttributes const& a)
{
    constexpr u32 create_flag_mask = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | bpf_f_access_mask | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
    bool percpu = a.map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    bool access_ok = (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    if (a.max_entries == 0 || a.key_size != 4 || a.value_size == 0 || (a.map_flags & ~create_flag_mask) || !access_ok
        || (percpu && a.effective_numa_node() != numa_no_node))
        return Error(EINVAL);
    if (a.map_type != BPF_MAP_TYPE_ARRAY && (a.map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
        return Error(EINVAL);
    if (a.map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY && (a.map_flags & BPF_F_PRESERVE_ELEMS))
        return Error(EINVAL);
    if (a.value_size > 0x7fffffffu)
        return Error(E2BIG);
    if (percpu && klib::align_up(a.value_size, 8) > percpu_min_unit_size)
        return Error(E2BIG);
    return {};
}

ErrorOr<void> array_next_key(u32 max_entries, void const* key, void* next_key)
{
    u32 index = key ? *static_cast<u32 const*>(key) : 0xffffffffu;
    auto* next = static_cast<u32*>(next_key);
    if (index >= max_entries) {
        *next = 0;
        return {};
    }
    if (index == max_entries - 1)
        return Error(ENOENT);
    *next = index + 1;
    return {};
}

ErrorOr<RefPtr<Map>> ArrayMap::try_create(MapAttributes const& a)
{
    TRY(array_map_alloc_check(a));
    u64 element_size = klib::align_up(a.value_size, 8);
    u64 bytes = static_cast<u64>(a.max_entries) * element_size;
    bool mmapable = a.map_flags & BPF_F_MMAPABLE;
    if (mmapable)
        bytes = klib::align_up(bytes, page_size);
    auto values = TRY(MapMemory::try_allocate(bytes, mmapable ? page_size : 16));
    return adopt_ref_or_enomem<Map>(new (std::nothrow) ArrayMap(a, move(values)));
}

ArrayMap::ArrayMap(MapAttributes const& a, MapMemory values)
    : Map(a)
    , m_element_size(static_cast<u32>(klib::align_up(a.value_size, 8)))
    , m_values(move(values))
{
}

void* ArrayMap::lookup_elem(void const* key)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return nullptr;
    return element(index);
}

i64 ArrayMap::update_elem(void const* key, void const* value, u64 flags)
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
    memcpy(element(index), value, m_value_size);
    return 0;
}

i64 ArrayMap::delete_elem(void const*) { return -EINVAL; }

i64 ArrayMap::for_each_elem(u64 callback, u64 callback_ctx, u64 flags)
{
    if (flags)
        return -EINVAL;
    i64 visited = 0;
    for (u32 i = 0; i < m_max_entries; ++i) {
        u32 key = i;
        ++visited;
        u64 stop = call_bpf_function(callback, reinterpret_cast<u64>(this), reinterpret_cast<u64>(&key), reinterpret_cast<u64>(element(i)), callback_ctx, 0);
        if (stop)
            break;
    }
    return visited;
}

bool ArrayMap::matches_template(InnerMapTemplate const& meta) const
{
    if (!Map::matches_template(meta))
        return false;
    return (meta.map_flags & BPF_F_INNER_MAP) ? true : meta.max_entries == m_max_entries;
}

ErrorOr<void> ArrayMap::next_key(void const* key, void* next) { return array_next_key(m_max_entries, key, next); }

ErrorOr<void> ArrayMap::check_mmap(u64 pgoff, u64 pages, bool)
{
    if (!(m_flags & BPF_F_MMAPABLE))
        return Error(EINVAL);
    if (pgoff * page_size + pages * page_size > m_values.size())
        return Error(EINVAL);
    return {};
}

u8* ArrayMap::mmap_page(u64 page_index)
{
    if (!(m_flags & BPF_F_MMAPABLE) || page_index * page_size >= m_values.size())
        return nullptr;
    return m_values.data() + page_index * page_size;
}

}
