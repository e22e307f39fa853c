// Renders a tracepoint record as the text of a trace line for tracefs `trace`/`trace_pipe`
// when an event is enabled through events/<system>/<name>/enable. Linux evaluates the
// event's print fmt; this kernel prints each field as name=value (integers in decimal,
// pointers and unsigned long in hex, char arrays and __data_loc strings as text), and
// syscall events as Linux's syscall tracer does: "sys_openat(dfd: ffffff9c, ...)" and
// "sys_openat -> 0x3".
#pragma once

#include "trace/Tracepoint.h"

namespace trace {

// Returns the text length (NUL-terminated, truncated to `size`).
usize render_event_text(Tracepoint const& tracepoint, u8 const* record, u32 record_size, char* buffer, usize size);

}
