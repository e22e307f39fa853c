// The two ways to create kprobe events, as on Linux:
//  - <tracefs>/kprobe_events: text commands (KprobeEventsParser.h) create listed events in
//    events/<group>/<event>/ (default group "kprobes"), "-:[GRP/]EVENT" removes the matching
//    events (ENOENT if none, EBUSY while a perf event listens), opening with O_TRUNC removes
//    all (EBUSY if any is in use, then none is removed). The table and the line handling are
//    trace::DynamicEvents (shared with uprobe_events).
//  - the "kprobe" PMU (perf_event_open with attr.type = /sys/bus/event_source/devices/kprobe/type):
//    config bit 0 = retprobe ("config:0" in format/retprobe), config1 = user pointer to the
//    function name (or 0 with config2 = the address), config2 = offset. The event is hidden and
//    lives as long as the perf event holds it.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace kprobes {

ErrorOr<void> kprobe_events_write(StringView text);
ErrorOr<void> kprobe_events_show(StringBuilder&);
ErrorOr<void> kprobe_events_truncate();

// Installs the tracefs handlers and registers the kprobe PMU (done once at boot).
ErrorOr<void> kprobe_events_initialize();

}
