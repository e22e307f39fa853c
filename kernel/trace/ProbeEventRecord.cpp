// Probe event records (see ProbeEventRecord.h).
#include "trace/ProbeEventRecord.h"

namespace trace {

namespace {

constexpr TracepointField entry_probe_fields[] = {
    { "unsigned long", "__probe_ip", 8, 8, false },
};
constexpr TracepointField return_probe_fields[] = {
    { "unsigned long", "__probe_func", 8, 8, false },
    { "unsigned long", "__probe_ret_ip", 16, 8, false },
};

u32 fill_probe_record(TracepointDefinition const& definition, u64 const* args, u8* record)
{
    for (u32 i = 0; i < definition.arg_count; ++i)
        __builtin_memcpy(record + 8 + 8 * i, &args[i], 8);
    return definition.record_size;
}

}

TracepointDefinition probe_event_definition(char const* group, char const* event, bool is_return, bool listed)
{
    return TracepointDefinition {
        group,
        event,
        is_return ? return_probe_fields : entry_probe_fields,
        is_return ? 2u : 1u,
        is_return ? 24u : 16u,
        is_return ? 2u : 1u,
        is_return ? "\"(%lx <- %lx)\", REC->__probe_func, REC->__probe_ret_ip" : "\"(%lx)\", REC->__probe_ip",
        fill_probe_record,
        tracepoint_flag_probe | tracepoint_flag_no_raw | (listed ? 0u : tracepoint_flag_hidden),
    };
}

}
