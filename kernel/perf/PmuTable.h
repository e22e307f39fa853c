// Limits and indexed access for the dynamic PMU registry (PmuRegistry.cpp), shared with the
// sysfs files that describe the PMUs (PerfSysfs.cpp).
#pragma once

#include "perf/Pmu.h"

namespace perf {

constexpr u32 first_dynamic_pmu_type = 6;
constexpr u32 max_dynamic_pmus = 8;
constexpr u32 max_pmu_format_files = 8;

// The PMU registered index-th (type first_dynamic_pmu_type + index), or null.
DynamicPmu const* pmu_at(u32 index);

}
