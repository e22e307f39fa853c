// events/<system>/<name>/enable: while an event is enabled, each hit appends a line to the
// trace ring (read through tracefs `trace` and `trace_pipe`), as Linux's ftrace does. One
// listener per enabled tracepoint; the table is indexed by tracepoint id.
#pragma once

#include "trace/Tracepoint.h"

namespace trace {

ErrorOr<void> set_event_enabled(Tracepoint& tracepoint, bool enabled);
bool event_enabled(Tracepoint const& tracepoint);

}
