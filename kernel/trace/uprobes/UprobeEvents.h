// The two ways to create uprobe events, as on Linux:
//  - <tracefs>/uprobe_events: text commands (UprobeEventsParser.h) create listed events in
//    events/<group>/<event>/ (default group "uprobes"), "-:[GRP/]EVENT" removes one (ENOENT if
//    unknown, EBUSY while a perf event listens), "-:GRP/" a whole group, opening with O_TRUNC
//    removes all (EBUSY if any is in use, then none is removed; the table and the line
//    handling are trace::DynamicEvents, shared with kprobe_events). PATH must exist (ENOENT) and
//    be a regular file (EINVAL); the probe is registered at creation (Linux registers it when
//    the event is first enabled, so an offset beyond the file is EINVAL here at creation).
//  - the "uprobe" PMU (perf_event_open with attr.type = /sys/bus/event_source/devices/uprobe/type):
//    config bit 0 = retprobe ("config:0"), bits 32-63 = ref_ctr_offset ("config:32-63";
//    odd: EINVAL, other non-zero: EOPNOTSUPP, counters are not supported), bits 1-31 ignored
//    (as Linux); config1 = user pointer to the path (0 or "": EINVAL, unreadable: EFAULT,
//    longer than PATH_MAX: E2BIG; resolved from the caller's cwd, following symlinks);
//    config2 = file offset (beyond the file: EINVAL). The event is hidden, fires only in the
//    perf event's process if it has one, and lives as long as the perf event holds it.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace uprobes {

ErrorOr<void> uprobe_events_write(StringView text);
ErrorOr<void> uprobe_events_show(StringBuilder&);
ErrorOr<void> uprobe_events_truncate();

// Installs the tracefs handlers and registers the uprobe PMU (once, at boot, before tracefs
// is created).
ErrorOr<void> uprobe_events_initialize();

}
