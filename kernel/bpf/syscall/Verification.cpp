// The verifier step of BPF_PROG_LOAD (see Verification.h). The verifier (kernel/bpf/verifier)
// is not part of the kernel yet, so this step fails closed: every program is refused with
// EINVAL and a log line saying why, and nothing unverified ever reaches the interpreter.
#include "bpf/syscall/Verification.h"

namespace bpf::kernel {

ErrorOr<VerificationResult> verify_program(VerificationRequest const&, BpfLog& log)
{
    log.append("verifier unavailable: this kernel refuses to load programs it cannot verify\n");
    return Error(EINVAL);
}

}
