// QUEUE and STACK maps (see QueueStackMap.h); ported from Linux's queue_stack_maps.c.
#include "bpf/maps/QueueStackMap.h"
#include "klib/CString.h"

namespace bpf {

ErrorOr<void> QueueStackMap::alloc_check(MapAttributes const& a)
{
    constexpr u32 create_flag_mask = BPF_F_NUMA_NODE | bpf_f_access_mask;
    bool access_ok = (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    if (a.max_entries == 0 || a.key_size != 0 || a.value_size == 0 || (a.map_flags & ~create_flag_mask) || !access_ok)
        return Error(EINVAL);
    if (a.value_size > kmalloc_max_size)
        return Error(E2BIG);
    return {};
}

ErrorOr<RefPtr<Map>> QueueStackMap::try_create(MapAttributes const& a)
{
    TRY(alloc_check(a));
    u64 slots = static_cast<u64>(a.max_entries) + 1;
    auto memory = TRY(MapMemory::try_allocate(slots * a.value_size));
    return adopt_ref_or_enomem<Map>(new (std::nothrow) QueueStackMap(a, move(memory)));
}

QueueStackMap::QueueStackMap(MapAttributes const& a, MapMemory slots)
    : Map(a)
    , m_size(a.max_entries + 1)
    , m_slots(move(slots))
{
}

i64 QueueStackMap::push_elem(void const* value, u64 flags)
{
    bool replace = flags & BPF_EXIST;
    if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
        return -EINVAL;
    SpinlockGuard guard(m_lock);
    u32 next_head = m_head + 1 >= m_size ? 0 : m_head + 1;
    if (next_head == m_tail) { // full
        if (!replace)
            return -E2BIG;
        if (++m_tail >= m_size)
            m_tail = 0;
    }
    memcpy(m_slots.data() + static_cast<u64>(m_head) * m_value_size, value, m_value_size);
    m_head = next_head;
    return 0;
}

i64 QueueStackMap::take(void* value, bool remove)
{
    SpinlockGuard guard(m_lock);
    if (m_head == m_tail) {
        memset(value, 0, m_value_size);
        return -ENOENT;
    }
    u32 index;
    if (is_stack()) {
        index = m_head == 0 ? m_size - 1 : m_head - 1;
        if (remove)
            m_head = index;
    } else {
        index = m_tail;
        if (remove && ++m_tail >= m_size)
            m_tail = 0;
    }
    memcpy(value, m_slots.data() + static_cast<u64>(index) * m_value_size, m_value_size);
    return 0;
}

ErrorOr<void> QueueStackMap::copy_value(void const*, void* value, u64)
{
    if (i64 result = peek_elem(value))
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> QueueStackMap::update_value(void const*, void const* value, u64 flags, ObjectResolver*)
{
    if (i64 result = push_elem(value, flags))
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> QueueStackMap::lookup_and_delete_value(void const*, void* value, u64)
{
    if (i64 result = pop_elem(value))
        return Error(static_cast<int>(-result));
    return {};
}

}
