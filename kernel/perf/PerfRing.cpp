// The perf ring writer (see PerfRing.h); ported from Linux's kernel/events/ring_buffer.c.
#include "perf/PerfRing.h"
#include "klib/CString.h"

namespace perf {

PerfRing::PerfRing(perf_event_mmap_page& page, u8* data, u64 data_size, bool overwrite, WakeupPolicy policy)
    : m_page(page)
    , m_data(data)
    , m_data_size(data_size)
    , m_overwrite(overwrite)
    , m_policy(policy)
{
    // ring_buffer_init(): the watermark is the asked-for one capped at the data size, else
    // half of it.
    m_watermark = policy.watermark_mode && policy.watermark_bytes ? policy.watermark_bytes : 0;
    if (m_watermark > data_size)
        m_watermark = data_size;
    if (!m_watermark)
        m_watermark = data_size / 2;
    // perf_event_init_userpage().
    m_page.version = 0;
    m_page.compat_version = 0;
    m_page.cap_bit0_is_deprecated = 1;
    m_page.size = offsetof(perf_event_mmap_page, __reserved);
    m_page.data_offset = data_size ? 4096 : 0;
    m_page.data_size = data_size;
    __atomic_store_n(&m_page.data_head, 0, __ATOMIC_RELEASE);
}

u64 PerfRing::read_tail() const { return __atomic_load_n(&m_page.data_tail, __ATOMIC_ACQUIRE); }

u64 PerfRing::space() const
{
    if (!m_data_size)
        return 0;
    if (m_overwrite)
        return m_data_size;
    // CIRC_SPACE(head, tail, size)
    return (read_tail() - (m_head + 1)) & (m_data_size - 1);
}

void PerfRing::copy_in(u64 position, RecordFragments const& record)
{
    u64 mask = m_data_size - 1;
    for (u32 i = 0; i < record.count; ++i) {
        auto const& part = record.parts[i];
        u8 const* bytes = static_cast<u8 const*>(part.data);
        u32 done = 0;
        while (done < part.size) {
            u64 offset = (position + done) & mask;
            u64 chunk = m_data_size - offset;
            if (chunk > part.size - done)
                chunk = part.size - done;
            if (bytes)
                memcpy(m_data + offset, bytes + done, chunk);
            else
                memset(m_data + offset, 0, chunk);
            done += static_cast<u32>(chunk);
        }
        position += part.size;
    }
}

PerfRing::Result PerfRing::write(RecordFragments const& record, RecordFragments const* lost, bool is_sample)
{
    if (m_paused || !m_data_size) {
        ++m_pending_lost;
        return Result::Lost;
    }
    u64 needed = record.size + (lost && m_pending_lost ? lost->size : 0);
    if (needed > space() || needed > m_data_size) {
        ++m_pending_lost;
        return Result::Lost;
    }
    u64 position = m_head;
    if (lost && m_pending_lost) {
        copy_in(position, *lost);
        position += lost->size;
        m_pending_lost = 0;
    }
    copy_in(position, record);
    position += record.size;
    m_head = position;
    // The record is complete before user space can see the new head.
    __atomic_store_n(&m_page.data_head, m_head, __ATOMIC_RELEASE);

    bool wakeup = false;
    if (m_head - m_wakeup_mark > m_watermark) {
        m_wakeup_mark += m_watermark;
        wakeup = true;
    }
    if (is_sample && !m_policy.watermark_mode && m_policy.wakeup_events) {
        if (++m_events_since_wakeup >= m_policy.wakeup_events) {
            m_events_since_wakeup -= m_policy.wakeup_events;
            wakeup = true;
        }
    }
    return wakeup ? Result::WrittenWakeup : Result::Written;
}

}
