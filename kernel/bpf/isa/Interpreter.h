// The interpreter: runs a linked Program with Linux semantics (division by zero yields 0, modulo
// by zero keeps dst, shift amounts masked, 32-bit results zero-extended, bpf-to-bpf calls with
// up to 8 frames of 512 bytes of stack each and callee-saved r6..r9, tail calls through
// bpf::tail_call_lookup, helpers by Linux id). Dispatch is threaded (computed goto over the
// decoded Op); nothing is allocated while running.
//
// Two instantiations: unchecked (the kernel's: the verifier has proven every access safe) and
// bounds-checked (host tools: every load/store must fall inside the stack or a listed region,
// atomics must be aligned, executed instructions are counted and an optional budget stops
// runaway loops).
#pragma once

#include "bpf/isa/Diagnostic.h"
#include "bpf/isa/Program.h"
#include "klib/Span.h"

namespace bpf::isa {

struct MemoryRegion {
    u64 start;
    u64 size;
};

struct RunOptions {
    bool bounds_checked { false };
    Span<MemoryRegion const> regions {}; // besides the program's own stack (checked mode only)
    u64 instruction_budget { 0 };        // checked mode only; 0 = unlimited
    u64* executed_instructions { nullptr }; // checked mode only: receives the count executed
};

struct Arguments {
    u64 r1 { 0 };
    u64 r2 { 0 };
    u64 r3 { 0 };
    u64 r4 { 0 };
    u64 r5 { 0 };
};

// Runs `program` from instruction 0 with r1..r5 = arguments and returns r0. Errors (checked mode
// faults, call depth beyond 8 frames, callx to an unknown helper, a helper callback fault) are
// returned as errno with the reason and instruction index in `diag`.
ErrorOr<u64> run(Program const& program, Arguments const& arguments, RunOptions const& options = {}, Diagnostic* diag = nullptr);


}
