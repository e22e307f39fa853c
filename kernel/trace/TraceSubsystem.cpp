// trace_subsystem_initialize(): registers the static tracepoints (raw_syscalls and syscalls
// first, as Linux lists them, then sched, task, irq, timer, signal), installs raw
// tracepoint attachment into the bpf() layer, installs uprobe_events and the uprobe PMU,
// and mounts tracefs on /sys/kernel/tracing.
// Called once at boot after the bpf() subsystem.
#include "console/Console.h"
#include "trace/events/Events.h"
#include "trace/events/SyscallEvents.h"
#include "trace/tracefs/TraceFS.h"
#include "trace/uprobes/UprobeEvents.h"

namespace trace {
void raw_tracepoints_initialize();
}

void trace_subsystem_initialize()
{
    auto initialized = []() -> ErrorOr<void> {
        TRY(trace::syscall_events_initialize());
        TRY(trace::static_events_initialize());
        trace::raw_tracepoints_initialize();
        TRY(uprobes::uprobe_events_initialize());
        TRY(trace::tracefs_initialize());
        return {};
    }();
    if (initialized.is_error())
        kprintf("trace: initialization failed (errno %d)\n", initialized.error().code());
}
