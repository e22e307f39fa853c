// Decoder implementation: one function per instruction class, each validating the fields its
// class leaves reserved. See Decoder.h for the contract.
#include "bpf/isa/Decoder.h"

namespace bpf::isa {

using namespace encoding;

namespace {

constexpr u8 max_register = 10;
constexpr u8 frame_pointer = 10;

struct DecodeContext {
    Span<RawInstruction const> program;
    u32 index;
    Diagnostic* diag;
};

Error reject(DecodeContext const& context, char const* what)
{
    RawInstruction const& raw = context.program[context.index];
    BPF_ISA_REPORT(context.diag, Instruction, context.index, "%s (opcode 0x%02x)", what, raw.opcode);
    return Error(EINVAL);
}

Error reject_field(DecodeContext const& context, char const* field, i64 value)
{
    RawInstruction const& raw = context.program[context.index];
    BPF_ISA_REPORT(context.diag, Instruction, context.index, "reserved field %s is %lld, must be 0 (opcode 0x%02x)",
        field, static_cast<long long>(value), raw.opcode);
    return Error(EINVAL);
}

ErrorOr<void> require_zero(DecodeContext const& context, char const* field, i64 value)
{
    if (value != 0)
        return reject_field(context, field, value);
    return {};
}

ErrorOr<void> check_register(DecodeContext const& context, char const* field, u8 reg)
{
    if (reg > max_register) {
        BPF_ISA_REPORT(context.diag, Instruction, context.index, "invalid register r%u in %s (opcode 0x%02x)", reg, field,
            context.program[context.index].opcode);
        return Error(EINVAL);
    }
    return {};
}

ErrorOr<void> check_writable(DecodeContext const& context, u8 reg)
{
    TRY(check_register(context, "dst_reg", reg));
    if (reg == frame_pointer) {
        BPF_ISA_REPORT(context.diag, Instruction, context.index, "writes to r10, the read-only frame pointer (opcode 0x%02x)",
            context.program[context.index].opcode);
        return Error(EINVAL);
    }
    return {};
}

ErrorOr<u32> branch_target(DecodeContext const& context, i64 relative)
{
    i64 target = static_cast<i64>(context.index) + relative + 1;
    if (target < 0 || target >= static_cast<i64>(context.program.size())) {
        BPF_ISA_REPORT(context.diag, Instruction, context.index, "branch target %lld is outside the program (0..%zu)",
            static_cast<long long>(target), context.program.size() - 1);
        return Error(EINVAL);
    }
    return static_cast<u32>(target);
}

Op alu_op(u8 code, bool is64, bool is_reg)
{
    // Order inside each BPF_ISA_ALU_OP group: 64Imm, 64Reg, 32Imm, 32Reg.
    Op base;
    switch (code) {
    case alu_add: base = Op::Add64Imm; break;
    case alu_sub: base = Op::Sub64Imm; break;
    case alu_mul: base = Op::Mul64Imm; break;
    case alu_or: base = Op::Or64Imm; break;
    case alu_and: base = Op::And64Imm; break;
    case alu_xor: base = Op::Xor64Imm; break;
    case alu_lsh: base = Op::Lsh64Imm; break;
    case alu_rsh: base = Op::Rsh64Imm; break;
    case alu_arsh: base = Op::Arsh64Imm; break;
    case alu_mov: base = Op::Mov64Imm; break;
    case alu_div: base = Op::Div64Imm; break;
    case alu_mod: base = Op::Mod64Imm; break;
    default: return Op::Invalid;
    }
    return static_cast<Op>(static_cast<u8>(base) + (is64 ? 0 : 2) + (is_reg ? 1 : 0));
}

ErrorOr<Instruction> decode_alu(DecodeContext const& context, RawInstruction const& raw)
{
    bool is64 = op_class(raw.opcode) == class_alu64;
    bool is_reg = op_source(raw.opcode) == source_x;
    u8 code = op_code(raw.opcode);
    Instruction insn;
    insn.dst = raw.dst;
    TRY(check_writable(context, raw.dst));

    if (code == alu_neg) {
        if (is_reg)
            return reject(context, "NEG takes no source operand (BPF_X is invalid)");
        TRY(require_zero(context, "src_reg", raw.src));
        TRY(require_zero(context, "offset", raw.offset));
        TRY(require_zero(context, "imm", raw.imm));
        insn.op = is64 ? Op::Neg64 : Op::Neg32;
        return insn;
    }
    if (code == alu_end) {
        TRY(require_zero(context, "src_reg", raw.src));
        TRY(require_zero(context, "offset", raw.offset));
        int width_index;
        switch (raw.imm) {
        case 16: width_index = 0; break;
        case 32: width_index = 1; break;
        case 64: width_index = 2; break;
        default:
            BPF_ISA_REPORT(context.diag, Instruction, context.index, "byte swap width %d is not 16, 32 or 64 (opcode 0x%02x)",
                raw.imm, raw.opcode);
            return Error(EINVAL);
        }
        Op base;
        if (!is64)
            base = is_reg ? Op::Be16 : Op::Le16;
        else if (!is_reg)
            base = Op::Bswap16;
        else
            return reject(context, "invalid opcode: ALU64 END with BPF_X");
        insn.op = static_cast<Op>(static_cast<u8>(base) + width_index);
        insn.imm = static_cast<u64>(raw.imm);
        return insn;
    }

    Op op = alu_op(code, is64, is_reg);
    if (op == Op::Invalid)
        return reject(context, "invalid ALU opcode");

    // The offset field selects a variant for a few operations and is reserved otherwise.
    if (code == alu_div || code == alu_mod) {
        if (raw.offset == 1) {
            Op signed_base = code == alu_div ? Op::Sdiv64Imm : Op::Smod64Imm;
            Op unsigned_base = code == alu_div ? Op::Div64Imm : Op::Mod64Imm;
            op = static_cast<Op>(static_cast<u8>(signed_base) + (static_cast<u8>(op) - static_cast<u8>(unsigned_base)));
        } else if (raw.offset != 0) {
            BPF_ISA_REPORT(context.diag, Instruction, context.index, "offset %d of DIV/MOD must be 0 (unsigned) or 1 (signed) (opcode 0x%02x)",
                raw.offset, raw.opcode);
            return Error(EINVAL);
        }
    } else if (code == alu_mov && is_reg && raw.offset != 0) {
        switch (raw.offset) {
        case 8: op = is64 ? Op::Movsx8To64 : Op::Movsx8To32; break;
        case 16: op = is64 ? Op::Movsx16To64 : Op::Movsx16To32; break;
        case 32:
            if (is64) {
                op = Op::Movsx32To64;
                break;
            }
            [[fallthrough]];
        default:
            BPF_ISA_REPORT(context.diag, Instruction, context.index, "MOVSX offset %d must be 8, 16%s (opcode 0x%02x)",
                raw.offset, is64 ? " or 32" : "", raw.opcode);
            return Error(EINVAL);
        }
    } else {
        TRY(require_zero(context, "offset", raw.offset));
    }

    insn.op = op;
    if (is_reg) {
        TRY(check_register(context, "src_reg", raw.src));
        TRY(require_zero(context, "imm", raw.imm));
        insn.src = raw.src;
    } else {
        TRY(require_zero(context, "src_reg", raw.src));
        insn.imm = static_cast<u64>(static_cast<i64>(raw.imm));
    }
    return insn;
}

Op jump_op(u8 code, bool is64, bool is_reg)
{
    // Order inside each BPF_ISA_JUMP_OP group: Imm, Reg, 32Imm, 32Reg.
    Op base;
    switch (code) {
    case jmp_jeq: base = Op::JeqImm; break;
    case jmp_jne: base = Op::JneImm; break;
    case jmp_jgt: base = Op::JgtImm; break;
    case jmp_jge: base = Op::JgeImm; break;
    case jmp_jlt: base = Op::JltImm; break;
    case jmp_jle: base = Op::JleImm; break;
    case jmp_jsgt: base = Op::JsgtImm; break;
    case jmp_jsge: base = Op::JsgeImm; break;
    case jmp_jslt: base = Op::JsltImm; break;
    case jmp_jsle: base = Op::JsleImm; break;
    case jmp_jset: base = Op::JsetImm; break;
    default: return Op::Invalid;
    }
    return static_cast<Op>(static_cast<u8>(base) + (is64 ? 0 : 2) + (is_reg ? 1 : 0));
}

ErrorOr<Instruction> decode_jump(DecodeContext const& context, RawInstruction const& raw)
{
    bool is64 = op_class(raw.opcode) == class_jmp;
    bool is_reg = op_source(raw.opcode) == source_x;
    u8 code = op_code(raw.opcode);
    Instruction insn;

    switch (code) {
    case jmp_ja:
        if (is_reg)
            return reject(context, "invalid opcode: JA with BPF_X");
        TRY(require_zero(context, "dst_reg", raw.dst));
        TRY(require_zero(context, "src_reg", raw.src));
        if (is64) {
            TRY(require_zero(context, "imm", raw.imm));
            insn.op = Op::Ja;
            insn.target = TRY(branch_target(context, raw.offset));
        } else {
            // gotol: JMP32|JA takes its 32-bit displacement from imm.
            TRY(require_zero(context, "offset", raw.offset));
            insn.op = Op::Gotol;
            insn.target = TRY(branch_target(context, raw.imm));
        }
        return insn;
    case jmp_call:
        if (!is64)
            return reject(context, "invalid opcode: CALL in the JMP32 class");
        TRY(require_zero(context, "offset", raw.offset));
        if (is_reg) {
            // callx: the register holding the helper id is in dst_reg.
            TRY(check_register(context, "dst_reg", raw.dst));
            TRY(require_zero(context, "src_reg", raw.src));
            TRY(require_zero(context, "imm", raw.imm));
            insn.op = Op::Callx;
            insn.dst = raw.dst;
            return insn;
        }
        TRY(require_zero(context, "dst_reg", raw.dst));
        switch (raw.src) {
        case call_helper:
            if (raw.imm < 0) {
                BPF_ISA_REPORT(context.diag, Instruction, context.index, "invalid helper id %d", raw.imm);
                return Error(EINVAL);
            }
            insn.op = raw.imm == helper_tail_call ? Op::TailCall : Op::Call;
            insn.offset = raw.imm;
            return insn;
        case call_pseudo:
            insn.op = Op::CallLocal;
            insn.src = call_pseudo;
            insn.target = TRY(branch_target(context, raw.imm));
            return insn;
        case call_kfunc:
            return reject(context, "kfunc calls (src_reg=2) are not supported");
        default:
            BPF_ISA_REPORT(context.diag, Instruction, context.index, "invalid CALL src_reg %u (opcode 0x%02x)", raw.src, raw.opcode);
            return Error(EINVAL);
        }
    case jmp_exit:
        if (!is64 || is_reg)
            return reject(context, "invalid EXIT opcode");
        TRY(require_zero(context, "dst_reg", raw.dst));
        TRY(require_zero(context, "src_reg", raw.src));
        TRY(require_zero(context, "offset", raw.offset));
        TRY(require_zero(context, "imm", raw.imm));
        insn.op = Op::Exit;
        return insn;
    default:
        break;
    }

    Op op = jump_op(code, is64, is_reg);
    if (op == Op::Invalid)
        return reject(context, "invalid jump opcode");
    insn.op = op;
    TRY(check_register(context, "dst_reg", raw.dst));
    insn.dst = raw.dst;
    if (is_reg) {
        TRY(check_register(context, "src_reg", raw.src));
        TRY(require_zero(context, "imm", raw.imm));
        insn.src = raw.src;
    } else {
        TRY(require_zero(context, "src_reg", raw.src));
    }
    // Conditional jumps keep the compared immediate in `imm` and the destination in `target`.
    insn.target = TRY(branch_target(context, raw.offset));
    if (!is_reg)
        insn.imm = static_cast<u64>(static_cast<i64>(raw.imm));
    return insn;
}

ErrorOr<Instruction> decode_ld(DecodeContext const& context, RawInstruction const& raw)
{
    u8 mode = op_mode(raw.opcode);
    u8 size = op_size(raw.opcode);
    Instruction insn;

    if (raw.opcode == lddw_opcode) {
        TRY(check_writable(context, raw.dst));
        TRY(require_zero(context, "offset", raw.offset));
        if (context.index + 1 >= context.program.size())
            return reject(context, "LD_IMM64 is missing its second half");
        RawInstruction const& next = context.program[context.index + 1];
        if (next.opcode != 0 || next.dst != 0 || next.src != 0 || next.offset != 0) {
            BPF_ISA_REPORT(context.diag, Instruction, context.index,
                "LD_IMM64 second half (instruction %u) must have opcode, registers and offset 0", context.index + 1);
            return Error(EINVAL);
        }
        insn.op = Op::LdImm64;
        insn.dst = raw.dst;
        insn.pseudo = raw.src;
        switch (raw.src) {
        case pseudo_none:
            insn.imm = static_cast<u64>(static_cast<u32>(raw.imm)) | (static_cast<u64>(static_cast<u32>(next.imm)) << 32);
            return insn;
        case pseudo_func:
            if (next.imm != 0)
                return reject_field(context, "imm of the second half", next.imm);
            // A function value is the index of the subprogram's first instruction.
            insn.imm = TRY(branch_target(context, raw.imm));
            insn.offset = 0;
            return insn;
        case pseudo_map_fd:
        case pseudo_map_idx:
            if (next.imm != 0)
                return reject_field(context, "imm of the second half", next.imm);
            [[fallthrough]];
        case pseudo_map_value:
        case pseudo_map_idx_value:
        case pseudo_btf_id:
            // Resolved by Program::try_create through its PseudoResolver; keep both halves.
            insn.imm = static_cast<u64>(static_cast<u32>(raw.imm));
            insn.offset = next.imm;
            return insn;
        default:
            BPF_ISA_REPORT(context.diag, Instruction, context.index, "invalid LD_IMM64 src_reg %u (no such BPF_PSEUDO_* kind)", raw.src);
            return Error(EINVAL);
        }
    }

    if (mode != mode_abs && mode != mode_ind)
        return reject(context, "invalid LD opcode");
    if (size == size_dw)
        return reject(context, "LD_ABS/LD_IND have no double-word form");
    TRY(require_zero(context, "dst_reg", raw.dst));
    TRY(require_zero(context, "offset", raw.offset));
    int size_index = size == size_b ? 0 : size == size_h ? 1 : 2;
    if (mode == mode_abs) {
        TRY(require_zero(context, "src_reg", raw.src));
        insn.op = static_cast<Op>(static_cast<u8>(Op::LdAbsB) + size_index);
    } else {
        TRY(check_register(context, "src_reg", raw.src));
        insn.op = static_cast<Op>(static_cast<u8>(Op::LdIndB) + size_index);
        insn.src = raw.src;
    }
    insn.imm = static_cast<u64>(static_cast<i64>(raw.imm));
    return insn;
}

int size_index(u8 size)
{
    switch (size) {
    case size_b: return 0;
    case size_h: return 1;
    case size_w: return 2;
    default: return 3;
    }
}

ErrorOr<Instruction> decode_ldx(DecodeContext const& context, RawInstruction const& raw)
{
    u8 mode = op_mode(raw.opcode);
    Instruction insn;
    TRY(check_writable(context, raw.dst));
    TRY(check_register(context, "src_reg", raw.src));
    TRY(require_zero(context, "imm", raw.imm));
    int index = size_index(op_size(raw.opcode));
    if (mode == mode_mem) {
        insn.op = static_cast<Op>(static_cast<u8>(Op::LdxB) + index);
    } else if (mode == mode_memsx) {
        if (index == 3)
            return reject(context, "sign-extending load has no double-word form");
        insn.op = static_cast<Op>(static_cast<u8>(Op::LdxsB) + index);
    } else {
        return reject(context, "invalid LDX mode");
    }
    insn.dst = raw.dst;
    insn.src = raw.src;
    insn.offset = raw.offset;
    return insn;
}

ErrorOr<Instruction> decode_st(DecodeContext const& context, RawInstruction const& raw)
{
    if (op_mode(raw.opcode) != mode_mem)
        return reject(context, "invalid ST mode");
    TRY(check_register(context, "dst_reg", raw.dst));
    TRY(require_zero(context, "src_reg", raw.src));
    Instruction insn;
    insn.op = static_cast<Op>(static_cast<u8>(Op::StB) + size_index(op_size(raw.opcode)));
    insn.dst = raw.dst;
    insn.offset = raw.offset;
    insn.imm = static_cast<u64>(static_cast<i64>(raw.imm));
    return insn;
}

ErrorOr<Instruction> decode_stx(DecodeContext const& context, RawInstruction const& raw)
{
    u8 mode = op_mode(raw.opcode);
    TRY(check_register(context, "dst_reg", raw.dst));
    TRY(check_register(context, "src_reg", raw.src));
    Instruction insn;
    insn.dst = raw.dst;
    insn.src = raw.src;
    insn.offset = raw.offset;
    int index = size_index(op_size(raw.opcode));
    if (mode == mode_mem) {
        TRY(require_zero(context, "imm", raw.imm));
        insn.op = static_cast<Op>(static_cast<u8>(Op::StxB) + index);
        return insn;
    }
    if (mode != mode_atomic)
        return reject(context, "invalid STX mode");
    if (raw.imm == atomic_load_acquire) {
        TRY(check_writable(context, raw.dst));
        insn.op = static_cast<Op>(static_cast<u8>(Op::LoadAcquireB) + index);
        return insn;
    }
    if (raw.imm == atomic_store_release) {
        insn.op = static_cast<Op>(static_cast<u8>(Op::StoreReleaseB) + index);
        return insn;
    }
    if (index < 2)
        return reject(context, "atomic operations exist only for 32 and 64 bits");
    bool is64 = index == 3;
    int width = is64 ? 1 : 0;
    Op op;
    switch (raw.imm) {
    case atomic_add: op = Op::AtomicAdd32; break;
    case atomic_or: op = Op::AtomicOr32; break;
    case atomic_and: op = Op::AtomicAnd32; break;
    case atomic_xor: op = Op::AtomicXor32; break;
    case atomic_add | atomic_fetch: op = Op::AtomicAddFetch32; break;
    case atomic_or | atomic_fetch: op = Op::AtomicOrFetch32; break;
    case atomic_and | atomic_fetch: op = Op::AtomicAndFetch32; break;
    case atomic_xor | atomic_fetch: op = Op::AtomicXorFetch32; break;
    case atomic_xchg: op = Op::AtomicXchg32; break;
    case atomic_cmpxchg: op = Op::AtomicCmpxchg32; break;
    default:
        BPF_ISA_REPORT(context.diag, Instruction, context.index, "invalid atomic operation imm=0x%x (opcode 0x%02x)",
            static_cast<u32>(raw.imm), raw.opcode);
        return Error(EINVAL);
    }
    bool fetches = (raw.imm & atomic_fetch) != 0;
    if (fetches && raw.imm != atomic_cmpxchg)
        TRY(check_writable(context, raw.src)); // the old value lands in src
    insn.op = static_cast<Op>(static_cast<u8>(op) + width);
    return insn;
}

ErrorOr<Instruction> decode_at(DecodeContext const& context)
{
    RawInstruction const& raw = context.program[context.index];
    switch (op_class(raw.opcode)) {
    case class_alu:
    case class_alu64:
        return decode_alu(context, raw);
    case class_jmp:
    case class_jmp32:
        return decode_jump(context, raw);
    case class_ld:
        return decode_ld(context, raw);
    case class_ldx:
        return decode_ldx(context, raw);
    case class_st:
        return decode_st(context, raw);
    case class_stx:
        return decode_stx(context, raw);
    }
    VERIFY_NOT_REACHED();
}

bool is_branch(Op op)
{
    return (op >= Op::Ja && op <= Op::Jset32Reg) || op == Op::CallLocal;
}

}

ErrorOr<Vector<Instruction>> decode(Span<RawInstruction const> program, Diagnostic* diag)
{
    if (program.is_empty()) {
        BPF_ISA_REPORT(diag, None, 0, "program has no instructions");
        return Error(EINVAL);
    }
    Vector<Instruction> decoded;
    TRY(decoded.try_ensure_capacity(program.size()));
    for (u32 index = 0; index < program.size(); ++index) {
        DecodeContext context { program, index, diag };
        Instruction insn = TRY(decode_at(context));
        TRY(decoded.try_append(insn));
        if (insn.op == Op::LdImm64) {
            Instruction tail;
            tail.op = Op::LdImm64Tail;
            TRY(decoded.try_append(tail));
            ++index;
        }
    }
    // Branches, calls and function values may not land on an LD_IMM64's second half.
    for (u32 index = 0; index < decoded.size(); ++index) {
        Instruction const& insn = decoded[index];
        u32 target;
        if (is_branch(insn.op))
            target = insn.target;
        else if (insn.op == Op::LdImm64 && insn.pseudo == pseudo_func)
            target = static_cast<u32>(insn.imm);
        else
            continue;
        if (decoded[target].op == Op::LdImm64Tail) {
            BPF_ISA_REPORT(diag, Instruction, index, "branch target %u is the second half of an LD_IMM64", target);
            return Error(EINVAL);
        }
    }
    return decoded;
}

}
