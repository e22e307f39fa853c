// BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer byte ring shared with user space
// (Linux's kernel/bpf/ringbuf.c). max_entries is the data size: a power-of-two multiple of
// the page size. Programs reserve a record, fill it and submit or discard it; user space
// consumes records by advancing consumer_pos.
//
// Memory (page-aligned, zeroed, allocated once):
//   page 0            kernel-private header (back pointer used to find the map from a record)
//   page 1            consumer_pos (user space maps it read-write)
//   page 2            producer_pos (read-only for user space)
//   pages 3..3+n-1    data
//   pages 3+n..3+2n-1 spill area
// User space maps the data pages twice back to back (mmap_page() returns the same page for
// i and i+n), so a record that wraps is contiguous for the consumer. Inside the kernel the
// data is not mapped twice: a record that crosses the end is handed to the program in the
// spill area and its wrapped tail is copied to the start of the data area when it is
// submitted or discarded (before the BUSY bit clears, so consumers never see the copy).
//
// Record header (8 bytes, Linux's struct bpf_ringbuf_hdr): u32 len with BPF_RINGBUF_BUSY_BIT
// while reserved and BPF_RINGBUF_DISCARD_BIT when discarded, u32 pg_off = page offset of
// the header from page 0. Records are 8-byte aligned.
//
// Locking: a spinlock (interrupts masked) serialises reservations; commits only flip the
// header word atomically (xchg), as on Linux. Readers of positions use acquire loads.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"
#include "klib/Spinlock.h"

namespace bpf {

class RingbufMap final : public Map {
public:
    static constexpr u32 header_size = BPF_RINGBUF_HDR_SZ;
    static constexpr u32 max_record_size = 0xffffffffu / 4; // RINGBUF_MAX_RECORD_SZ

    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    // Program side (bpf_ringbuf_reserve/submit/discard/output/query).
    void* reserve(u64 size);
    static void commit(void* sample, u64 flags, bool discard);
    i64 output(void const* data, u64 size, u64 flags);
    u64 query(u64 flags) const;

    u64 data_size() const { return m_mask + 1; }
    u64 consumer_position() const { return __atomic_load_n(consumer_pos(), __ATOMIC_ACQUIRE); }
    u64 producer_position() const { return __atomic_load_n(producer_pos(), __ATOMIC_ACQUIRE); }
    u8* data() const { return m_memory.data() + data_page * page_size; }
    // What user space's mapping of page 1 writes: the consumer's progress.
    void set_consumer_position(u64 position) { __atomic_store_n(consumer_pos(), position, __ATOMIC_RELEASE); }
    u64 wakeups() const { return m_wakeups.load(); }
    // The syscall layer's poll/epoll notification; called from program context.
    void set_wakeup_hook(void (*hook)(void* context), void* context)
    {
        m_wakeup_hook = hook;
        m_wakeup_context = context;
    }

    u8* mmap_page(u64 page_index) override;

protected:
    ErrorOr<void> copy_value(void const*, void*, u64) override { return Error(ENOTSUPP); }
    ErrorOr<void> update_value(void const*, void const*, u64, ObjectResolver*) override { return Error(ENOTSUPP); }
    ErrorOr<void> delete_value(void const*) override { return Error(ENOTSUPP); }
    ErrorOr<void> next_key(void const*, void*) override { return Error(ENOTSUPP); }
    ErrorOr<void> check_mmap(u64 pgoff, u64 pages, bool writable) override;
    bool supports_mmap() const override { return true; }

public:
    i64 update_elem(void const*, void const*, u64) override { return -ENOTSUPP; }
    i64 delete_elem(void const*) override { return -ENOTSUPP; }

private:
    static constexpr u64 consumer_page = 1;
    static constexpr u64 producer_page = 2;
    static constexpr u64 data_page = 3;

    RingbufMap(MapAttributes const& attributes, MapMemory memory);
    u64* consumer_pos() const { return reinterpret_cast<u64*>(m_memory.data() + consumer_page * page_size); }
    u64* producer_pos() const { return reinterpret_cast<u64*>(m_memory.data() + producer_page * page_size); }
    void wake_up();

    MapMemory m_memory;
    u64 m_mask;
    u64 m_pending_pos { 0 };
    Spinlock m_lock;
    Atomic<u64> m_wakeups { 0 };
    void (*m_wakeup_hook)(void*) { nullptr };
    void* m_wakeup_context { nullptr };
};

}
