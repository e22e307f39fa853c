// The verifier step of BPF_PROG_LOAD (Linux's bpf_check after the BTF info and map references
// are resolved): proves a program safe for the unchecked interpreter or rejects it with a log.
// PROG_LOAD never loads a program this step did not accept.
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/syscall/BpfLog.h"
#include "bpf/syscall/ProgramBtfInfo.h"
#include "bpf/syscall/ProgramMaps.h"

namespace bpf::kernel {

struct VerificationRequest {
    u32 program_type { 0 };
    u32 expected_attach_type { 0 };
    u32 program_flags { 0 };
    bool gpl_compatible { false };
    Span<isa::RawInstruction const> instructions;
    Span<u32 const> subprograms;
    ProgramMaps* maps { nullptr };
    ProgramBtfInfo const* btf_info { nullptr };
};

struct VerificationResult {
    u32 verified_instructions { 0 }; // verified_insns of bpf_prog_info and fdinfo
    u32 max_context_offset { 0 };    // the highest context byte read (raw tracepoint test runs)
};

ErrorOr<VerificationResult> verify_program(VerificationRequest const& request, BpfLog& log);

}
