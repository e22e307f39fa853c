// Shared helpers of the ISA host tests: assemble/decode/link/run a program written in the asm
// dialect, and list the conformance data files.
#pragma once

#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Interpreter.h"
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace isa_test {

std::vector<std::string> data_files(std::string const& directory);
std::string read_file(std::string const& path);

std::vector<bpf::isa::RawInstruction> assemble_or_fail(std::string const& source);

// Assembles, decodes and links with `environment` (plugin helpers by default); REQUIREs success.
RefPtr<bpf::Program> build(std::string const& source, bpf::isa::ExecutionEnvironment const* environment = nullptr);

// Runs with r1 = memory, r2 = its size; checked unless `checked` is false. REQUIREs success.
uint64_t run_program(bpf::Program const& program, std::vector<uint8_t>& memory, bool checked = true);
uint64_t run_source(std::string const& source, std::vector<uint8_t> memory = {}, bool checked = true);

// The error message of decoding raw instructions (empty if they decode).
std::string decode_error(std::vector<bpf::isa::RawInstruction> const& raw);

}
