// tracefs, mounted at /sys/kernel/tracing (Linux's TRACEFS_MAGIC): available_events,
// events/<system>/<name>/{id,format,enable}, trace (non-consuming, O_TRUNC clears),
// trace_pipe (consuming, blocking), tracing_on, and kprobe_events/uprobe_events whose
// parsers belong to the probe code (kernel/trace/kprobes). /sys/kernel/debug/tracing is not
// created: libbpf would use it exclusively if it existed.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace trace {

ErrorOr<void> tracefs_initialize();

// Handlers of a dynamic-event control file (kprobe_events, uprobe_events), installed by the
// probe code. Until installed, reads are empty and writes give ENODEV.
struct DynamicEventsFile {
    ErrorOr<void> (*show)(StringBuilder&);
    ErrorOr<void> (*write)(StringView text);
    ErrorOr<void> (*truncate)(); // opening with O_TRUNC removes all unused events
};
void set_kprobe_events_file(DynamicEventsFile const& handlers);
void set_uprobe_events_file(DynamicEventsFile const& handlers);

}
