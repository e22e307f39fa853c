// `bpfvm bench`: times benchmark programs (BPF ELF objects from bench/isa) on our interpreter
// (the kernel's unchecked configuration), natively (a shared object with bench_<name>
// functions compiled from the same C) and on the host kernel's JIT (BPF_PROG_TEST_RUN with
// repeat), and prints a table. See scripts/bench.
#pragma once

#include <string>
#include <vector>

namespace bpfvm {

int command_bench(std::vector<std::string> const& args);

}
