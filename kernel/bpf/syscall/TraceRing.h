// The bpf_trace_printk() output ring: a bounded in-kernel buffer of records (timestamp, pid,
// CPU, comm, message) that the helpers append to from any context and that trace_pipe
// consumes. When the ring is full the oldest records are dropped (and counted), like Linux's
// overwriting trace buffer. A reader pops records one at a time; format_trace_record() renders
// one as Linux's trace_pipe line:
//     "<comm>-<pid> [<cpu>] d..3. <sec>.<usec>: bpf_trace_printk: <message>\n"
//
// Locking: one spinlock (interrupts masked); appending never allocates or blocks. The notify
// hook (for a blocking reader's wait queue) is called after each append, outside the lock.
#pragma once

#include "klib/Types.h"

namespace bpf::kernel {

struct TraceRecord {
    u64 timestamp_ns { 0 }; // CLOCK_MONOTONIC
    i32 pid { 0 };
    u32 cpu { 0 };
    char comm[16] {};
    u16 length { 0 };
    char event[32] {}; // "bpf_trace_printk" or the tracepoint's name (enabled tracefs events)
    char text[256] {}; // not NUL-terminated; `length` bytes
};

// Appends a bpf_trace_printk line (dropped while tracing_on is 0).
void trace_ring_append(char const* text, u32 length);
// Appends a line of an enabled tracefs event.
void trace_ring_append_event(char const* event, char const* text, u32 length);
// tracefs `tracing_on`.
void trace_ring_set_recording(bool on);
bool trace_ring_is_recording();
// Empties the ring (opening tracefs `trace` with O_TRUNC).
void trace_ring_clear();
// Non-consuming read for tracefs `trace`: copies the index-th oldest record; false past the end.
bool trace_ring_peek(u32 index, TraceRecord& out);
// Records appended since boot (tracefs `trace` header's entries-written).
u64 trace_ring_written();
u32 trace_ring_count();
// Removes the oldest record into `out`; false when the ring is empty.
bool trace_ring_pop(TraceRecord& out);
bool trace_ring_is_empty();
// Records dropped because the ring was full.
u64 trace_ring_dropped();
// Renders a record as a trace_pipe line (NUL-terminated, truncated to `size`). Returns the
// length of the line.
usize format_trace_record(TraceRecord const& record, char* buffer, usize size);
void set_trace_ring_notify(void (*notify)());

}
