// Shared fd-array behaviour (see FdArrayMap.h); ported from Linux's arraymap.c.
#include "bpf/maps/FdArrayMap.h"
#include "bpf/maps/ArrayMap.h"

namespace bpf {

ErrorOr<void> FdArrayMap::alloc_check(MapAttributes const& a)
{
    if (a.value_size != sizeof(u32))
        return Error(EINVAL);
    if (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
        return Error(EINVAL);
    return array_map_alloc_check(a);
}

FdArrayMap::FdArrayMap(MapAttributes const& a, MapMemory slots)
    : Map(a)
    , m_slots(move(slots))
{
}

FdArrayMap::~FdArrayMap() = default;

void FdArrayMap::release_all_slots()
{
    for (u32 i = 0; i < m_max_entries; ++i)
        if (void* old = swap_slot(i, nullptr))
            put_object(old);
}

void FdArrayMap::exchange_slot(u32 index, void* object)
{
    if (void* old = swap_slot(index, object))
        put_object(old);
}

i64 FdArrayMap::delete_elem(void const* key)
{
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return -E2BIG;
    void* old = swap_slot(index, nullptr);
    if (!old)
        return -ENOENT;
    put_object(old);
    return 0;
}

ErrorOr<void> FdArrayMap::copy_value(void const* key, void* value, u64)
{
    // bpf_fd_array_map_lookup_elem: types without an id answer -ENOTSUPP before anything.
    TRY(object_id(nullptr));
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return Error(ENOENT);
    void* object = slot(index);
    if (!object)
        return Error(ENOENT);
    *static_cast<u32*>(value) = TRY(object_id(object));
    return {};
}

ErrorOr<void> FdArrayMap::update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver)
{
    if (flags != BPF_ANY)
        return Error(EINVAL);
    u32 index = *static_cast<u32 const*>(key);
    if (index >= m_max_entries)
        return Error(E2BIG);
    void* object = TRY(get_object(*static_cast<u32 const*>(value), resolver));
    exchange_slot(index, object);
    return {};
}

ErrorOr<void> FdArrayMap::next_key(void const* key, void* next) { return array_next_key(m_max_entries, key, next); }

}
