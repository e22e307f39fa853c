// The disassembler: decoded instructions -> text, in one of two syntaxes.
//   Syntax::Llvm - what `llvm-objdump -d` prints for BPF: "r0 = *(u32 *)(r1 + 4)", "if w1 > 5 goto +2",
//                  "lock *(u64 *)(r10 - 8) += r1"; whole listings carry the index and the raw bytes.
//   Syntax::Asm  - the conformance asm dialect accepted by assemble(); assemble(disassemble(p)) == p.
#pragma once

#include "bpf/isa/Diagnostic.h"
#include "bpf/isa/Instruction.h"
#include "klib/Span.h"
#include "klib/String.h"

namespace bpf::isa {

enum class Syntax : u8 {
    Llvm,
    Asm,
};

// Appends the text of the instruction at `index` of `program` (no newline).
ErrorOr<void> disassemble_instruction(Span<Instruction const> program, u32 index, Syntax, StringBuilder& out);

// Decodes `program` and appends one line per instruction. Llvm syntax lines look like
// "       0:\tb4 00 00 00 2a 00 00 00\tw0 = 42"; Asm syntax lines are bare instructions.
ErrorOr<void> disassemble(Span<RawInstruction const> program, Syntax, StringBuilder& out, Diagnostic* diag = nullptr);

}
