// The file side of a perf event (Linux's perf_fops): read() with read_format, the
// PERF_EVENT_IOC_* ioctls, poll readiness, and the mmap of the ring buffer.
#include "bpf/syscall/BpfFiles.h"
#include "mm/UserBuffer.h"
#include "perf/PerfEvent.h"
#include "proc/Process.h"
#include "time/Clock.h"

namespace perf {

namespace {

constexpr u32 ioc_flag_group = 1; // PERF_IOC_FLAG_GROUP: the group is this event alone
constexpr u32 bpf_trace_max_programs = 64;

bool is_power_of_two_or_zero(u64 value) { return (value & (value - 1)) == 0; }

struct UserAttrSource final : AttrSource {
    u64 address;
    ErrorOr<void> read(u64 offset, void* destination, usize size) override
    {
        return copy_from_user(destination, address + offset, size);
    }
};

}

ErrorOr<usize> PerfEvent::read(OpenFileDescription&, u64, UserBuffer const& buffer, usize size)
{
    // perf_read(): the whole read_format layout or ENOSPC.
    u32 needed = read_size(m_attr.read_format);
    if (size < needed)
        return Error(ENOSPC);
    u64 words[8];
    u32 count;
    {
        SpinlockGuard guard(m_lock);
        auto values = read_values_locked(clock_monotonic_ns());
        count = format_read_values(m_attr.read_format, values, words);
    }
    TRY(buffer.write(words, count * sizeof(u64)));
    return count * sizeof(u64);
}

ErrorOr<u64> PerfEvent::ioctl(OpenFileDescription&, u32 request, u64 arg)
{
    switch (request) {
    case PERF_EVENT_IOC_ENABLE:
        enable();
        return 0;
    case PERF_EVENT_IOC_DISABLE:
        disable();
        return 0;
    case PERF_EVENT_IOC_RESET:
        reset();
        return 0;
    case PERF_EVENT_IOC_REFRESH:
        TRY(refresh(arg));
        return 0;
    case PERF_EVENT_IOC_PERIOD: {
        u64 value;
        TRY(copy_from_user(&value, arg));
        TRY(set_period(value));
        return 0;
    }
    case PERF_EVENT_IOC_ID:
        TRY(copy_to_user(arg, &m_id));
        return 0;
    case PERF_EVENT_IOC_SET_OUTPUT: {
        if (arg == ~0ULL) {
            TRY(set_output(nullptr));
            return 0;
        }
        auto description = Process::current().fds().get(static_cast<int>(arg));
        if (description.is_error() || static_cast<u64>(static_cast<u32>(arg)) != arg)
            return Error(EBADF);
        auto* target = perf_event_from_file(description.value()->file());
        if (!target)
            return Error(EBADF);
        TRY(set_output(target));
        return 0;
    }
    case PERF_EVENT_IOC_SET_FILTER:
        // Tracepoint filter expressions and address filters are not implemented.
        return Error(EINVAL);
    case PERF_EVENT_IOC_SET_BPF: {
        auto program = TRY(bpf::kernel::program_from_fd(static_cast<int>(arg)));
        TRY(attach_program(move(program), 0));
        return 0;
    }
    case PERF_EVENT_IOC_PAUSE_OUTPUT: {
        SpinlockGuard guard(m_lock);
        if (!m_ring || !m_ring->data_pages())
            return Error(EINVAL);
        m_ring->set_paused(arg != 0);
        return 0;
    }
    case PERF_EVENT_IOC_QUERY_BPF: {
        // perf_event_query_prog_array(): the programs on this event's tracepoint.
        if (Process::current().credentials().euid != 0)
            return Error(EPERM);
        if (m_attr.type != PERF_TYPE_TRACEPOINT)
            return Error(EINVAL);
        perf_event_query_bpf query;
        TRY(copy_from_user(&query, arg, sizeof(query)));
        if (query.ids_len > bpf_trace_max_programs)
            return Error(E2BIG);
        u32 ids[bpf_trace_max_programs];
        u32 count = tracepoint_program_ids(*m_tracepoint, ids, bpf_trace_max_programs);
        TRY(copy_to_user(arg + offsetof(perf_event_query_bpf, prog_cnt), &count, sizeof(count)));
        // bpf_prog_array_copy_info(): no ids asked for (or none there) is just the count.
        if (!query.ids_len || !count)
            return 0;
        u32 copied = count < query.ids_len ? count : query.ids_len;
        TRY(copy_to_user(arg + offsetof(perf_event_query_bpf, ids), ids, copied * sizeof(u32)));
        if (query.ids_len < count)
            return Error(ENOSPC);
        return 0;
    }
    case PERF_EVENT_IOC_MODIFY_ATTRIBUTES: {
        // perf_event_modify_attr(): only breakpoints can be modified.
        UserAttrSource source;
        source.address = arg;
        auto attr = copy_attr(source);
        if (attr.is_error()) {
            if (attr.error().code() == E2BIG) {
                u32 supported = supported_attr_size;
                (void)copy_to_user(arg + offsetof(perf_event_attr, size), &supported, sizeof(supported));
            }
            return attr.release_error();
        }
        if (attr.value().type != m_attr.type)
            return Error(EINVAL);
        return Error(EOPNOTSUPP);
    }
    default:
        return Error(ENOTTY);
    }
    (void)ioc_flag_group;
}

u32 PerfEvent::poll_status(OpenFileDescription&)
{
    // perf_poll(): EPOLLHUP for an event whose task is gone or that has no buffer, else the
    // pending wake-up (consumed by this call).
    if (m_task && m_task->state() == ProcessState::Zombie)
        return fs::POLLHUP_;
    RefPtr<RingBuffer> ring;
    {
        SpinlockGuard guard(m_lock);
        ring = m_ring;
    }
    if (!ring)
        return fs::POLLHUP_;
    return ring->take_poll();
}

ErrorOr<void> PerfEvent::mmap_opened(OpenFileDescription&, u64 offset, u64 length, bool writable)
{
    // perf_mmap(): the user page at offset 0 plus 2^n data pages; a second mapping must
    // have the same size and shares the buffer.
    if (offset != 0 || length < PAGE_SIZE || length % PAGE_SIZE)
        return Error(EINVAL);
    u64 data_pages = length / PAGE_SIZE - 1;
    if (!is_power_of_two_or_zero(data_pages) || data_pages > (1u << 20))
        return Error(EINVAL);
    {
        SpinlockGuard guard(m_lock);
        if (m_ring) {
            if (m_ring->data_pages() != data_pages)
                return Error(EINVAL);
            // The buffer of another event (PERF_EVENT_IOC_SET_OUTPUT) is mapped through it.
            if (m_ring_redirected)
                return Error(EBUSY);
            m_ring->map_count.fetch_add(1, MemoryOrder::AcqRel);
            ++m_mmap_count;
            return {};
        }
    }
    WakeupPolicy policy;
    policy.watermark_mode = m_attr.watermark;
    if (m_attr.watermark)
        policy.watermark_bytes = m_attr.wakeup_watermark;
    else
        policy.wakeup_events = m_attr.wakeup_events;
    auto ring = TRY(RingBuffer::create(static_cast<u32>(data_pages), writable, policy));
    SpinlockGuard guard(m_lock);
    if (m_ring) {
        // Another mapping won the race; use its buffer.
        if (m_ring->data_pages() != data_pages)
            return Error(EINVAL);
        if (m_ring_redirected)
            return Error(EBUSY);
    } else {
        m_ring = move(ring);
    }
    m_ring->map_count.fetch_add(1, MemoryOrder::AcqRel);
    ++m_mmap_count;
    update_userpage_locked(clock_monotonic_ns());
    return {};
}

ErrorOr<PhysicalAddress> PerfEvent::mmap_page(OpenFileDescription&, u64 offset_in_file, bool)
{
    SpinlockGuard guard(m_lock);
    u64 page = offset_in_file / PAGE_SIZE;
    if (!m_ring || page > m_ring->data_pages())
        return Error(EINVAL);
    return m_ring->page_address(static_cast<u32>(page));
}

void PerfEvent::mmap_closed(OpenFileDescription&, u64, u64, bool)
{
    RefPtr<RingBuffer> ring;
    {
        SpinlockGuard guard(m_lock);
        ring = m_ring;
        if (m_mmap_count)
            --m_mmap_count;
    }
    if (!ring)
        return;
    // perf_mmap_close(): the last mapping of the buffer detaches it from every event.
    if (ring->map_count.fetch_sub(1, MemoryOrder::AcqRel) == 1)
        detach_ring_everywhere(*ring);
}

ErrorOr<void> PerfEvent::set_output(PerfEvent* target)
{
    // perf_event_set_output().
    if (target) {
        if (target == this || target->m_cpu != m_cpu)
            return Error(EINVAL);
        if (target->m_cpu == -1 && target->m_task != m_task)
            return Error(EINVAL);
        if (target->m_attr.use_clockid != m_attr.use_clockid
            || (m_attr.use_clockid && target->m_attr.clockid != m_attr.clockid))
            return Error(EINVAL);
    }
    RefPtr<RingBuffer> ring;
    if (target) {
        SpinlockGuard guard(target->m_lock);
        ring = target->m_ring;
    }
    if (target && (!ring || !ring->map_count.load(MemoryOrder::Acquire)))
        return Error(EINVAL);
    SpinlockGuard guard(m_lock);
    if (m_mmap_count)
        return Error(EINVAL);
    swap(m_ring, ring);
    m_ring_redirected = m_ring.ptr() != nullptr;
    return {};
}

}
