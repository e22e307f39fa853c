// The verifier's soundness oracle: an interpreter for verified programs that checks, at every
// step, what the verifier promised:
//   - no register is read before it is written (at entry only r1 and r10 are valid; calls
//     leave r1..r5 unwritten; a subprogram starts with r1..r5 and r10 only);
//   - every load, store and atomic falls inside a region the program may touch: the frames'
//     stacks (current and callers'), the context, the packet, map values the program named or
//     got from a lookup, ring buffer records between reserve and submit/discard;
//   - stack bytes are written before they are read (unless uninitialized reads are allowed);
//   - helper arguments point to enough such memory, map arguments are maps;
//   - callbacks return 0 or 1, and the run ends within a budget of instructions.
// Any miss is a "violation": the verifier accepted something it should not have. Helpers are
// the kernel's (bpf::helper_table()) except bpf_loop, bpf_for_each_map_elem and
// bpf_tail_call, which the oracle performs itself (a tail call finds no program).
// Host-only; single-threaded.
#pragma once

#include "VerifierHarness.h"
#include <string>
#include <vector>

namespace bpfvm {

struct SafetyRunConfig {
    uint32_t prog_type { 0 };
    std::vector<uint8_t> ctx;     // context bytes in the UAPI layout (zero-filled if short)
    std::vector<uint8_t> packet;  // socket filter / XDP packet
    bool allow_uninit_stack { false };
    uint64_t instruction_budget { 20'000'000 };
};

struct SafetyResult {
    bool violation { false };
    std::string message;      // the violation, or why the run stopped
    uint64_t r0 { 0 };
    uint64_t executed { 0 };
    bool budget_exhausted { false };
};

SafetyResult safety_run(bpf::verifier::VerifiedProgram const& verified, MapSet& maps, SafetyRunConfig const& config);

}
