// ALU instructions (Linux's check_alu_op / adjust_reg_min_max_vals / adjust_ptr_min_max_vals):
// operands must be initialized; scalars get new ranges (ScalarAlu.cpp); a pointer may only be
// moved, or have a scalar added or subtracted in 64 bits, and only for the pointer kinds that
// allow it, with offsets staying within +-2^29; pointer - pointer gives a scalar; division by a
// register that may be zero is allowed (the result is defined: 0, or dst for modulo).
#include "bpf/verifier/ScalarAlu.h"
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;

namespace {

struct AluInfo {
    AluOp op;
    bool alu32;
    bool uses_src_reg;
};

bool decode_alu(Op op, AluInfo& info)
{
    if (op < Op::Add64Imm || op > Op::Arsh32Reg)
        return false;
    u32 index = static_cast<u32>(op) - static_cast<u32>(Op::Add64Imm);
    static constexpr AluOp ops[] = { AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::Sdiv, AluOp::Mod, AluOp::Smod, AluOp::Or,
        AluOp::And, AluOp::Xor, AluOp::Lsh, AluOp::Rsh, AluOp::Arsh };
    info.op = ops[index / 4];
    info.alu32 = (index % 4) >= 2;
    info.uses_src_reg = (index % 2) == 1;
    return true;
}

char const* alu_name(AluOp op)
{
    switch (op) {
    case AluOp::Add:
        return "+=";
    case AluOp::Sub:
        return "-=";
    case AluOp::Mul:
        return "*=";
    case AluOp::Div:
    case AluOp::Sdiv:
        return "/=";
    case AluOp::Or:
        return "|=";
    case AluOp::And:
        return "&=";
    case AluOp::Lsh:
        return "<<=";
    case AluOp::Rsh:
        return ">>=";
    case AluOp::Mod:
    case AluOp::Smod:
        return "%=";
    case AluOp::Xor:
        return "^=";
    case AluOp::Arsh:
        return "s>>=";
    case AluOp::Neg:
        return "neg";
    }
    return "?";
}

}

ErrorOr<void> VerifierEnv::check_reg_read(u32 regno)
{
    if (regno >= register_count)
        return reject(EINVAL, "R%u is invalid\n", regno);
    mark_scratched(regno);
    if (regs()[regno].type == RegType::NotInit)
        return reject(EACCES, "R%u !read_ok\n", regno);
    return {};
}

ErrorOr<void> VerifierEnv::check_reg_write(u32 regno)
{
    if (regno >= register_count)
        return reject(EINVAL, "R%u is invalid\n", regno);
    mark_scratched(regno);
    if (regno == frame_pointer)
        return reject(EACCES, "frame pointer is read only\n");
    return {};
}

void VerifierEnv::mark_reg_unknown(RegisterState& reg) { reg = RegisterState::unknown_scalar(); }
void VerifierEnv::mark_reg_not_init(RegisterState& reg) { reg = RegisterState::not_init(); }

bool VerifierEnv::is_pointer_value(RegisterState const& reg) const
{
    if (m_request.privileges.perfmon_capable)
        return false;
    return reg.is_pointer();
}

void VerifierEnv::assign_scalar_id_before_mov(RegisterState& src)
{
    if (src.type != RegType::Scalar)
        return;
    if (src.id & linked_add_const) {
        src.id = 0;
        src.off = 0;
    }
    if (!src.id && !src.var_off.is_const())
        src.id = new_id();
}

ErrorOr<void> VerifierEnv::check_alu(Instruction const& insn)
{
    Op op = insn.op;
    RegisterState* r = regs();
    if (op == Op::Mov64Imm || op == Op::Mov64Reg || op == Op::Mov32Imm || op == Op::Mov32Reg || (op >= Op::Movsx8To64 && op <= Op::Movsx16To32))
        return check_mov(insn);
    if (op == Op::Neg64 || op == Op::Neg32 || (op >= Op::Le16 && op <= Op::Bswap64)) {
        TRY(check_reg_read(insn.dst));
        RegisterState& dst = r[insn.dst];
        if (is_pointer_value(dst))
            return reject(EACCES, "R%u pointer arithmetic prohibited\n", insn.dst);
        TRY(check_reg_write(insn.dst));
        if ((op == Op::Neg64 || op == Op::Neg32) && dst.type == RegType::Scalar) {
            scalar_alu(dst, dst, AluOp::Neg, op == Op::Neg32);
            dst.id = 0;
            return {};
        }
        // Byte order: on this little-endian machine "to LE" truncates; every swap still fits
        // its width.
        RegisterState value = dst.type == RegType::Scalar ? dst : RegisterState::unknown_scalar();
        mark_reg_unknown(dst);
        switch (op) {
        case Op::Le16:
            dst = value;
            dst.id = 0;
            dst.truncate_to(2);
            break;
        case Op::Le32:
            dst = value;
            dst.id = 0;
            dst.truncate_to(4);
            break;
        case Op::Le64:
            dst = value;
            dst.id = 0;
            break;
        case Op::Be16:
        case Op::Bswap16:
            dst.truncate_to(2);
            break;
        case Op::Be32:
        case Op::Bswap32:
            dst.truncate_to(4);
            break;
        default:
            break;
        }
        return {};
    }
    AluInfo info {};
    if (!decode_alu(op, info))
        return reject(EINVAL, "invalid BPF_ALU opcode %x\n", m_raw[m_insn_idx].opcode & 0xf0);
    if (info.uses_src_reg)
        TRY(check_reg_read(insn.src));
    TRY(check_reg_read(insn.dst));
    if (!info.uses_src_reg) {
        if ((info.op == AluOp::Div || info.op == AluOp::Mod || info.op == AluOp::Sdiv || info.op == AluOp::Smod) && insn.imm == 0)
            return reject(EINVAL, "div by zero\n");
        if (info.op == AluOp::Lsh || info.op == AluOp::Rsh || info.op == AluOp::Arsh) {
            i64 size = info.alu32 ? 32 : 64;
            i64 amount = static_cast<i32>(insn.imm);
            if (amount < 0 || amount >= size)
                return reject(EINVAL, "invalid shift %lld\n", static_cast<long long>(amount));
        }
    }
    TRY(check_reg_write(insn.dst));
    return adjust_reg_min_max_vals(insn);
}

ErrorOr<void> VerifierEnv::check_mov(Instruction const& insn)
{
    Op op = insn.op;
    RegisterState* r = regs();
    bool from_reg = op == Op::Mov64Reg || op == Op::Mov32Reg || (op >= Op::Movsx8To64 && op <= Op::Movsx16To32);
    if (from_reg)
        TRY(check_reg_read(insn.src));
    TRY(check_reg_write(insn.dst));
    RegisterState& dst = r[insn.dst];
    if (!from_reg) {
        if (op == Op::Mov64Imm)
            dst = RegisterState::known_scalar(insn.imm);
        else
            dst = RegisterState::known_scalar(static_cast<u32>(insn.imm));
        return {};
    }
    RegisterState& src = r[insn.src];
    u8 extend = 0;
    bool alu32 = false;
    switch (op) {
    case Op::Movsx8To64:
        extend = 1;
        break;
    case Op::Movsx16To64:
        extend = 2;
        break;
    case Op::Movsx32To64:
        extend = 4;
        break;
    case Op::Movsx8To32:
        extend = 1;
        alu32 = true;
        break;
    case Op::Movsx16To32:
        extend = 2;
        alu32 = true;
        break;
    case Op::Mov32Reg:
        alu32 = true;
        break;
    default:
        break;
    }
    if (!alu32 && !extend) {
        // r1 = r2: copy everything, linking scalars so that a branch on one narrows both.
        assign_scalar_id_before_mov(src);
        dst = src;
        return {};
    }
    if (!alu32) {
        if (is_pointer_value(src))
            return reject(EACCES, "R%u sign-extension part of pointer\n", insn.src);
        if (src.type != RegType::Scalar) {
            mark_reg_unknown(dst);
            return {};
        }
        bool no_sext = src.umax < (1ull << (extend * 8 - 1));
        if (no_sext)
            assign_scalar_id_before_mov(src);
        dst = src;
        if (!no_sext)
            dst.id = 0, dst.off = 0;
        dst.sign_extend_from(extend);
        return {};
    }
    if (is_pointer_value(src))
        return reject(EACCES, "R%u partial copy of pointer\n", insn.src);
    if (src.type == RegType::Scalar) {
        if (!extend) {
            bool fits = src.width() <= 32;
            if (fits)
                assign_scalar_id_before_mov(src);
            dst = src;
            if (!fits)
                dst.id = 0, dst.off = 0;
        } else {
            bool no_sext = src.umax < (1ull << (extend * 8 - 1));
            if (no_sext)
                assign_scalar_id_before_mov(src);
            dst = src;
            if (!no_sext)
                dst.id = 0, dst.off = 0;
            dst.sign_extend32_from(extend);
        }
    } else {
        mark_reg_unknown(dst);
    }
    dst.zext_32_to_64();
    dst.sync_bounds();
    return {};
}

ErrorOr<void> VerifierEnv::adjust_reg_min_max_vals(Instruction const& insn)
{
    AluInfo info {};
    decode_alu(insn.op, info);
    RegisterState* r = regs();
    RegisterState& dst = r[insn.dst];
    RegisterState off_reg;
    RegisterState const* src;
    if (info.uses_src_reg) {
        RegisterState& src_reg = r[insn.src];
        src = &src_reg;
        if (src_reg.type != RegType::Scalar) {
            if (dst.type != RegType::Scalar) {
                // Pointer op pointer: only subtraction, giving a scalar (the distance).
                if (info.op == AluOp::Sub && !info.alu32 && m_request.privileges.perfmon_capable) {
                    mark_reg_unknown(dst);
                    return {};
                }
                if (info.op == AluOp::Sub && info.alu32 && m_request.privileges.perfmon_capable) {
                    mark_reg_unknown(dst);
                    return {};
                }
                return reject(EACCES, "R%u pointer %s pointer prohibited\n", insn.dst, alu_name(info.op));
            }
            // scalar += pointer: the result is the pointer moved by the scalar.
            return adjust_ptr_min_max_vals(insn, src_reg, dst);
        }
        if (dst.type != RegType::Scalar)
            return adjust_ptr_min_max_vals(insn, dst, src_reg);
    } else {
        off_reg = RegisterState::known_scalar(insn.imm);
        src = &off_reg;
        if (dst.type != RegType::Scalar)
            return adjust_ptr_min_max_vals(insn, dst, off_reg);
    }
    RegisterState src_copy = *src;
    scalar_alu(dst, src_copy, info.op, info.alu32);
    // r1 = r2; r1 += K: remember the delta so that a branch on r2 also narrows r1.
    if (m_request.privileges.bpf_capable && info.op == AluOp::Add && !info.alu32 && dst.id && src_copy.is_known_const(false)) {
        u64 value = src_copy.const_value(false);
        if ((dst.id & linked_add_const) || value > static_cast<u64>(INT32_MAX)) {
            dst.off = 0;
            dst.id = 0;
        } else {
            dst.id |= linked_add_const;
            dst.off = static_cast<i32>(value);
        }
    } else {
        dst.id = 0;
        dst.off = 0;
    }
    return {};
}

bool VerifierEnv::check_reg_sane_offset(RegisterState const& reg, RegType type)
{
    char const* name = reg_type_name(type, 0);
    bool known = reg.var_off.is_const();
    i64 value = static_cast<i64>(reg.var_off.value);
    if (known && (value >= max_var_off || value <= -max_var_off)) {
        verbose("math between %s pointer and %lld is not allowed\n", name, static_cast<long long>(value));
        return false;
    }
    if (reg.off >= max_var_off || reg.off <= -max_var_off) {
        verbose("%s pointer offset %d is not allowed\n", name, reg.off);
        return false;
    }
    if (reg.smin == INT64_MIN) {
        verbose("math between %s pointer and register with unbounded min value is not allowed\n", name);
        return false;
    }
    if (reg.smin >= max_var_off || reg.smin <= -max_var_off) {
        verbose("value %lld makes %s pointer be out of bounds\n", static_cast<long long>(reg.smin), name);
        return false;
    }
    return true;
}

ErrorOr<void> VerifierEnv::adjust_ptr_min_max_vals(Instruction const& insn, RegisterState const& ptr_in, RegisterState const& off_in)
{
    AluInfo info {};
    decode_alu(insn.op, info);
    RegisterState ptr = ptr_in;
    RegisterState off = off_in;
    RegisterState& dst = regs()[insn.dst];
    u32 dst_regno = insn.dst;
    bool known = off.var_off.is_const();
    if ((known && (off.smin != off.smax || off.umin != off.umax)) || off.smin > off.smax || off.umin > off.umax) {
        // Bounds from an impossible branch: the result cannot be used.
        mark_reg_unknown(dst);
        return {};
    }
    if (info.alu32) {
        if (info.op == AluOp::Sub && m_request.privileges.perfmon_capable) {
            mark_reg_unknown(dst);
            return {};
        }
        return reject(EACCES, "R%u 32-bit pointer arithmetic prohibited\n", dst_regno);
    }
    if (ptr.maybe_null())
        return reject(EACCES, "R%u pointer arithmetic on %s prohibited, null-check it first\n", dst_regno, reg_type_name(ptr.type, ptr.flags));
    switch (ptr.type) {
    case RegType::PtrToCtx:
    case RegType::PtrToMapValue:
    case RegType::PtrToMapKey:
    case RegType::PtrToStack:
    case RegType::PtrToPacketMeta:
    case RegType::PtrToPacket:
    case RegType::PtrToMem:
    case RegType::PtrToFunc:
        break;
    case RegType::ConstPtrToMap:
        if (known && off.smin == 0 && info.op == AluOp::Add)
            break;
        [[fallthrough]];
    default:
        return reject(EACCES, "R%u pointer arithmetic on %s prohibited\n", dst_regno, reg_type_name(ptr.type, ptr.flags));
    }
    if (!check_reg_sane_offset(off, ptr.type) || !check_reg_sane_offset(ptr, ptr.type))
        return Error(EINVAL);

    RegisterState result = ptr;
    result.mark_unbounded32();
    switch (info.op) {
    case AluOp::Add: {
        i64 fixed = static_cast<i64>(ptr.off) + off.smin;
        if (known && fixed == static_cast<i64>(static_cast<i32>(fixed))) {
            result.off = static_cast<i32>(fixed);
            break;
        }
        i64 smin, smax;
        if (__builtin_add_overflow(ptr.smin, off.smin, &smin) || __builtin_add_overflow(ptr.smax, off.smax, &smax)) {
            result.smin = INT64_MIN;
            result.smax = INT64_MAX;
        } else {
            result.smin = smin;
            result.smax = smax;
        }
        u64 umin, umax;
        if (__builtin_add_overflow(ptr.umin, off.umin, &umin) || __builtin_add_overflow(ptr.umax, off.umax, &umax)) {
            result.umin = 0;
            result.umax = UINT64_MAX;
        } else {
            result.umin = umin;
            result.umax = umax;
        }
        result.var_off = tnum_add(ptr.var_off, off.var_off);
        if (ptr.is_packet_pointer()) {
            result.id = new_id();
            result.range = 0;
        }
        break;
    }
    case AluOp::Sub: {
        if (&off_in == &dst && &ptr_in != &dst)
            return reject(EACCES, "R%u tried to subtract pointer from scalar\n", dst_regno);
        if (ptr.type == RegType::PtrToStack)
            return reject(EACCES, "R%u subtraction from stack pointer prohibited\n", dst_regno);
        i64 fixed = static_cast<i64>(ptr.off) - off.smin;
        if (known && fixed == static_cast<i64>(static_cast<i32>(fixed))) {
            result.off = static_cast<i32>(fixed);
            break;
        }
        i64 smin, smax;
        if (__builtin_sub_overflow(ptr.smin, off.smax, &smin) || __builtin_sub_overflow(ptr.smax, off.smin, &smax)) {
            result.smin = INT64_MIN;
            result.smax = INT64_MAX;
        } else {
            result.smin = smin;
            result.smax = smax;
        }
        if (ptr.umin < off.umax) {
            result.umin = 0;
            result.umax = UINT64_MAX;
        } else {
            result.umin = ptr.umin - off.umax;
            result.umax = ptr.umax - off.umin;
        }
        result.var_off = tnum_sub(ptr.var_off, off.var_off);
        if (ptr.is_packet_pointer()) {
            result.id = new_id();
            if (off.smin < 0)
                result.range = 0;
        }
        break;
    }
    case AluOp::And:
    case AluOp::Or:
    case AluOp::Xor:
        return reject(EACCES, "R%u bitwise operator %s on pointer prohibited\n", dst_regno, alu_name(info.op));
    default:
        return reject(EACCES, "R%u pointer arithmetic with %s operator prohibited\n", dst_regno, alu_name(info.op));
    }
    if (!check_reg_sane_offset(result, ptr.type))
        return Error(EINVAL);
    result.sync_bounds();
    dst = result;
    return {};
}

}
