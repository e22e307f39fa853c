// Mnemonic tables of the conformance asm dialect, shared by the assembler (name -> encoding)
// and the disassembler (decoded Op -> name), so the two cannot drift apart.
#pragma once

#include "bpf/isa/Instruction.h"
#include "klib/StringView.h"

namespace bpf::isa {

struct AluMnemonic {
    enum class Kind : u8 {
        Binary,         // op %rD, %rS|imm
        Unary,          // op %rD (neg, le/be/swap: imm = width)
        MoveSignExtend, // movsxNM %rD, %rS
    };
    char const* name;
    u8 code;      // operation bits (with source_x for be*)
    bool is64;
    Kind kind;
    i16 offset;   // sdiv/smod: 1, movsx: 8/16/32
    i32 imm;      // le/be/swap widths
};

struct JumpMnemonic {
    char const* name;
    u8 code;
    bool is64;
};

struct MemoryMnemonic {
    enum class Kind : u8 {
        Load,           // ldx* %rD, [%rS+off]
        StoreImm,       // st* [%rD+off], imm
        StoreReg,       // stx* [%rD+off], %rS
        PacketAbsolute, // ldabs* imm
        PacketIndirect, // ldind* %rS, imm
    };
    char const* name;
    u8 opcode;
    Kind kind;
    i32 imm { 0 }; // load-acquire / store-release: the atomic operation in imm
};

struct PseudoMnemonic {
    char const* name; // lddw %rD, name(args)
    u8 kind;          // BPF_PSEUDO_* value for src_reg
    u8 argument_count;
};

AluMnemonic const* find_alu_mnemonic(StringView);
JumpMnemonic const* find_jump_mnemonic(StringView);
MemoryMnemonic const* find_memory_mnemonic(StringView);
PseudoMnemonic const* find_pseudo_mnemonic(StringView);
PseudoMnemonic const* find_pseudo_mnemonic(u8 kind);

// Dialect names of decoded operations, for the disassembler.
char const* alu_base_name(Op);   // "add" for Add64Imm..Add32Reg; nullptr if not a binary ALU op
char const* jump_base_name(Op);  // "jeq" for JeqImm..Jeq32Reg; nullptr if not a conditional jump
char const* memory_name(Op);     // "ldxw", "stb", "stxdw", "ldabsh", "ldacqw", ...; nullptr otherwise

}
