// perf_subsystem_initialize() (see PerfSubsystem.h).
#include "perf/PerfSubsystem.h"
#include "console/Console.h"

void perf_subsystem_initialize()
{
    perf::install_perf_event_lookup();
    perf::install_perf_link_attach();
    if (auto published = perf::publish_fixed_pmus(); published.is_error())
        kprintf("perf: cannot publish the PMUs in sysfs (errno %d)\n", published.error().code());
    perf::publish_pending_dynamic_pmus();
}
