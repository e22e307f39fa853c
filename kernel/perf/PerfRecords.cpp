// Record layouts (see PerfRecords.h), after Linux's perf_prepare_sample/perf_output_sample.
#include "perf/PerfRecords.h"

namespace perf {

u32 format_read_values(u64 read_format, ReadValues const& values, u64* out)
{
    u32 n = 0;
    if (read_format & PERF_FORMAT_GROUP) {
        out[n++] = 1; // nr: every event is the only member of its group
        if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
            out[n++] = values.time_enabled;
        if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
            out[n++] = values.time_running;
        out[n++] = values.value;
    } else {
        out[n++] = values.value;
        if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
            out[n++] = values.time_enabled;
        if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
            out[n++] = values.time_running;
    }
    if (read_format & PERF_FORMAT_ID)
        out[n++] = values.id;
    if (read_format & PERF_FORMAT_LOST)
        out[n++] = values.lost;
    return n;
}

bool build_sample(u64 sample_type, u64 read_format, SampleData& data, RecordFragments& out)
{
    out = {};
    u32 n = 0;
    u64* fixed = data.fixed;
    if (sample_type & PERF_SAMPLE_IDENTIFIER)
        fixed[n++] = data.id;
    if (sample_type & PERF_SAMPLE_IP)
        fixed[n++] = data.ip;
    if (sample_type & PERF_SAMPLE_TID)
        fixed[n++] = static_cast<u64>(data.pid) | static_cast<u64>(data.tid) << 32;
    if (sample_type & PERF_SAMPLE_TIME)
        fixed[n++] = data.time;
    if (sample_type & PERF_SAMPLE_ADDR)
        fixed[n++] = data.addr;
    if (sample_type & PERF_SAMPLE_ID)
        fixed[n++] = data.id;
    if (sample_type & PERF_SAMPLE_STREAM_ID)
        fixed[n++] = data.stream_id;
    if (sample_type & PERF_SAMPLE_CPU)
        fixed[n++] = data.cpu;
    if (sample_type & PERF_SAMPLE_PERIOD)
        fixed[n++] = data.period;
    if (sample_type & PERF_SAMPLE_READ)
        n += format_read_values(read_format, data.read, fixed + n);

    u32 raw_total = 0;
    u32 padding = 0;
    if (sample_type & PERF_SAMPLE_RAW) {
        if (data.raw_size > max_raw_size)
            return false;
        u32 with_size = (data.raw_size + 4 + 7) & ~7u;
        data.raw_size_field = with_size - 4;
        padding = data.raw_size_field - data.raw_size;
        raw_total = with_size;
    }
    u32 total = sizeof(perf_event_header) + n * 8 + raw_total;
    if (total > 0xffff)
        return false;
    data.header.type = PERF_RECORD_SAMPLE;
    data.header.misc = data.misc;
    data.header.size = static_cast<u16>(total);
    out.add(&data.header, sizeof(data.header));
    out.add(fixed, n * 8);
    if (sample_type & PERF_SAMPLE_RAW) {
        out.add(&data.raw_size_field, 4);
        out.add(data.raw, data.raw_size);
        out.add_zeros(padding);
    }
    return true;
}

void build_lost(u64 sample_type, bool sample_id_all, u64 id, u64 lost, SampleData& data, RecordFragments& out)
{
    out = {};
    u32 n = 0;
    u64* trailer = data.trailer;
    trailer[n++] = id;
    trailer[n++] = lost;
    if (sample_id_all) {
        // __perf_event__output_id_sample()
        if (sample_type & PERF_SAMPLE_TID)
            trailer[n++] = static_cast<u64>(data.pid) | static_cast<u64>(data.tid) << 32;
        if (sample_type & PERF_SAMPLE_TIME)
            trailer[n++] = data.time;
        if (sample_type & PERF_SAMPLE_ID)
            trailer[n++] = data.id;
        if (sample_type & PERF_SAMPLE_STREAM_ID)
            trailer[n++] = data.stream_id;
        if (sample_type & PERF_SAMPLE_CPU)
            trailer[n++] = data.cpu;
        if (sample_type & PERF_SAMPLE_IDENTIFIER)
            trailer[n++] = data.id;
    }
    data.lost_header.type = PERF_RECORD_LOST;
    data.lost_header.misc = 0;
    data.lost_header.size = static_cast<u16>(sizeof(perf_event_header) + n * 8);
    out.add(&data.lost_header, sizeof(data.lost_header));
    out.add(trailer, n * 8);
}

}
