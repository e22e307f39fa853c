// /sys/bus/event_source/devices: one directory per PMU with its `type` number (software 1,
// tracepoint 2, dynamic PMUs from 6) and, for dynamic PMUs, the `format/` files that say
// which attr bits carry what ("config:0" for kprobe's retprobe bit). Sysfs generators take
// no argument, so each (PMU slot, format file) pair has its own instantiated generator.
#include "fs/proc/ProcFS.h"
#include "klib/Format.h"
#include "perf/PerfSubsystem.h"
#include "perf/PmuTable.h"
#include <utility>

namespace perf {

namespace {

constexpr char devices[] = "bus/event_source/devices/";

ErrorOr<void> generate_software_type(StringBuilder& builder) { return builder.try_appendf("%u\n", PERF_TYPE_SOFTWARE); }
ErrorOr<void> generate_tracepoint_type(StringBuilder& builder) { return builder.try_appendf("%u\n", PERF_TYPE_TRACEPOINT); }

template<u32 Index>
ErrorOr<void> generate_dynamic_type(StringBuilder& builder)
{
    return builder.try_appendf("%u\n", first_dynamic_pmu_type + Index);
}

template<u32 Index, u32 File>
ErrorOr<void> generate_format(StringBuilder& builder)
{
    auto const* pmu = pmu_at(Index);
    if (!pmu || File >= pmu->format_file_count)
        return Error(ENOENT);
    return builder.try_append(StringView(pmu->format_files[File].content));
}

struct FormatRow {
    PseudoGenerator files[max_pmu_format_files];
};

struct PmuTables {
    PseudoGenerator types[max_dynamic_pmus];
    FormatRow formats[max_dynamic_pmus];
};

template<u32 Index, usize... Files>
constexpr FormatRow format_row(std::index_sequence<Files...>)
{
    return FormatRow { { &generate_format<Index, Files>... } };
}

template<usize... Indices>
constexpr PmuTables make_tables(std::index_sequence<Indices...>)
{
    return PmuTables { { &generate_dynamic_type<Indices>... }, { format_row<Indices>(std::make_index_sequence<max_pmu_format_files>())... } };
}

constexpr auto s_tables = make_tables(std::make_index_sequence<max_dynamic_pmus>());

ErrorOr<void> register_file(StringView pmu, StringView name, PseudoGenerator generator)
{
    StringBuilder path;
    TRY(path.try_append(devices));
    TRY(path.try_append(pmu));
    TRY(path.try_append("/"));
    TRY(path.try_append(name));
    return sysfs_register_file(path.view(), generator, nullptr, 0444);
}

}

ErrorOr<void> publish_fixed_pmus()
{
    TRY(register_file("software", "type", generate_software_type));
    TRY(register_file("tracepoint", "type", generate_tracepoint_type));
    return {};
}

ErrorOr<void> publish_dynamic_pmu(u32 index)
{
    auto const* pmu = pmu_at(index);
    if (!pmu || index >= max_dynamic_pmus)
        return Error(EINVAL);
    TRY(register_file(pmu->name, "type", s_tables.types[index]));
    for (u32 i = 0; i < pmu->format_file_count && i < max_pmu_format_files; ++i) {
        StringBuilder name;
        TRY(name.try_append("format/"));
        TRY(name.try_append(StringView(pmu->format_files[i].name)));
        TRY(register_file(pmu->name, name.view(), s_tables.formats[index].files[i]));
    }
    return {};
}

}
