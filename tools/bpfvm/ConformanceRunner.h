// Runs one conformance .data file through the whole pipeline: parse -> assemble (checking the
// result against a `-- raw` section when both exist) -> decode -> link (Program::try_create) ->
// bounds-checked interpretation with r1 = memory, r2 = its length -> comparison with the
// expected result or error. Used by `bpfvm conformance` and the host tests.
#pragma once

#include "bpf/isa/Encoding.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

enum class Stage {
    Parse,
    Assemble,
    Decode,
    Link,
    Run,
    Completed, // the program ran to its end
};

char const* stage_name(Stage);

struct Outcome {
    Stage stage { Stage::Parse };      // where processing stopped
    std::string message;               // why it stopped, or why the expectation failed
    std::optional<uint64_t> r0;        // when the program ran
    bool matches_expectation { false }; // expected result seen, or expected error seen
    uint64_t executed_instructions { 0 };

    // True when the file was not accepted as a passing program (any stage failed or the
    // result did not match): what a negative test requires.
    bool rejected() const { return stage != Stage::Completed || !matches_expectation; }
};

struct RunnerOptions {
    bool test_environment { true };    // plugin helpers plus the test doubles (see PluginEnvironment.h)
    uint64_t instruction_budget { 100'000'000 };
};

Outcome run_conformance_text(std::string const& text, RunnerOptions const& = {});
Outcome run_conformance_path(std::string const& path, RunnerOptions const& = {});

// Assembles or extracts a file's program (no decoding); nullopt with `error` set on failure.
std::optional<std::vector<bpf::isa::RawInstruction>> program_of_file(std::string const& text, std::string& error);

}
