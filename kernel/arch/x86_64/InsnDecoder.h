// x86-64 instruction length decoder: splits one 64-bit-mode instruction into its parts
// (legacy prefixes, REX, VEX/EVEX/XOP, opcode map and byte, ModRM, SIB, displacement,
// immediates) without interpreting what it does. Used by kprobes to check that a probe sits
// on an instruction boundary, to copy the probed instruction out of line and fix up a
// RIP-relative displacement, and to pick the instructions that must be emulated.
//
// Pure code (no kernel state): it is built into the host tests, which decode every
// instruction of the kernel image and compare the lengths with objdump.
#pragma once

#include "klib/Error.h"
#include "klib/Types.h"

namespace x86 {

constexpr usize max_instruction_length = 15;

enum class OpcodeMap : u8 {
    OneByte,  // no escape
    Map0F,    // 0F xx
    Map0F38,  // 0F 38 xx (VEX/EVEX map 2)
    Map0F3A,  // 0F 3A xx (VEX/EVEX map 3)
    ThreeDNow, // 0F 0F modrm imm8: the opcode is the trailing byte
    Other,    // EVEX maps 5/6, XOP maps 8/9/A
};

enum class Encoding : u8 {
    Legacy,
    Vex,
    Evex,
    Xop,
};

struct Instruction {
    u8 length { 0 };
    u8 prefix_count { 0 };     // legacy prefixes (F0 F2 F3 2E 36 3E 26 64 65 66 67)
    bool operand_size_prefix { false }; // 66
    bool address_size_prefix { false }; // 67
    bool lock_prefix { false };
    bool rep_prefix { false };  // F3
    bool repne_prefix { false }; // F2
    u8 rex { 0 };               // the REX byte in effect, 0 if none
    Encoding encoding { Encoding::Legacy };
    OpcodeMap map { OpcodeMap::OneByte };
    u8 opcode { 0 };            // the opcode byte within its map
    u8 opcode_offset { 0 };
    bool has_modrm { false };
    u8 modrm { 0 };
    u8 modrm_offset { 0 };
    bool has_sib { false };
    u8 sib { 0 };
    u8 displacement_offset { 0 };
    u8 displacement_size { 0 }; // 0, 1, 2, 4 or 8 (moffs)
    i64 displacement { 0 };
    u8 immediate_offset { 0 };
    u8 immediate_size { 0 };    // first immediate: 0, 1, 2, 4 or 8
    i64 immediate { 0 };        // sign-extended
    u8 immediate2_size { 0 };   // ENTER's second immediate (imm8)
    bool rip_relative { false }; // ModRM mod=00 rm=101: disp32 relative to the next instruction

    bool rex_w() const { return rex & 8; }
    bool rex_b() const { return rex & 1; }
    u8 modrm_mod() const { return modrm >> 6; }
    u8 modrm_reg() const { return (modrm >> 3) & 7; }
    u8 modrm_rm() const { return modrm & 7; }
};

// Decodes the instruction at `bytes` (at most `available` bytes are read). EILSEQ for an
// opcode that is invalid in 64-bit mode, an instruction longer than 15 bytes, or one that
// does not fit in `available`.
ErrorOr<Instruction> decode_instruction(u8 const* bytes, usize available);

}
