// The BPF verifier's public interface: decide whether a program may run, and produce the
// instruction stream the kernel runs ("xlated": context accesses converted, map references
// resolved to map addresses, dead code neutralised).
//
//   VerifierLog log(attr.log_level, attr.log_size, attr.log_buf != 0);
//   TRY(VerifierLog::validate_attributes(...));             // EINVAL before anything else
//   auto verified = verify(request, log);                   // errno like Linux on rejection
//   copy log.contents() to attr.log_buf, log.true_size() to attr.log_true_size;
//   auto program = TRY(link_verified_program(verified.value(), environment));
//
// Errors: EINVAL for malformed or unsafe programs in general, EACCES for access violations,
// E2BIG for programs too large or too complex, EBADF for map fds that name no map, ENOSPC
// when the log did not fit (the program was otherwise fine), ENOMEM.
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/isa/Environment.h"
#include "bpf/isa/Program.h"
#include "bpf/maps/Map.h"
#include "bpf/verifier/VerifierLog.h"
#include "klib/RefPtr.h"
#include "klib/Span.h"
#include "klib/Vector.h"

namespace bpf::verifier {

constexpr u32 max_processed_insns = 1000000; // BPF_COMPLEXITY_LIMIT_INSNS
constexpr u32 max_jump_sequence = 8192;      // BPF_COMPLEXITY_LIMIT_JMP_SEQ
constexpr u32 max_used_maps = 64;            // MAX_USED_MAPS

// What the loader may do, Linux's capability-derived switches.
struct Privileges {
    bool bpf_capable { true };        // bounded loops, bpf-to-bpf calls, more helpers
    bool perfmon_capable { true };    // pointer leaks, privileged helpers (trace_printk, ...)
    // Reading stack bytes never written. Linux allows it with CAP_PERFMON; this kernel
    // rejects it unless asked (the default).
    bool allow_uninit_stack { false };
};

struct VerifyRequest {
    u32 prog_type { 0 };
    u32 expected_attach_type { 0 };
    Span<isa::RawInstruction const> instructions {};
    bool gpl_compatible { false };     // license_is_gpl_compatible(license)
    Privileges privileges {};
    // Resolves BPF_PSEUDO_MAP_FD/MAP_VALUE fds; fd_array holds the fds for MAP_IDX forms.
    ObjectResolver* maps { nullptr };
    Span<i32 const> fd_array {};
    // TRACEPOINT programs: if non-zero, the id of the tracepoint the program is for; context
    // reads beyond its registered record are then rejected at load time. Otherwise reads are
    // checked at attach time against max_ctx_offset (check_tracepoint_attach).
    u32 tracepoint_id { 0 };
    // Monotonic clock for the "verification time" statistic; nullptr = not measured.
    u64 (*clock_ns)() { nullptr };
};

struct VerifierStats {
    u32 insn_processed { 0 };
    u32 max_states_per_insn { 0 };
    u32 total_states { 0 };
    u32 peak_states { 0 };
    u32 mark_read { 0 };
    u64 verification_ns { 0 };
};

struct VerifiedProgram {
    Vector<isa::RawInstruction> xlated;   // what runs (and what OBJ_GET_INFO reports as xlated)
    Vector<RefPtr<Map>> used_maps;        // keeps every referenced map alive
    Vector<u32> subprog_stack_depth;      // bytes, per subprogram
    u32 max_ctx_offset { 0 };             // highest context byte read + 1 (attach checks)
    bool has_tail_call { false };
    VerifierStats stats;
};

ErrorOr<VerifiedProgram> verify(VerifyRequest const& request, VerifierLog& log);

// Decodes and links `verified.xlated` into a runnable Program with `environment`'s helpers.
ErrorOr<RefPtr<Program>> link_verified_program(VerifiedProgram const& verified, isa::ExecutionEnvironment const& environment,
    isa::Diagnostic* diag = nullptr);

// Linux's license_is_gpl_compatible().
bool license_is_gpl_compatible(StringView license);

}
