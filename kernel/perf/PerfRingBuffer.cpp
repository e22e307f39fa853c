// Perf ring memory (see PerfRingBuffer.h).
#include "perf/PerfRingBuffer.h"

namespace perf {

ErrorOr<RefPtr<RingBuffer>> RingBuffer::create(u32 data_pages, bool writable, WakeupPolicy policy)
{
    PhysicalAddress base = TRY(PhysicalMemory::allocate(1 + data_pages, true));
    auto* ring = new (std::nothrow) RingBuffer(base, data_pages, writable, policy);
    if (!ring) {
        PhysicalMemory::free(base, 1 + data_pages);
        return Error(ENOMEM);
    }
    return RefPtr<RingBuffer>::adopt(ring);
}

RingBuffer::RingBuffer(PhysicalAddress base, u32 data_pages, bool writable, WakeupPolicy policy)
    : m_base(base)
    , m_data_pages(data_pages)
    , m_ring(*static_cast<perf_event_mmap_page*>(phys_to_virt(base)),
          static_cast<u8*>(phys_to_virt(base + PAGE_SIZE)), static_cast<u64>(data_pages) * PAGE_SIZE, !writable, policy)
{
}

RingBuffer::~RingBuffer() { PhysicalMemory::free(m_base, 1 + m_data_pages); }

PerfRing::Result RingBuffer::write(RecordFragments const& record, SampleData& data, u64 sample_type, bool sample_id_all, u64 id, bool is_sample)
{
    SpinlockGuard guard(m_write_lock);
    RecordFragments lost;
    RecordFragments* lost_record = nullptr;
    if (u64 count = m_ring.pending_lost()) {
        build_lost(sample_type, sample_id_all, id, count, data, lost);
        lost_record = &lost;
    }
    return m_ring.write(record, lost_record, is_sample);
}

void RingBuffer::set_paused(bool paused)
{
    SpinlockGuard guard(m_write_lock);
    m_ring.set_paused(paused);
}

}
