// The verifier step of BPF_PROG_LOAD: kernel/bpf/verifier proves the program safe for the
// unchecked interpreter (or rejects it with Linux's errno and log) and produces the xlated
// instructions that run. PROG_LOAD never loads a program the verifier did not accept.
#pragma once

#include "bpf/syscall/ProgramMaps.h"
#include "bpf/verifier/Verifier.h"

namespace bpf::kernel {

struct VerificationRequest {
    u32 program_type { 0 };
    u32 expected_attach_type { 0 };
    bool gpl_compatible { false };
    Span<isa::RawInstruction const> instructions;
    u64 fd_array { 0 }; // user address of the u32 fds MAP_IDX references index, or 0
    ProgramMaps* maps { nullptr };
};

ErrorOr<verifier::VerifiedProgram> verify_program(VerificationRequest const& request, verifier::VerifierLog& log);

}
