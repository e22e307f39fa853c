// bpf::PerfEventSource: what a PERF_EVENT_ARRAY slot refers to. The perf subsystem
// implements it for its events; tests implement fakes. Reference counted: a slot holds a
// reference for as long as the event is stored.
//
// All methods may be called from program context (any context a BPF program runs in) and
// must not block or allocate.
#pragma once

#include "klib/RefPtr.h"
#include "klib/Types.h"

namespace bpf {

class PerfEventSource : public RefCounted {
public:
    ~PerfEventSource() override = default;

    // True for a PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT event (the only kind
    // bpf_perf_event_output may write to; others give -EINVAL).
    virtual bool is_bpf_output() const = 0;
    // The CPU the event is active on, or -1 when it is not scheduled in.
    virtual i32 active_cpu() const = 0;
    // Appends a PERF_RECORD_SAMPLE carrying `size` bytes of raw data (PERF_SAMPLE_RAW) to the
    // event's ring buffer. `regs` is the program context's register set (0 if none).
    // Returns 0, or -ENOSPC when the ring is full (Linux counts it as lost).
    virtual i64 output(u64 regs, void const* data, u64 size) = 0;
    // perf_event_read_local(): the counter value, enabled and running times. 0 or -errno
    // (-EOPNOTSUPP when the event cannot be read locally, -EINVAL for another CPU's event).
    virtual i64 read_local(u64* value, u64* enabled, u64* running) = 0;
    // The id bpf(BPF_MAP_LOOKUP_ELEM) would need; Linux has no syscall-side lookup for
    // perf event arrays, so this is only for diagnostics.
    virtual u64 identity() const { return reinterpret_cast<u64>(this); }
};

}
