// BPF_PROG_TYPE_RAW_TRACEPOINT: the context is the tracepoint's arguments as an array of
// u64 (at most MAX_BPF_FUNC_ARGS = 12); read-only, aligned reads (Linux's
// bpf_tracing_ctx_access). The number of arguments of a particular tracepoint is checked at
// attach time against max_ctx_offset. Runtime layout: the u64 array.
#include "bpf/verifier/types/DefaultTypes.h"
#include <linux/bpf.h>

namespace bpf::verifier::types {

namespace {

constexpr i32 max_args = 12;

bool raw_tracepoint_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    (void)is_ldsx, (void)access;
    if (off < 0 || off >= max_args * 8)
        return false;
    if (type != AccessType::Read)
        return false;
    return off % static_cast<i32>(size) == 0;
}

}

ProgramTypeOps raw_tracepoint_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_RAW_TRACEPOINT;
    ops.name = "raw_tracepoint";
    ops.context_size = max_args * 8;
    ops.is_valid_access = raw_tracepoint_is_valid_access;
    ops.runtime_context_size = max_args * 8;
    return ops;
}

}
