// The program types this kernel accepts in BPF_PROG_LOAD (find_prog_type: others give
// EINVAL, as on a kernel built without them), with per type: the context size, the
// BPF_PROG_TEST_RUN implementation (nullptr: ENOTSUPP like Linux for types without one), and
// the helpers the type may call beyond the shared table of kernel/bpf/helpers (Linux's
// get_func_proto: bpf_skb_load_bytes for socket filters, bpf_xdp_adjust_head/tail for XDP).
//
// The tables are immutable after bpf_program_types_initialize() (boot); lookups need no lock.
#pragma once

#include "bpf/helpers/HelperProto.h"
#include "klib/Error.h"

namespace bpf::kernel {

class ProgramObject;

using TestRunFunction = ErrorOr<u64> (*)(ProgramObject& program, union bpf_attr const& attr, u64 user_attr);

struct ProgramTypeInfo {
    u32 type;
    char const* name;
    u32 context_size; // bytes r1 points at (the UAPI view)
    TestRunFunction test_run;
};

// The descriptor of a supported program type, or nullptr.
ProgramTypeInfo const* program_type_info(u32 type);

// The prototype of helper `id` for a program of `type` (type-specific helpers first, then the
// shared table), or nullptr. What the verifier should check calls against.
HelperProto const* program_helper_proto(u32 type, u32 id);
// The dense helper table (indexed by id) programs of `type` run with; its size is
// helper_table_size().
HelperFunction const* program_helper_table(u32 type);

// Builds the per-type helper tables. Called once from bpf_subsystem_initialize().
void bpf_program_types_initialize();

}
