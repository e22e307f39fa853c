// Static liveness and relevance of registers and stack slots, computed once before the walk
// and used by state pruning (StateEquivalence.cpp).
//
// For every instruction i (state *before* i) and for the frame executing it:
//   live_regs / live_slots          may be read on some path from i before being overwritten;
//   relevant_regs / relevant_slots  live, and the *value* may influence a safety decision on
//                                   some path: a branch, a pointer offset, a memory access
//                                   base, a helper argument other than ARG_ANYTHING, the
//                                   returned r0, or a value stored to the stack.
// A dead register or slot cannot matter; a live but irrelevant scalar matters only through
// its type, so pruning may treat any two scalars there as equivalent. This is Linux's
// liveness plus precision tracking, computed as a sound over-approximation by a backward
// dataflow analysis instead of being discovered during the walk.
//
// Stack slots are 8-byte slots of the current frame (bit s: bytes [fp-8(s+1), fp-8s)). A
// forward analysis tracks which registers hold fp + constant, so that accesses through copies
// of r10 name precise slots; an access through a pointer that might point anywhere into the
// current frame (fp + variable, a value loaded from the stack) touches every slot.
// Interprocedural facts are conservative: a callee may read r1..r5 and every caller slot at
// or above a stack pointer passed to it. r0 is live at every EXIT; it is relevant at the EXIT
// of a callback (its return value is range-checked), of the main program when the program
// type checks the return value, and of a subprogram whose callers use r0 relevantly.
#pragma once

#include "bpf/isa/Instruction.h"
#include "klib/Error.h"
#include "klib/Span.h"
#include "klib/Vector.h"

namespace bpf::verifier {

struct LiveSet {
    u16 live_regs { 0 };
    u16 relevant_regs { 0 };
    u64 live_slots { 0 };
    u64 relevant_slots { 0 };

    bool operator==(LiveSet const&) const = default;
};

class Liveness {
public:
    // `subprog_starts` is sorted and starts with 0; each subprogram ends where the next begins.
    // `main_return_checked`: the program type restricts the main program's return value.
    // `lddw_maps[i]`: for an LD_IMM64 map reference at i, an index into `key_sizes` (else -1).
    ErrorOr<void> compute(Span<isa::Instruction const> insns, Span<u32 const> subprog_starts, bool main_return_checked,
        Span<i32 const> lddw_maps, Span<u32 const> key_sizes);

    // The innermost frame at instruction `index`.
    LiveSet const& at(u32 index) const { return m_in[index]; }
    // A caller frame suspended at the call instruction `callsite` (a bpf-to-bpf call, or a
    // helper that calls a callback and comes back to the same instruction).
    LiveSet caller_frame(u32 callsite, bool callback_call) const;

private:
    Vector<LiveSet> m_in;
};

}
