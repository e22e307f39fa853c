// Dynamic PMU registry (see Pmu.h). Types are handed out from 6 up in registration order;
// a registration is permanent. The table is written under s_lock and read without it: a
// slot is filled before the count that makes it visible is published.
#include "klib/CString.h"
#include "klib/Spinlock.h"
#include "perf/PerfSubsystem.h"
#include "perf/Pmu.h"
#include "perf/PmuTable.h"

namespace perf {

namespace {
constinit Spinlock s_lock;
DynamicPmu const* s_pmus[max_dynamic_pmus];
Atomic<u32> s_count { 0 };
Atomic<bool> s_sysfs_ready { false };
}

ErrorOr<u32> register_pmu(DynamicPmu const& pmu)
{
    if (!pmu.name || !*pmu.name || pmu.format_file_count > max_pmu_format_files || !pmu.open)
        return Error(EINVAL);
    u32 index;
    {
        SpinlockGuard guard(s_lock);
        u32 count = s_count.load(MemoryOrder::Relaxed);
        for (u32 i = 0; i < count; ++i)
            if (StringView(s_pmus[i]->name) == StringView(pmu.name))
                return Error(EEXIST);
        if (StringView(pmu.name) == "software" || StringView(pmu.name) == "tracepoint")
            return Error(EEXIST);
        if (count == max_dynamic_pmus)
            return Error(ENOSPC);
        s_pmus[count] = &pmu;
        index = count;
        s_count.store(count + 1, MemoryOrder::Release);
    }
    if (s_sysfs_ready.load(MemoryOrder::Acquire))
        TRY(publish_dynamic_pmu(index));
    return first_dynamic_pmu_type + index;
}

DynamicPmu const* find_pmu(u32 type)
{
    if (type < first_dynamic_pmu_type)
        return nullptr;
    u32 index = type - first_dynamic_pmu_type;
    if (index >= s_count.load(MemoryOrder::Acquire))
        return nullptr;
    return s_pmus[index];
}

DynamicPmu const* pmu_at(u32 index)
{
    return index < s_count.load(MemoryOrder::Acquire) ? s_pmus[index] : nullptr;
}

void publish_pending_dynamic_pmus()
{
    s_sysfs_ready.store(true, MemoryOrder::Release);
    u32 count = s_count.load(MemoryOrder::Acquire);
    for (u32 i = 0; i < count; ++i)
        (void)publish_dynamic_pmu(i);
}

}
