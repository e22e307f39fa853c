// BPF_PROG_TYPE_TRACEPOINT: the context is the tracepoint's record (struct trace_entry, 8
// bytes of common fields, then the event's fields). Linux checks reads against the largest
// record (PERF_MAX_TRACE_SIZE) at load time - the first 8 bytes are off limits - and against
// the actual record size when the program is attached (max_ctx_offset); this kernel also
// lets the loader name the tracepoint up front (VerifyRequest::tracepoint_id), see
// TracepointRegistry.h. Runtime layout: the record itself.
#include "bpf/verifier/TracepointRegistry.h"
#include "bpf/verifier/types/DefaultTypes.h"
#include <linux/bpf.h>

namespace bpf::verifier::types {

namespace {

bool tracepoint_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    (void)is_ldsx, (void)access;
    if (off < 8 || off >= static_cast<i32>(max_trace_record_size))
        return false;
    if (type != AccessType::Read)
        return false;
    return off % static_cast<i32>(size) == 0;
}

}

ProgramTypeOps tracepoint_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_TRACEPOINT;
    ops.name = "tracepoint";
    ops.context_size = max_trace_record_size;
    ops.is_valid_access = tracepoint_is_valid_access;
    ops.runtime_context_size = max_trace_record_size;
    return ops;
}

}
