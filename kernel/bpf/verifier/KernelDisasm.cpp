// Linux-format instruction printing (see KernelDisasm.h).
#include "bpf/verifier/KernelDisasm.h"
#include "bpf/helpers/HelperProto.h"

namespace bpf::verifier {

using namespace isa::encoding;

namespace {

char const* alu_string(u8 op)
{
    static char const* const names[16] = { "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?" };
    return names[op >> 4];
}
char const* jmp_string(u8 op)
{
    static char const* const names[16] = { "jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "?", "?" };
    return names[op >> 4];
}
char const* ldst_string(u8 size)
{
    switch (size) {
    case size_w:
        return "u32";
    case size_h:
        return "u16";
    case size_b:
        return "u8";
    default:
        return "u64";
    }
}
char const* ldsx_string(u8 size)
{
    switch (size) {
    case size_w:
        return "s32";
    case size_h:
        return "s16";
    case size_b:
        return "s8";
    default:
        return "s64";
    }
}
char const* atomic_alu_string(i32 imm)
{
    switch (imm & 0xf0) {
    case alu_add:
        return "add";
    case alu_and:
        return "and";
    case alu_or:
        return "or";
    case alu_xor:
        return "xor";
    default:
        return "?";
    }
}

}

void print_kernel_insn(StringBuilder& out, isa::RawInstruction const* insns, u32 count, u32 index, u64 lddw_value)
{
    isa::RawInstruction const& insn = insns[index];
    u8 code = insn.opcode;
    u8 cls = op_class(code);
    auto f = [&](char const* fmt, auto... args) { (void)out.try_appendf(fmt, args...); };
    if (cls == class_alu || cls == class_alu64) {
        char r = cls == class_alu ? 'w' : 'r';
        u8 op = op_code(code);
        if (op == alu_end) {
            if (cls == class_alu64)
                f("(%02x) r%d = bswap%d r%d", code, insn.dst, insn.imm, insn.dst);
            else
                f("(%02x) r%d = %s%d r%d", code, insn.dst, op_source(code) == source_x ? "be" : "le", insn.imm, insn.dst);
        } else if (op == alu_neg) {
            f("(%02x) %c%d = -%c%d", code, r, insn.dst, r, insn.dst);
        } else {
            bool signed_op = (op == alu_div || op == alu_mod) && insn.offset == 1;
            char const* name = signed_op ? (op == alu_div ? "s/=" : "s%=") : alu_string(op);
            if (op_source(code) == source_x) {
                char const* movsx = "";
                if (op == alu_mov && insn.offset == 8)
                    movsx = "(s8)";
                else if (op == alu_mov && insn.offset == 16)
                    movsx = "(s16)";
                else if (op == alu_mov && insn.offset == 32)
                    movsx = "(s32)";
                f("(%02x) %c%d %s %s%c%d", code, r, insn.dst, name, movsx, r, insn.src);
            } else {
                f("(%02x) %c%d %s %d", code, r, insn.dst, name, insn.imm);
            }
        }
        return;
    }
    if (cls == class_stx) {
        u8 mode = op_mode(code);
        char const* size = ldst_string(op_size(code));
        char const* wide = op_size(code) == size_dw ? "64" : "";
        if (mode == mode_mem) {
            f("(%02x) *(%s *)(r%d %+d) = r%d", code, size, insn.dst, insn.offset, insn.src);
        } else if (mode == mode_atomic) {
            i32 imm = insn.imm;
            if (imm == atomic_add || imm == atomic_and || imm == atomic_or || imm == atomic_xor)
                f("(%02x) lock *(%s *)(r%d %+d) %s r%d", code, size, insn.dst, insn.offset, alu_string(static_cast<u8>(imm)), insn.src);
            else if (imm == (atomic_add | atomic_fetch) || imm == (atomic_and | atomic_fetch) || imm == (atomic_or | atomic_fetch)
                || imm == (atomic_xor | atomic_fetch))
                f("(%02x) r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", code, insn.src, wide, atomic_alu_string(imm), size, insn.dst, insn.offset,
                    insn.src);
            else if (imm == atomic_cmpxchg)
                f("(%02x) r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", code, wide, size, insn.dst, insn.offset, insn.src);
            else if (imm == atomic_xchg)
                f("(%02x) r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", code, insn.src, wide, size, insn.dst, insn.offset, insn.src);
            else if (imm == atomic_load_acquire)
                f("(%02x) r%d = load_acquire((%s *)(r%d %+d))", code, insn.dst, size, insn.src, insn.offset);
            else if (imm == atomic_store_release)
                f("(%02x) store_release((%s *)(r%d %+d), r%d)", code, size, insn.dst, insn.offset, insn.src);
            else
                f("BUG_%02x", code);
        } else {
            f("BUG_%02x", code);
        }
        return;
    }
    if (cls == class_st) {
        if (op_mode(code) == mode_mem)
            f("(%02x) *(%s *)(r%d %+d) = %d", code, ldst_string(op_size(code)), insn.dst, insn.offset, insn.imm);
        else
            f("BUG_st_%02x", code);
        return;
    }
    if (cls == class_ldx) {
        u8 mode = op_mode(code);
        if (mode != mode_mem && mode != mode_memsx) {
            f("BUG_ldx_%02x", code);
            return;
        }
        f("(%02x) r%d = *(%s *)(r%d %+d)", code, insn.dst, mode == mode_mem ? ldst_string(op_size(code)) : ldsx_string(op_size(code)), insn.src,
            insn.offset);
        return;
    }
    if (cls == class_ld) {
        u8 mode = op_mode(code);
        if (mode == mode_abs)
            f("(%02x) r0 = *(%s *)skb[%d]", code, ldst_string(op_size(code)), insn.imm);
        else if (mode == mode_ind)
            f("(%02x) r0 = *(%s *)skb[r%d + %d]", code, ldst_string(op_size(code)), insn.src, insn.imm);
        else if (mode == mode_imm && op_size(code) == size_dw && index + 1 < count)
            f("(%02x) r%d = 0x%llx", code, insn.dst, static_cast<unsigned long long>(lddw_value));
        else
            f("BUG_ld_%02x", code);
        return;
    }
    if (cls == class_jmp || cls == class_jmp32) {
        u8 op = op_code(code);
        char r = cls == class_jmp32 ? 'w' : 'r';
        if (op == jmp_call) {
            if (insn.src == call_pseudo) {
                f("(%02x) call pc%+d", code, insn.imm);
            } else {
                HelperProto const* proto = insn.imm >= 0 ? helper_proto(static_cast<u32>(insn.imm)) : nullptr;
                if (proto)
                    f("(%02x) call bpf_%s#%d", code, proto->name, insn.imm);
                else
                    f("(%02x) call unknown#%d", code, insn.imm);
            }
        } else if (code == (class_jmp | jmp_ja)) {
            f("(%02x) goto pc%+d", code, insn.offset);
        } else if (code == (class_jmp32 | jmp_ja)) {
            f("(%02x) gotol pc%+d", code, insn.imm);
        } else if (code == (class_jmp | jmp_exit)) {
            f("(%02x) exit", code);
        } else if (op_source(code) == source_x) {
            f("(%02x) if %c%d %s %c%d goto pc%+d", code, r, insn.dst, jmp_string(op), r, insn.src, insn.offset);
        } else {
            f("(%02x) if %c%d %s 0x%x goto pc%+d", code, r, insn.dst, jmp_string(op), static_cast<u32>(insn.imm), insn.offset);
        }
        return;
    }
    static char const* const classes[8] = { "ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64" };
    f("(%02x) %s", code, classes[cls]);
}

}
