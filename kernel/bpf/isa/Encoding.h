// The raw BPF instruction encoding (RFC 9669, Linux include/uapi/linux/bpf.h): the 8-byte
// instruction word and the opcode field values. Defined here rather than taken from the host's
// <linux/bpf.h> so that v4 encodings (MEMSX, SDIV/SMOD, gotol) exist regardless of header age.
// Invariant: RawInstruction has exactly struct bpf_insn's layout (little-endian bitfields).
#pragma once

#include "klib/Types.h"

namespace bpf::isa {

struct RawInstruction {
    u8 opcode;
    u8 dst : 4;
    u8 src : 4;
    i16 offset;
    i32 imm;

    static constexpr RawInstruction make(u8 opcode, u8 dst, u8 src, i16 offset, i32 imm)
    {
        RawInstruction raw {};
        raw.opcode = opcode;
        raw.dst = dst & 0xf;
        raw.src = src & 0xf;
        raw.offset = offset;
        raw.imm = imm;
        return raw;
    }
};
static_assert(sizeof(RawInstruction) == 8);

namespace encoding {

// Instruction classes (opcode & 0x07).
constexpr u8 class_ld = 0x00;
constexpr u8 class_ldx = 0x01;
constexpr u8 class_st = 0x02;
constexpr u8 class_stx = 0x03;
constexpr u8 class_alu = 0x04;
constexpr u8 class_jmp = 0x05;
constexpr u8 class_jmp32 = 0x06;
constexpr u8 class_alu64 = 0x07;

// Source operand (opcode & 0x08) for ALU/JMP.
constexpr u8 source_k = 0x00;
constexpr u8 source_x = 0x08;

// ALU operations (opcode & 0xf0).
constexpr u8 alu_add = 0x00;
constexpr u8 alu_sub = 0x10;
constexpr u8 alu_mul = 0x20;
constexpr u8 alu_div = 0x30;
constexpr u8 alu_or = 0x40;
constexpr u8 alu_and = 0x50;
constexpr u8 alu_lsh = 0x60;
constexpr u8 alu_rsh = 0x70;
constexpr u8 alu_neg = 0x80;
constexpr u8 alu_mod = 0x90;
constexpr u8 alu_xor = 0xa0;
constexpr u8 alu_mov = 0xb0;
constexpr u8 alu_arsh = 0xc0;
constexpr u8 alu_end = 0xd0;

// Jump operations (opcode & 0xf0).
constexpr u8 jmp_ja = 0x00;
constexpr u8 jmp_jeq = 0x10;
constexpr u8 jmp_jgt = 0x20;
constexpr u8 jmp_jge = 0x30;
constexpr u8 jmp_jset = 0x40;
constexpr u8 jmp_jne = 0x50;
constexpr u8 jmp_jsgt = 0x60;
constexpr u8 jmp_jsge = 0x70;
constexpr u8 jmp_call = 0x80;
constexpr u8 jmp_exit = 0x90;
constexpr u8 jmp_jlt = 0xa0;
constexpr u8 jmp_jle = 0xb0;
constexpr u8 jmp_jslt = 0xc0;
constexpr u8 jmp_jsle = 0xd0;

// Load/store sizes (opcode & 0x18) and modes (opcode & 0xe0).
constexpr u8 size_w = 0x00;
constexpr u8 size_h = 0x08;
constexpr u8 size_b = 0x10;
constexpr u8 size_dw = 0x18;
constexpr u8 mode_imm = 0x00;
constexpr u8 mode_abs = 0x20;
constexpr u8 mode_ind = 0x40;
constexpr u8 mode_mem = 0x60;
constexpr u8 mode_memsx = 0x80;
constexpr u8 mode_atomic = 0xc0;

// Atomic operations (imm of STX|ATOMIC).
constexpr i32 atomic_fetch = 0x01;
constexpr i32 atomic_add = alu_add;
constexpr i32 atomic_or = alu_or;
constexpr i32 atomic_and = alu_and;
constexpr i32 atomic_xor = alu_xor;
constexpr i32 atomic_xchg = 0xe0 | atomic_fetch;
constexpr i32 atomic_cmpxchg = 0xf0 | atomic_fetch;
constexpr i32 atomic_load_acquire = 0x100; // BPF_LOAD_ACQ (Linux 6.15+, LLVM -mcpu=v4)
constexpr i32 atomic_store_release = 0x110; // BPF_STORE_REL

// src_reg values of LD_IMM64 (BPF_PSEUDO_*).
constexpr u8 pseudo_none = 0;
constexpr u8 pseudo_map_fd = 1;
constexpr u8 pseudo_map_value = 2;
constexpr u8 pseudo_btf_id = 3;
constexpr u8 pseudo_func = 4;
constexpr u8 pseudo_map_idx = 5;
constexpr u8 pseudo_map_idx_value = 6;

// src_reg values of CALL.
constexpr u8 call_helper = 0;
constexpr u8 call_pseudo = 1;     // BPF_PSEUDO_CALL: imm is the pc-relative target
constexpr u8 call_kfunc = 2;      // BPF_PSEUDO_KFUNC_CALL

// Helper id that the interpreter handles itself (BPF_FUNC_tail_call).
constexpr i32 helper_tail_call = 12;

constexpr u8 op_class(u8 opcode) { return opcode & 0x07; }
constexpr u8 op_source(u8 opcode) { return opcode & 0x08; }
constexpr u8 op_code(u8 opcode) { return opcode & 0xf0; }
constexpr u8 op_size(u8 opcode) { return opcode & 0x18; }
constexpr u8 op_mode(u8 opcode) { return opcode & 0xe0; }

constexpr u8 lddw_opcode = class_ld | mode_imm | size_dw; // 0x18

}

}
