// The assembler for the conformance-suite dialect (the uBPF/bpf_conformance syntax):
//
//   mov32 %r0, 0            add %r1, %r2          sdiv32 %r0, -3       neg %r1
//   lddw %r0, 0x1122334455667788                  lddw %r1, map_fd(3)  lddw %r2, func(cb)
//   ldxw %r0, [%r1+4]       ldxsb %r0, [%r10-1]   stw [%r10-4], 7      stxdw [%r1], %r2
//   jeq %r1, 5, +2          jsgt32 %r1, %r2, done ja -3               ja32 far / gotol far
//   lock fetch add32 [%r10-4], %r1              lock cmpxchg [%r1+8], %r2
//   call 1                  call local func       call %r2 / callx %r2  exit
//   be16 %r0  le32 %r0  swap64 %r0 (bswap)        movsx832 %r1, %r2    ldabsw 12  ldindb %r2, 0
//
// `#` starts a comment; `name:` defines a label; jump targets are labels or +N/-N relative
// offsets; the label `exit` means the first EXIT unless defined. Decimal immediates must fit the
// field as signed numbers, hex ones as bit patterns. Errors carry the 1-based line number.
#pragma once

#include "bpf/isa/Diagnostic.h"
#include "bpf/isa/Encoding.h"
#include "klib/Error.h"
#include "klib/StringView.h"
#include "klib/Vector.h"

namespace bpf::isa {

ErrorOr<Vector<RawInstruction>> assemble(StringView source, Diagnostic* diag = nullptr);

}
