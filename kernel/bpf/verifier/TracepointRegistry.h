// Tracepoint record sizes for BPF_PROG_TYPE_TRACEPOINT programs. The tracing subsystem
// registers each tracepoint (id, name, size of its record including the 8-byte common
// header) as it creates them; the verifier uses a registration when the loader names the
// tracepoint (VerifyRequest::tracepoint_id), and the attach path calls
// check_tracepoint_attach() with the program's max_ctx_offset, as Linux's
// perf_event_set_bpf_prog() does (EACCES when the program reads past the record).
#pragma once

#include "klib/Error.h"
#include "klib/StringView.h"

namespace bpf::verifier {

constexpr u32 max_trace_record_size = 8192; // PERF_MAX_TRACE_SIZE
constexpr u32 max_tracepoints = 1024;

struct TracepointInfo {
    u32 id;
    u32 record_size;
    char name[64];
};

// EINVAL for id 0, an empty name or a size outside [8, 8192]; ENOSPC when the table is full.
// Registering an id again replaces its entry.
ErrorOr<void> register_tracepoint(u32 id, StringView name, u32 record_size);
// Copies of the registration, false when unknown.
bool find_tracepoint(u32 id, TracepointInfo& out);
bool find_tracepoint(StringView name, TracepointInfo& out);
ErrorOr<void> check_tracepoint_attach(u32 max_ctx_offset, u32 tracepoint_id);

}
