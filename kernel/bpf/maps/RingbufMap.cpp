// BPF_MAP_TYPE_RINGBUF (see RingbufMap.h); ported from Linux's kernel/bpf/ringbuf.c.
#include "bpf/maps/RingbufMap.h"
#include "klib/CString.h"

namespace bpf {

namespace {
struct RecordHeader {
    u32 len;
    u32 pg_off;
};
}

ErrorOr<RefPtr<Map>> RingbufMap::try_create(MapAttributes const& a)
{
    if (a.map_flags & ~static_cast<u32>(BPF_F_NUMA_NODE))
        return Error(EINVAL);
    if (a.key_size || a.value_size || !klib::is_power_of_two(a.max_entries) || (a.max_entries % page_size))
        return Error(EINVAL);
    u64 bytes = data_page * page_size + 2ull * a.max_entries;
    auto memory = TRY(MapMemory::try_allocate(bytes, page_size));
    auto* map = new (std::nothrow) RingbufMap(a, move(memory));
    if (!map)
        return Error(ENOMEM);
    *reinterpret_cast<RingbufMap**>(map->m_memory.data()) = map;
    return adopt_ref_or_enomem<Map>(map);
}

RingbufMap::RingbufMap(MapAttributes const& a, MapMemory memory)
    : Map(a)
    , m_memory(move(memory))
    , m_mask(a.max_entries - 1)
{
}

void* RingbufMap::reserve(u64 size)
{
    if (size > max_record_size)
        return nullptr;
    u64 len = klib::align_up(size + header_size, 8);
    if (len > data_size())
        return nullptr;
    u64 cons_pos = consumer_position();
    SpinlockGuard guard(m_lock);
    u64 pend_pos = m_pending_pos;
    u64 prod_pos = *producer_pos();
    u64 new_prod_pos = prod_pos + len;
    // Skip over records that were already committed to find the oldest pending one.
    while (pend_pos < prod_pos) {
        auto* header = reinterpret_cast<RecordHeader*>(data() + (pend_pos & m_mask));
        u32 header_len = __atomic_load_n(&header->len, __ATOMIC_ACQUIRE);
        if (header_len & BPF_RINGBUF_BUSY_BIT)
            break;
        u64 record = header_len & ~static_cast<u32>(BPF_RINGBUF_DISCARD_BIT);
        pend_pos += klib::align_up(record + header_size, 8);
    }
    m_pending_pos = pend_pos;
    // Out of space if the producer would run more than the ring size ahead of the consumer
    // or of the oldest record that is still being written.
    if (new_prod_pos - cons_pos > m_mask || new_prod_pos - pend_pos > m_mask)
        return nullptr;
    u8* header_address = data() + (prod_pos & m_mask);
    auto* header = reinterpret_cast<RecordHeader*>(header_address);
    header->len = static_cast<u32>(size) | BPF_RINGBUF_BUSY_BIT;
    header->pg_off = static_cast<u32>((header_address - m_memory.data()) / page_size);
    __atomic_store_n(producer_pos(), new_prod_pos, __ATOMIC_RELEASE);
    return header_address + header_size;
}

void RingbufMap::commit(void* sample, u64 flags, bool discard)
{
    auto* header_address = static_cast<u8*>(sample) - header_size;
    auto* header = reinterpret_cast<RecordHeader*>(header_address);
    u8* base = reinterpret_cast<u8*>(reinterpret_cast<u64>(header_address) & ~static_cast<u64>(page_size - 1)) - static_cast<u64>(header->pg_off) * page_size;
    RingbufMap* ring = *reinterpret_cast<RingbufMap**>(base);
    u32 len = header->len;
    u32 size = len & ~static_cast<u32>(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    // Move the part of the record that ran past the end of the data area to its start.
    u64 offset = static_cast<u64>(header_address - ring->data());
    u64 end = offset + header_size + size;
    if (end > ring->data_size())
        memcpy(ring->data(), ring->data() + ring->data_size(), end - ring->data_size());
    u32 new_len = len ^ BPF_RINGBUF_BUSY_BIT;
    if (discard)
        new_len |= BPF_RINGBUF_DISCARD_BIT;
    __atomic_exchange_n(&header->len, new_len, __ATOMIC_SEQ_CST);
    u64 cons_pos = ring->consumer_position() & ring->m_mask;
    if (flags & BPF_RB_FORCE_WAKEUP)
        ring->wake_up();
    else if (cons_pos == offset && !(flags & BPF_RB_NO_WAKEUP))
        ring->wake_up();
}

void RingbufMap::wake_up()
{
    m_wakeups.fetch_add(1, MemoryOrder::Relaxed);
    if (m_wakeup_hook)
        m_wakeup_hook(m_wakeup_context);
}

i64 RingbufMap::output(void const* data, u64 size, u64 flags)
{
    if (flags & ~static_cast<u64>(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
        return -EINVAL;
    void* record = reserve(size);
    if (!record)
        return -EAGAIN;
    memcpy(record, data, size);
    commit(record, flags, false);
    return 0;
}

u64 RingbufMap::query(u64 flags) const
{
    switch (flags) {
    case BPF_RB_AVAIL_DATA:
        return producer_position() - consumer_position();
    case BPF_RB_RING_SIZE:
        return data_size();
    case BPF_RB_CONS_POS:
        return consumer_position();
    case BPF_RB_PROD_POS:
        return producer_position();
    default:
        return 0;
    }
}

ErrorOr<void> RingbufMap::check_mmap(u64 pgoff, u64 pages, bool writable)
{
    if (writable && (pgoff != 0 || pages != 1))
        return Error(EPERM);
    u64 mappable = 2 + 2 * (data_size() / page_size);
    if (pgoff + pages > mappable)
        return Error(EINVAL);
    return {};
}

u8* RingbufMap::mmap_page(u64 page_index)
{
    // User page 0 = consumer, 1 = producer, then the data pages twice.
    u64 data_pages = data_size() / page_size;
    if (page_index < 2)
        return m_memory.data() + (consumer_page + page_index) * page_size;
    page_index -= 2;
    if (page_index >= 2 * data_pages)
        return nullptr;
    return data() + (page_index % data_pages) * page_size;
}

}
