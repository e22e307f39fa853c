// `bpfvm verify --bench`: verification time per processed instruction, ours against the host
// Linux verifier's own reported time, for the same programs in the same run (see
// VerifyBench.cpp).
#pragma once

#include <string>
#include <vector>

namespace bpfvm {

int command_verify_bench(std::vector<std::string> const& args);

}
