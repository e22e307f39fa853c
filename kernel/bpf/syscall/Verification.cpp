// The verifier step of BPF_PROG_LOAD (see Verification.h): the fd_array is read from user
// space up to the highest index the program uses (Linux reads it entry by entry: EFAULT for
// a bad pointer), and the verifier gets the caller's CAP_BPF and CAP_PERFMON (effective uid 0).
#include "bpf/syscall/Verification.h"
#include "bpf/syscall/Privileges.h"
#include "mm/UserBuffer.h"
#include "time/Clock.h"

namespace bpf::kernel {

ErrorOr<verifier::VerifiedProgram> verify_program(VerificationRequest const& request, verifier::VerifierLog& log)
{
    Vector<i32> fd_array;
    if (request.fd_array) {
        u32 entries = 0;
        for (u32 i = 0; i < request.instructions.size(); ++i) {
            auto const& insn = request.instructions[i];
            if (insn.opcode == (BPF_LD | BPF_IMM | BPF_DW) && (insn.src == BPF_PSEUDO_MAP_IDX || insn.src == BPF_PSEUDO_MAP_IDX_VALUE))
                entries = max(entries, static_cast<u32>(insn.imm) + 1);
        }
        if (entries > 0x100000) // an index that far out lands outside any sane fd array
            return Error(EFAULT);
        TRY(fd_array.try_resize(entries));
        TRY(copy_from_user(fd_array.data(), request.fd_array, static_cast<usize>(entries) * sizeof(i32)));
    }
    verifier::VerifyRequest verify;
    verify.prog_type = request.program_type;
    verify.expected_attach_type = request.expected_attach_type;
    verify.instructions = request.instructions;
    verify.gpl_compatible = request.gpl_compatible;
    verify.maps = request.maps;
    verify.fd_array = fd_array.span();
    verify.privileges.bpf_capable = bpf_capable();
    verify.privileges.perfmon_capable = perfmon_capable();
    verify.clock_ns = clock_monotonic_ns;
    return verifier::verify(verify, log);
}

}
