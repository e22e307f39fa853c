// The decoded ("typed") instruction form. The decoder turns every raw instruction into exactly
// one Instruction (LD_IMM64's second slot becomes Op::LdImm64Tail, never executed), so indices
// in both forms agree. Later stages (Program, interpreter, disassembler) switch on `op` and never
// look at raw opcode bits again.
//
// Field meaning by operation:
//   ALU/ALU64 *Imm : imm = the immediate sign-extended to 64 bits (32-bit ops use its low half)
//   ALU *Reg       : src register
//   jumps          : target = absolute index of the destination instruction
//   Ldx/St/Stx/atomics: offset = signed memory offset; St*: imm = stored value
//   LoadAcquire*   : dst = *(src + offset); StoreRelease*: *(dst + offset) = src
//   LdImm64        : imm = the 64-bit value (after pseudo resolution), pseudo = BPF_PSEUDO_* kind,
//                    offset = the second half's imm for pseudo forms that use it (MAP_VALUE offset)
//   LdAbs/LdInd    : imm = packet offset (LdInd adds src)
//   Call/CallUnwind: offset = helper id; after Program linking, helper = the function
//   TailCall       : nothing (r1 = context, r2 = PROG_ARRAY map, r3 = index at run time)
//   CallLocal      : target = first instruction of the callee
//   Callx          : dst holds the helper id at run time
#pragma once

#include "Encoding.h"
#include "bpf/Runtime.h"

namespace bpf::isa {

#define BPF_ISA_ALU_OP(X, name) X(name##64Imm) X(name##64Reg) X(name##32Imm) X(name##32Reg)
#define BPF_ISA_JUMP_OP(X, name) X(name##Imm) X(name##Reg) X(name##32Imm) X(name##32Reg)
#define BPF_ISA_ATOMIC_OP(X, name) X(Atomic##name##32) X(Atomic##name##64) X(Atomic##name##Fetch32) X(Atomic##name##Fetch64)

// Every decoded operation, in one list: the enum, the interpreter's dispatch table and the
// name table are all generated from it, so they cannot disagree.
#define BPF_ISA_ENUMERATE_OPS(X)                                                         \
    X(Invalid)                                                                           \
    BPF_ISA_ALU_OP(X, Add) BPF_ISA_ALU_OP(X, Sub) BPF_ISA_ALU_OP(X, Mul)                 \
    BPF_ISA_ALU_OP(X, Div) BPF_ISA_ALU_OP(X, Sdiv) BPF_ISA_ALU_OP(X, Mod)                \
    BPF_ISA_ALU_OP(X, Smod) BPF_ISA_ALU_OP(X, Or) BPF_ISA_ALU_OP(X, And)                 \
    BPF_ISA_ALU_OP(X, Xor) BPF_ISA_ALU_OP(X, Lsh) BPF_ISA_ALU_OP(X, Rsh)                 \
    BPF_ISA_ALU_OP(X, Arsh) BPF_ISA_ALU_OP(X, Mov)                                       \
    X(Neg64) X(Neg32)                                                                    \
    X(Movsx8To64) X(Movsx16To64) X(Movsx32To64) X(Movsx8To32) X(Movsx16To32)           \
    X(Le16) X(Le32) X(Le64) X(Be16) X(Be32) X(Be64) X(Bswap16) X(Bswap32) X(Bswap64)     \
    X(LdImm64) X(LdImm64Tail)                                                            \
    X(LdAbsB) X(LdAbsH) X(LdAbsW) X(LdIndB) X(LdIndH) X(LdIndW)                          \
    X(LdxB) X(LdxH) X(LdxW) X(LdxDW) X(LdxsB) X(LdxsH) X(LdxsW)                         \
    X(StB) X(StH) X(StW) X(StDW) X(StxB) X(StxH) X(StxW) X(StxDW)                        \
    BPF_ISA_ATOMIC_OP(X, Add) BPF_ISA_ATOMIC_OP(X, Or)                                   \
    BPF_ISA_ATOMIC_OP(X, And) BPF_ISA_ATOMIC_OP(X, Xor)                                  \
    X(AtomicXchg32) X(AtomicXchg64) X(AtomicCmpxchg32) X(AtomicCmpxchg64)                \
    X(LoadAcquireB) X(LoadAcquireH) X(LoadAcquireW) X(LoadAcquireDW)                     \
    X(StoreReleaseB) X(StoreReleaseH) X(StoreReleaseW) X(StoreReleaseDW)                 \
    X(Ja) X(Gotol)                                                                       \
    BPF_ISA_JUMP_OP(X, Jeq) BPF_ISA_JUMP_OP(X, Jne) BPF_ISA_JUMP_OP(X, Jgt)              \
    BPF_ISA_JUMP_OP(X, Jge) BPF_ISA_JUMP_OP(X, Jlt) BPF_ISA_JUMP_OP(X, Jle)              \
    BPF_ISA_JUMP_OP(X, Jsgt) BPF_ISA_JUMP_OP(X, Jsge) BPF_ISA_JUMP_OP(X, Jslt)           \
    BPF_ISA_JUMP_OP(X, Jsle) BPF_ISA_JUMP_OP(X, Jset)                                    \
    X(Call) X(CallUnwind) X(TailCall) X(CallLocal) X(Callx) X(Exit)

enum class Op : u8 {
#define BPF_ISA_ENUM_ENTRY(name) name,
    BPF_ISA_ENUMERATE_OPS(BPF_ISA_ENUM_ENTRY)
#undef BPF_ISA_ENUM_ENTRY
        Count
};

static_assert(static_cast<unsigned>(Op::Count) <= 256);

// The name of an Op as written in the list above ("Add64Imm"); for diagnostics and tests.
char const* op_name(Op);

struct Instruction {
    Op op { Op::Invalid };
    u8 dst { 0 };
    u8 src { 0 };
    u8 pseudo { 0 };
    union {
        i32 offset { 0 };
        u32 target;
    };
    union {
        u64 imm { 0 };
        HelperFunction helper;
    };
};
static_assert(sizeof(Instruction) == 16);

}
