// tracefs events/: one directory per system (events/<system>/) and per event
// (events/<system>/<name>/ with id, format and enable), listed from the tracepoint registry
// at lookup time, so dynamic events (kprobe_events) appear and disappear with their
// registration. Hidden tracepoints (PMU-created probes) are not listed.
#pragma once

#include "fs/pseudo/PseudoFS.h"

namespace trace {

ErrorOr<RefPtr<Inode>> create_events_directory(PseudoFS& fs);
// The tracefs `format` text of an event (Linux's syntax).
ErrorOr<void> generate_event_format(class Tracepoint const& tracepoint, StringBuilder& out);

}
