// The contract between the BPF execution core (kernel/bpf/isa: interpreter) and the data side
// (kernel/bpf/maps, kernel/bpf/helpers). Pure C++; no kernel services.
//
// - Helpers have Linux's calling convention: five u64 arguments in r1..r5, u64 result in r0.
//   The interpreter dispatches CALL imm through a table indexed by Linux helper id.
// - Maps reach programs as pointers: after verification, LD_IMM64 with src_reg=BPF_PSEUDO_MAP_FD
//   (or MAP_IDX) holds the address of the bpf::Map object, and MAP_VALUE/MAP_IDX_VALUE the address
//   of the value plus offset; helpers receive those addresses in their registers.
// - Callbacks (bpf_loop, bpf_for_each_map_elem): LD_IMM64 with src_reg=BPF_PSEUDO_FUNC produces a
//   "function value"; helpers invoke it through call_bpf_function(), which the interpreter
//   implements by running that subprogram of the currently executing program in a new frame.
// - Tail calls: the interpreter handles BPF_FUNC_tail_call itself and asks the PROG_ARRAY owner
//   for the target through the tail_call_lookup hook (nullptr = no program: the call falls through).
#pragma once

#include "klib/Types.h"

namespace bpf {

class Program; // kernel/bpf/isa/Program.h; reference counted.

using HelperFunction = u64 (*)(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5);

// Implemented by the interpreter. Calls a BPF function value of the program running on this
// CPU with up to five arguments and returns its r0.
u64 call_bpf_function(u64 function_value, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

// Set by the PROG_ARRAY map implementation; returns the program in slot `index` of the map
// at address `map`, or nullptr. Must not allocate or block.
using TailCallLookup = Program* (*)(u64 map, u32 index);
extern TailCallLookup tail_call_lookup;

constexpr u32 max_tail_calls = 33;     // MAX_TAIL_CALL_CNT
constexpr u32 max_call_frames = 8;     // MAX_CALL_FRAMES
constexpr u32 stack_size_per_frame = 512; // MAX_BPF_STACK

}
