// Dynamic PMUs: perf event types beyond the fixed ones (SOFTWARE, TRACEPOINT), such as the
// kprobe and uprobe PMUs. A PMU registers under a name; it gets a type number (Linux numbers
// dynamic PMUs after PERF_TYPE_MAX; here they start at 6, as on a typical x86 Linux), which is
// published in /sys/bus/event_source/devices/<name>/type together with its `format/` files.
//
// perf_event_open() with attr.type == a PMU's type calls its open(): the PMU creates a probe
// event (a trace::Tracepoint that is not listed in tracefs) from the attr and the event then
// behaves exactly like a PERF_TYPE_TRACEPOINT event on that tracepoint. The perf event holds
// the ProbeEvent reference; dropping the last one removes the probe.
#pragma once

#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/StringView.h"
#include "trace/Tracepoint.h"
#include <linux/perf_event.h>

class Process;

namespace perf {

class ProbeEvent : public RefCounted {
public:
    ~ProbeEvent() override = default;
    virtual trace::Tracepoint& tracepoint() = 0;
};

struct PmuFormatFile {
    char const* name;    // "retprobe"
    char const* content; // "config:0\n"
};

struct DynamicPmu {
    char const* name;  // "kprobe"
    PmuFormatFile const* format_files;
    u32 format_file_count;
    // Validates the attr (config, config1, config2; pointers in it are user pointers) and
    // creates the probe. pid/cpu have been checked by the caller; `task` is the perf event's
    // process (null for pid -1): uprobes fire only in it, as Linux's uprobe_perf_filter.
    ErrorOr<RefPtr<ProbeEvent>> (*open)(perf_event_attr const& attr, Process* task);
};

// Returns the assigned type number; EEXIST for a duplicate name, ENOSPC when full.
ErrorOr<u32> register_pmu(DynamicPmu const& pmu);
DynamicPmu const* find_pmu(u32 type);

}
