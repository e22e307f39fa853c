// RingBuffer: the memory behind a perf event's mmap (Linux's struct perf_buffer): one
// header page (struct perf_event_mmap_page) followed by 2^n data pages, physically
// contiguous so the kernel writes through the direct map, plus the PerfRing writer on top.
//
// Lifetime: created by the first mmap of an event; events that write into it (the owner
// and those redirected with PERF_EVENT_IOC_SET_OUTPUT) hold references. When the last
// mapping goes (map_count reaches 0) every event is detached from it, as Linux's
// perf_mmap_close() does, and the pages go when the last reference does.
//
// Readiness: a wake-up sets `poll` to POLLIN; poll() takes it (atomic exchange, as Linux's
// perf_poll does: readiness is reported once per wake-up). The writing event notifies its
// file; pollers of other events sharing the ring re-check on that global notification.
//
// Locking: writes happen under the writing event's lock; when several events share the
// ring, m_write_lock (taken after the event lock) serialises them.
#pragma once

#include "klib/RefPtr.h"
#include "klib/Spinlock.h"
#include "mm/PhysicalMemory.h"
#include "perf/PerfRecords.h"

namespace perf {

class RingBuffer final : public RefCounted {
public:
    // `data_pages` is 0 or a power of two. ENOMEM.
    static ErrorOr<RefPtr<RingBuffer>> create(u32 data_pages, bool writable, WakeupPolicy policy);
    ~RingBuffer() override;

    u32 data_pages() const { return m_data_pages; }
    PhysicalAddress page_address(u32 index) const { return m_base + static_cast<u64>(index) * PAGE_SIZE; }
    perf_event_mmap_page& user_page() const { return m_ring.page(); }

    // Mappings of this ring (from any event's fd).
    Atomic<u32> map_count { 0 };

    // Serialised writes; returns the writer's result. When records were lost before, a
    // PERF_RECORD_LOST for event `id` goes first, its sample_id fields taken from `data`
    // (which `record` may point into: the LOST record uses separate storage in it).
    PerfRing::Result write(RecordFragments const& record, SampleData& data, u64 sample_type, bool sample_id_all, u64 id, bool is_sample);
    void set_paused(bool paused);

    u32 take_poll() { return m_poll.exchange(0, MemoryOrder::AcqRel); }
    void raise_poll(u32 events) { m_poll.store(events, MemoryOrder::Release); }

private:
    RingBuffer(PhysicalAddress base, u32 data_pages, bool writable, WakeupPolicy policy);

    PhysicalAddress m_base;
    u32 m_data_pages;
    PerfRing m_ring;
    Spinlock m_write_lock;
    Atomic<u32> m_poll { 0 };
};

}
