// PerfRing: the writer side of a perf ring buffer, Linux's struct perf_buffer without the
// memory management. Pure (host-tested): it works on a struct perf_event_mmap_page and a
// data area of 2^n bytes that the caller owns.
//
// Protocol (Linux's): data_head and data_tail are free-running byte counters; the record
// at position p starts at data[p & (size - 1)] and may wrap. The kernel writes a complete
// record, then publishes data_head with a release store; user space consumes up to
// data_head and publishes data_tail (read here with acquire). Unread data is never
// overwritten: a record that does not fit (CIRC_SPACE, so one byte always stays free) is
// dropped and counted; before the next record that fits, the caller's PERF_RECORD_LOST
// record is written first (both must fit). A ring mapped without PROT_WRITE cannot move
// data_tail, so it is written in overwrite mode (data_tail ignored), as Linux does.
//
// Wake-ups (perf_output_wakeup): when head has moved more than `watermark` bytes past the
// last watermark wake-up, and, unless the event uses wakeup_watermark, every
// `wakeup_events` samples. The owner turns a wake-up into POLLIN readiness.
//
// Not thread-safe: the owner serialises writers (the event's lock).
#pragma once

#include "klib/Types.h"
#include <linux/perf_event.h>

namespace perf {

// A record assembled from pieces: header, fixed fields, raw data, zero padding.
struct RecordFragments {
    static constexpr u32 max_fragments = 24;
    struct Fragment {
        void const* data; // null: `size` zero bytes
        u32 size;
    };
    Fragment parts[max_fragments];
    u32 count { 0 };
    u32 size { 0 };

    void add(void const* data, u32 bytes)
    {
        if (count < max_fragments && bytes) {
            parts[count++] = { data, bytes };
            size += bytes;
        }
    }
    void add_zeros(u32 bytes) { add(nullptr, bytes); }
};

struct WakeupPolicy {
    u32 wakeup_events { 0 };    // 0: only the watermark wakes
    u32 watermark_bytes { 0 };  // 0: half the data area
    bool watermark_mode { false }; // attr.watermark: wakeup_events is not used
};

class PerfRing {
public:
    // `data_size` must be a power of two (or 0 for a header-only mapping, which takes no
    // records). Initialises the header page (version, data_offset/size, capabilities...).
    PerfRing(perf_event_mmap_page& page, u8* data, u64 data_size, bool overwrite, WakeupPolicy policy);

    perf_event_mmap_page& page() const { return m_page; }
    u64 data_size() const { return m_data_size; }
    bool overwrite() const { return m_overwrite; }

    // Records dropped since the last LOST record went out.
    u64 pending_lost() const { return m_pending_lost; }
    // PERF_EVENT_IOC_PAUSE_OUTPUT: while paused every record is dropped and counted.
    void set_paused(bool paused) { m_paused = paused; }
    bool paused() const { return m_paused; }

    enum class Result {
        Written,        // and no wake-up due
        WrittenWakeup,  // a wake-up is due
        Lost,           // dropped (full, paused or no data area)
    };
    // Appends `record` (size a multiple of 8, at most 65535), preceded by `lost` when records
    // were lost before (build it from pending_lost(); null when pending_lost() is 0).
    // `is_sample` counts towards wakeup_events.
    Result write(RecordFragments const& record, RecordFragments const* lost, bool is_sample);

    // Bytes free for the producer (CIRC_SPACE).
    u64 space() const;
    u64 head() const { return m_head; }

private:
    void copy_in(u64 position, RecordFragments const& record);
    u64 read_tail() const;

    perf_event_mmap_page& m_page;
    u8* m_data;
    u64 m_data_size;
    bool m_overwrite;
    bool m_paused { false };
    WakeupPolicy m_policy;
    u64 m_watermark;
    u64 m_head { 0 };
    u64 m_wakeup_mark { 0 };
    u32 m_events_since_wakeup { 0 };
    u64 m_pending_lost { 0 };
};

}
