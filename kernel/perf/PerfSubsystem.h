// The perf subsystem's boot entry point and the pieces it wires into other subsystems.
#pragma once

#include "klib/Error.h"

// Plugs perf events into the bpf() layer (PERF_EVENT_ARRAY fd lookup, perf links) and
// publishes /sys/bus/event_source/devices/{software,tracepoint,<dynamic PMUs>}. Call once
// after sysfs exists and before the first user process.
void perf_subsystem_initialize();

namespace perf {

void install_perf_event_lookup();  // PerfEventSource.cpp
void install_perf_link_attach();   // PerfLink.cpp
// PerfSysfs.cpp: the fixed PMUs, then every dynamic PMU registered so far; later
// registrations publish themselves.
ErrorOr<void> publish_fixed_pmus();
ErrorOr<void> publish_dynamic_pmu(u32 index);
void publish_pending_dynamic_pmus();

}
