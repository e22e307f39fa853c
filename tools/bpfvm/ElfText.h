// Extracts the program of a BPF ELF object built by `clang -target bpf -c`: the .text section,
// which must start with the global function `entry` and need no relocations (calls between
// static functions of one section are already resolved by LLVM). Host-only; for benchmarks.
#pragma once

#include "bpf/isa/Encoding.h"
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

std::optional<std::vector<bpf::isa::RawInstruction>> load_elf_text(std::string const& path, std::string& error);

}
