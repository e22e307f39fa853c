// The decoder: raw BPF instructions -> typed Instructions, validating every field the way Linux
// does before verification (unknown opcodes, reserved fields that must be zero, registers > 10,
// writes to r10, LD_IMM64 without its second half, branch and call targets outside the program
// or into the middle of an LD_IMM64). Each rejection names the instruction index.
//
// Output has one Instruction per raw slot (see Instruction.h). Decoding is structural only:
// helper ids are linked and subprograms found by Program::try_create.
#pragma once

#include "bpf/isa/Diagnostic.h"
#include "bpf/isa/Instruction.h"
#include "klib/Error.h"
#include "klib/Span.h"
#include "klib/Vector.h"

namespace bpf::isa {

// Decodes a whole program. EINVAL (with a message in `diag`) on the first malformed
// instruction; ENOMEM if the output cannot be allocated.
ErrorOr<Vector<Instruction>> decode(Span<RawInstruction const> program, Diagnostic* diag = nullptr);

}
