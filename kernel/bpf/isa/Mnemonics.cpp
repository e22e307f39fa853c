// The mnemonic tables (see Mnemonics.h).
#include "bpf/isa/Mnemonics.h"

namespace bpf::isa {

using namespace encoding;

namespace {

using AluKind = AluMnemonic::Kind;
using MemoryKind = MemoryMnemonic::Kind;

#define BINARY(name, code, offset) \
    { name, code, true, AluKind::Binary, offset, 0 }, { name "64", code, true, AluKind::Binary, offset, 0 }, { name "32", code, false, AluKind::Binary, offset, 0 }

constexpr AluMnemonic alu_mnemonics[] = {
    BINARY("add", alu_add, 0), BINARY("sub", alu_sub, 0), BINARY("mul", alu_mul, 0), BINARY("div", alu_div, 0),
    BINARY("sdiv", alu_div, 1), BINARY("mod", alu_mod, 0), BINARY("smod", alu_mod, 1), BINARY("or", alu_or, 0),
    BINARY("and", alu_and, 0), BINARY("xor", alu_xor, 0), BINARY("lsh", alu_lsh, 0), BINARY("rsh", alu_rsh, 0),
    BINARY("arsh", alu_arsh, 0), BINARY("mov", alu_mov, 0),
    { "neg", alu_neg, true, AluKind::Unary, 0, 0 },
    { "neg64", alu_neg, true, AluKind::Unary, 0, 0 },
    { "neg32", alu_neg, false, AluKind::Unary, 0, 0 },
    { "le16", alu_end, false, AluKind::Unary, 0, 16 },
    { "le32", alu_end, false, AluKind::Unary, 0, 32 },
    { "le64", alu_end, false, AluKind::Unary, 0, 64 },
    { "be16", alu_end | source_x, false, AluKind::Unary, 0, 16 },
    { "be32", alu_end | source_x, false, AluKind::Unary, 0, 32 },
    { "be64", alu_end | source_x, false, AluKind::Unary, 0, 64 },
    { "swap16", alu_end, true, AluKind::Unary, 0, 16 },
    { "swap32", alu_end, true, AluKind::Unary, 0, 32 },
    { "swap64", alu_end, true, AluKind::Unary, 0, 64 },
    { "bswap16", alu_end, true, AluKind::Unary, 0, 16 },
    { "bswap32", alu_end, true, AluKind::Unary, 0, 32 },
    { "bswap64", alu_end, true, AluKind::Unary, 0, 64 },
    { "movsx864", alu_mov, true, AluKind::MoveSignExtend, 8, 0 },
    { "movsx1664", alu_mov, true, AluKind::MoveSignExtend, 16, 0 },
    { "movsx3264", alu_mov, true, AluKind::MoveSignExtend, 32, 0 },
    { "movsx832", alu_mov, false, AluKind::MoveSignExtend, 8, 0 },
    { "movsx1632", alu_mov, false, AluKind::MoveSignExtend, 16, 0 },
};
#undef BINARY

#define CONDITIONAL(name, code) { name, code, true }, { name "32", code, false }

constexpr JumpMnemonic jump_mnemonics[] = {
    { "ja", jmp_ja, true }, { "ja32", jmp_ja, false }, { "gotol", jmp_ja, false },
    CONDITIONAL("jeq", jmp_jeq), CONDITIONAL("jne", jmp_jne), CONDITIONAL("jgt", jmp_jgt), CONDITIONAL("jge", jmp_jge),
    CONDITIONAL("jlt", jmp_jlt), CONDITIONAL("jle", jmp_jle), CONDITIONAL("jsgt", jmp_jsgt), CONDITIONAL("jsge", jmp_jsge),
    CONDITIONAL("jslt", jmp_jslt), CONDITIONAL("jsle", jmp_jsle), CONDITIONAL("jset", jmp_jset),
};
#undef CONDITIONAL

constexpr MemoryMnemonic memory_mnemonics[] = {
    { "ldxb", class_ldx | mode_mem | size_b, MemoryKind::Load },
    { "ldxh", class_ldx | mode_mem | size_h, MemoryKind::Load },
    { "ldxw", class_ldx | mode_mem | size_w, MemoryKind::Load },
    { "ldxdw", class_ldx | mode_mem | size_dw, MemoryKind::Load },
    { "ldxsb", class_ldx | mode_memsx | size_b, MemoryKind::Load },
    { "ldxsh", class_ldx | mode_memsx | size_h, MemoryKind::Load },
    { "ldxsw", class_ldx | mode_memsx | size_w, MemoryKind::Load },
    { "stb", class_st | mode_mem | size_b, MemoryKind::StoreImm },
    { "sth", class_st | mode_mem | size_h, MemoryKind::StoreImm },
    { "stw", class_st | mode_mem | size_w, MemoryKind::StoreImm },
    { "stdw", class_st | mode_mem | size_dw, MemoryKind::StoreImm },
    { "stxb", class_stx | mode_mem | size_b, MemoryKind::StoreReg },
    { "stxh", class_stx | mode_mem | size_h, MemoryKind::StoreReg },
    { "stxw", class_stx | mode_mem | size_w, MemoryKind::StoreReg },
    { "stxdw", class_stx | mode_mem | size_dw, MemoryKind::StoreReg },
    { "ldabsb", class_ld | mode_abs | size_b, MemoryKind::PacketAbsolute },
    { "ldabsh", class_ld | mode_abs | size_h, MemoryKind::PacketAbsolute },
    { "ldabsw", class_ld | mode_abs | size_w, MemoryKind::PacketAbsolute },
    { "ldindb", class_ld | mode_ind | size_b, MemoryKind::PacketIndirect },
    { "ldindh", class_ld | mode_ind | size_h, MemoryKind::PacketIndirect },
    { "ldindw", class_ld | mode_ind | size_w, MemoryKind::PacketIndirect },
    { "ldacqb", class_stx | mode_atomic | size_b, MemoryKind::Load, atomic_load_acquire },
    { "ldacqh", class_stx | mode_atomic | size_h, MemoryKind::Load, atomic_load_acquire },
    { "ldacqw", class_stx | mode_atomic | size_w, MemoryKind::Load, atomic_load_acquire },
    { "ldacqdw", class_stx | mode_atomic | size_dw, MemoryKind::Load, atomic_load_acquire },
    { "strelb", class_stx | mode_atomic | size_b, MemoryKind::StoreReg, atomic_store_release },
    { "strelh", class_stx | mode_atomic | size_h, MemoryKind::StoreReg, atomic_store_release },
    { "strelw", class_stx | mode_atomic | size_w, MemoryKind::StoreReg, atomic_store_release },
    { "streldw", class_stx | mode_atomic | size_dw, MemoryKind::StoreReg, atomic_store_release },
};

constexpr PseudoMnemonic pseudo_mnemonics[] = {
    { "map_fd", pseudo_map_fd, 1 },
    { "map_value", pseudo_map_value, 2 },
    { "btf_id", pseudo_btf_id, 2 },
    { "func", pseudo_func, 1 },
    { "map_idx", pseudo_map_idx, 1 },
    { "map_idx_value", pseudo_map_idx_value, 2 },
};

template<typename T, usize N>
T const* find_by_name(T const (&table)[N], StringView name)
{
    for (auto const& entry : table) {
        if (name == StringView(entry.name))
            return &entry;
    }
    return nullptr;
}

// Position of `op` inside a group of four variants starting at `first` of `count` groups.
i32 group_of(Op op, Op first, u32 groups)
{
    auto offset = static_cast<i32>(op) - static_cast<i32>(first);
    if (offset < 0 || offset >= static_cast<i32>(groups * 4))
        return -1;
    return offset / 4;
}

}

AluMnemonic const* find_alu_mnemonic(StringView name) { return find_by_name(alu_mnemonics, name); }
JumpMnemonic const* find_jump_mnemonic(StringView name) { return find_by_name(jump_mnemonics, name); }
MemoryMnemonic const* find_memory_mnemonic(StringView name) { return find_by_name(memory_mnemonics, name); }
PseudoMnemonic const* find_pseudo_mnemonic(StringView name) { return find_by_name(pseudo_mnemonics, name); }

PseudoMnemonic const* find_pseudo_mnemonic(u8 kind)
{
    for (auto const& entry : pseudo_mnemonics) {
        if (entry.kind == kind)
            return &entry;
    }
    return nullptr;
}

char const* alu_base_name(Op op)
{
    // Same order as the BPF_ISA_ALU_OP groups in Instruction.h.
    static char const* const names[] = { "add", "sub", "mul", "div", "sdiv", "mod", "smod", "or", "and", "xor", "lsh", "rsh", "arsh", "mov" };
    i32 group = group_of(op, Op::Add64Imm, 14);
    return group < 0 ? nullptr : names[group];
}

char const* jump_base_name(Op op)
{
    // Same order as the BPF_ISA_JUMP_OP groups in Instruction.h.
    static char const* const names[] = { "jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset" };
    i32 group = group_of(op, Op::JeqImm, 11);
    return group < 0 ? nullptr : names[group];
}

char const* memory_name(Op op)
{
    switch (op) {
    case Op::LdxB: return "ldxb";
    case Op::LdxH: return "ldxh";
    case Op::LdxW: return "ldxw";
    case Op::LdxDW: return "ldxdw";
    case Op::LdxsB: return "ldxsb";
    case Op::LdxsH: return "ldxsh";
    case Op::LdxsW: return "ldxsw";
    case Op::StB: return "stb";
    case Op::StH: return "sth";
    case Op::StW: return "stw";
    case Op::StDW: return "stdw";
    case Op::StxB: return "stxb";
    case Op::StxH: return "stxh";
    case Op::StxW: return "stxw";
    case Op::StxDW: return "stxdw";
    case Op::LdAbsB: return "ldabsb";
    case Op::LdAbsH: return "ldabsh";
    case Op::LdAbsW: return "ldabsw";
    case Op::LdIndB: return "ldindb";
    case Op::LdIndH: return "ldindh";
    case Op::LdIndW: return "ldindw";
    case Op::LoadAcquireB: return "ldacqb";
    case Op::LoadAcquireH: return "ldacqh";
    case Op::LoadAcquireW: return "ldacqw";
    case Op::LoadAcquireDW: return "ldacqdw";
    case Op::StoreReleaseB: return "strelb";
    case Op::StoreReleaseH: return "strelh";
    case Op::StoreReleaseW: return "strelw";
    case Op::StoreReleaseDW: return "streldw";
    default: return nullptr;
    }
}

}
