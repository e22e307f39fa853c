// After a program is accepted, the instruction stream the kernel runs ("xlated"), 1:1 with
// the original instructions so that every index stays meaningful:
//  - LD_IMM64 map references carry the map's (or map value's) kernel address in their two
//    halves, keeping the BPF_PSEUDO_* kind like Linux's xlated dump;
//  - context loads and stores are rewritten for the program type's runtime layout;
//  - a conditional jump whose one side was never explored becomes an unconditional jump;
//  - instructions the walk never reached become "ja -1" (they cannot execute).
#include "bpf/isa/Decoder.h"
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;
using namespace isa::encoding;

ErrorOr<void> VerifierEnv::convert_ctx_accesses(Vector<RawInstruction>& out)
{
    u32 count = static_cast<u32>(m_raw.size());
    TRY(out.try_append(m_raw.data(), m_raw.size()));
    for (u32 i = 0; i < count; ++i) {
        InsnAux const& aux = m_aux[i];
        RawInstruction& insn = out[i];
        if (!aux.seen) {
            insn = RawInstruction::make(class_jmp | jmp_ja, 0, 0, -1, 0);
            continue;
        }
        if (insn.opcode == lddw_opcode) {
            if (aux.map_index >= 0) {
                insn.imm = static_cast<i32>(static_cast<u32>(aux.map_address));
                out[i + 1].imm = static_cast<i32>(static_cast<u32>(aux.map_address >> 32));
            }
            ++i;
            continue;
        }
        u8 cls = op_class(insn.opcode);
        if ((cls == class_jmp || cls == class_jmp32) && op_code(insn.opcode) != jmp_ja && op_code(insn.opcode) != jmp_call
            && op_code(insn.opcode) != jmp_exit) {
            if (aux.jump_taken && !aux.fall_through)
                insn = RawInstruction::make(class_jmp | jmp_ja, 0, 0, insn.offset, 0);
            else if (!aux.jump_taken && aux.fall_through)
                insn = RawInstruction::make(class_jmp | jmp_ja, 0, 0, 0, 0);
            continue;
        }
        if (aux.ptr_type != RegType::PtrToCtx || !m_ops->convert_access)
            continue;
        if (cls != class_ldx && cls != class_stx && cls != class_st)
            continue;
        u8 size = op_size(insn.opcode) == size_b ? 1 : op_size(insn.opcode) == size_h ? 2 : op_size(insn.opcode) == size_w ? 4 : 8;
        if (!m_ops->convert_access(insn, static_cast<u32>(static_cast<i32>(insn.offset)), size))
            return reject(EINVAL, "bpf verifier is misconfigured\n");
    }
    return {};
}

ErrorOr<RefPtr<Program>> link_verified_program(VerifiedProgram const& verified, ExecutionEnvironment const& environment, Diagnostic* diag)
{
    Vector<RawInstruction> code;
    TRY(code.try_append(verified.xlated.data(), verified.xlated.size()));
    // Map references are plain 64-bit constants (the addresses) for the interpreter.
    for (u32 i = 0; i + 1 < code.size(); ++i) {
        if (code[i].opcode != lddw_opcode)
            continue;
        u8 kind = code[i].src;
        if (kind == pseudo_map_fd || kind == pseudo_map_idx || kind == pseudo_map_value || kind == pseudo_map_idx_value)
            code[i].src = pseudo_none;
        ++i;
    }
    auto decoded = TRY(decode(code.span(), diag));
    return Program::try_create(move(decoded), environment, diag);
}

}
