// The records an event writes into its ring, laid out as Linux's perf_output_sample() and
// perf_event_lost() write them. Pure (host-tested): SampleData holds the values, the
// builders fill a RecordFragments that points into the SampleData (keep it alive until
// the record is written).
//
// PERF_RECORD_SAMPLE, in sample_type order: IDENTIFIER, IP, TID (pid, tid), TIME, ADDR, ID,
// STREAM_ID, CPU (cpu, 0), PERIOD, READ (read_format layout), RAW (u32 size, data, zero
// padding so that the u32 plus the data end 8-aligned; the size field counts the padding;
// no raw data gives size 4 and four zero bytes, Linux's perf_raw_null).
// PERF_RECORD_LOST: id, lost, then with sample_id_all the sample_id trailer (TID, TIME, ID,
// STREAM_ID, CPU, IDENTIFIER as selected by sample_type).
#pragma once

#include "perf/PerfRing.h"

namespace perf {

struct ReadValues {
    u64 value { 0 };
    u64 time_enabled { 0 };
    u64 time_running { 0 };
    u64 id { 0 };
    u64 lost { 0 };
};

struct SampleData {
    u16 misc { 0 }; // PERF_RECORD_MISC_KERNEL / _USER
    u64 ip { 0 };
    u32 pid { 0 }, tid { 0 };
    u64 time { 0 };
    u64 addr { 0 };
    u64 id { 0 };
    u64 stream_id { 0 };
    u32 cpu { 0 };
    u64 period { 0 };
    ReadValues read;
    void const* raw { nullptr };
    u32 raw_size { 0 };

    // Filled by the builders (storage the fragments point to).
    perf_event_header header {};
    perf_event_header lost_header {};
    u64 fixed[16] {};
    u32 raw_size_field { 0 };
    u64 trailer[8] {};
};

// Largest raw payload a sample can carry (the record size is a u16).
constexpr u32 max_raw_size = 0xffff - 512;

// Builds a PERF_RECORD_SAMPLE. False when the record would exceed 65535 bytes.
bool build_sample(u64 sample_type, u64 read_format, SampleData& data, RecordFragments& out);
// Builds a PERF_RECORD_LOST for `lost` records; `data` supplies the sample_id fields.
void build_lost(u64 sample_type, bool sample_id_all, u64 id, u64 lost, SampleData& data, RecordFragments& out);
// Fills `out` with the read_format layout of one event; returns the number of u64s.
u32 format_read_values(u64 read_format, ReadValues const& values, u64* out);

}
