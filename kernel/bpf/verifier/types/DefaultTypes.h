// The verifier's default descriptions of the six program types it knows before their owning
// subsystems exist (see ProgramType.h). Each lives in its own file with Linux's rules for
// that context.
#pragma once

#include "bpf/verifier/ProgramType.h"

namespace bpf::verifier::types {

ProgramTypeOps socket_filter_ops();
ProgramTypeOps xdp_ops();
ProgramTypeOps kprobe_ops();
ProgramTypeOps tracepoint_ops();
ProgramTypeOps raw_tracepoint_ops();
ProgramTypeOps perf_event_ops();

// Linux's bpf_ctx_narrow_access_ok(): a power-of-two read no wider than the field.
inline bool narrow_access_ok(u32 size, u32 field_size) { return size <= field_size && (size & (size - 1)) == 0; }

}
