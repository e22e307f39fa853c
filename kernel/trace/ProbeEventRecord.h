// The tracepoint record of a kprobe/uprobe event, as Linux's trace_kprobe.c and
// trace_uprobe.c define it (no fetch arguments): the 8-byte common header, then
// `unsigned long __probe_ip` for an entry probe, or `unsigned long __probe_func` and
// `unsigned long __probe_ret_ip` for a return probe; the print formats are Linux's. The raw
// arguments of fire() are those fields in order. The record filler runs on the kprobe
// breakpoint path after the CPU's probe state is set (nested probes count as missed there).
#pragma once

#include "trace/Tracepoint.h"

namespace trace {

// The definition of events/<group>/<event>; group and event must outlive it. `listed`:
// registered in tracefs (kprobe_events, uprobe_events) rather than hidden (PMU-created).
TracepointDefinition probe_event_definition(char const* group, char const* event, bool is_return, bool listed);

}
