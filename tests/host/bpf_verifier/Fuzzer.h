// Soundness fuzzing of the verifier: a generator of random, mostly well-formed BPF programs
// (stack and map value accesses with and without bounds checks, NULL checks, packet range
// checks, spills and fills, 32-bit arithmetic, branches, bounded loops, helpers, ring buffer
// records, bpf-to-bpf calls and bpf_loop callbacks), and a driver that verifies each one and
// runs every accepted program on the checked interpreter (tools/bpfvm/SafetyInterpreter.h)
// with several random inputs. A run that touches memory it may not, reads an uninitialized
// register or stack byte, or does not terminate is a violation of the verifier's promise.
#pragma once

#include "bpf/isa/Encoding.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace verifier_fuzz {

struct FuzzProgram {
    uint32_t prog_type;
    std::vector<bpf::isa::RawInstruction> instructions;
};

struct FuzzStats {
    uint64_t generated { 0 };
    uint64_t accepted { 0 };
    uint64_t runs { 0 };
    uint64_t violations { 0 };
    uint64_t budget_stops { 0 };
    std::vector<std::string> examples; // the first few violations, with their programs
    bool collect_reasons { false };    // tally the first rejection message of each program
    std::map<std::string, uint64_t> reasons;
};

// Program number `index` of the stream seeded by `seed` (deterministic).
FuzzProgram generate(uint64_t seed, uint64_t index);

// Generates, verifies and runs `count` programs starting at `first`; accumulates into stats.
void fuzz(uint64_t seed, uint64_t first, uint64_t count, FuzzStats& stats, unsigned runs_per_program = 3);

// The program's text for reports.
std::string describe(FuzzProgram const& program);

}
