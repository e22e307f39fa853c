// Instruction text in the format of Linux's kernel/bpf/disasm.c (what the verifier log and
// bpftool's xlated dumps print): "(61) r0 = *(u32 *)(r1 +4)", "(15) if r0 == 0x0 goto pc+2",
// "(85) call bpf_map_lookup_elem#1". Works on raw instructions, valid or not.
#pragma once

#include "bpf/isa/Encoding.h"
#include "klib/String.h"

namespace bpf::verifier {

// Appends the text of insns[index] (no newline). `lddw_value` is what an LD_IMM64 prints
// (the value after map resolution).
void print_kernel_insn(StringBuilder& out, isa::RawInstruction const* insns, u32 count, u32 index, u64 lddw_value);

}
