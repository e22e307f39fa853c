// BTF information attached to a program at load time (Linux's check_btf_info, check_btf_func,
// check_btf_line): prog_btf_fd plus func_info (one bpf_func_info per subprogram: insn_off of
// its first instruction and the id of a BTF FUNC) and line_info (source lines, ascending
// insn_off, every subprogram starting with one). Records may be larger than the kernel's if
// the extra bytes are zero; a non-zero tail gives E2BIG and writes the kernel's record size
// back into the attr so the loader can retry with trimmed records.
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/verifier/VerifierLog.h"
#include "bpf/syscall/BtfObject.h"
#include "klib/Span.h"
#include <linux/bpf.h>

namespace bpf::kernel {

struct ProgramBtfInfo {
    RefPtr<BtfObject> btf;
    Vector<bpf_func_info> func_info;
    Vector<bpf_line_info> line_info;
};

// The first instruction of every subprogram: 0 plus each bpf-to-bpf call target and each
// BPF_PSEUDO_FUNC target, sorted (add_subprog_and_kfunc). Targets outside the program are
// left to the decoder to reject.
ErrorOr<Vector<u32>> subprogram_starts(Span<isa::RawInstruction const> instructions);

ErrorOr<ProgramBtfInfo> check_program_btf_info(union bpf_attr const& attr, u64 user_attr, Span<isa::RawInstruction const> instructions,
    Span<u32 const> subprograms, verifier::VerifierLog& log);

}
