// The conformance pipeline (see ConformanceRunner.h).
#include "ConformanceRunner.h"
#include "ConformanceFile.h"
#include "PluginEnvironment.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Interpreter.h"
#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bpfvm {

using namespace bpf::isa;

char const* stage_name(Stage stage)
{
    switch (stage) {
    case Stage::Parse: return "parse";
    case Stage::Assemble: return "assemble";
    case Stage::Decode: return "decode";
    case Stage::Link: return "link";
    case Stage::Run: return "run";
    case Stage::Completed: return "completed";
    }
    return "?";
}

namespace {

std::string hex(uint64_t value)
{
    char text[24];
    snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

bool contains_ignoring_case(std::string const& haystack, std::string const& needle)
{
    auto lower = [](std::string text) {
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
        return text;
    };
    return lower(haystack).find(lower(needle)) != std::string::npos;
}

std::string diagnostic_text(Diagnostic const& diag, int error)
{
    if (diag.has_message())
        return diag.message();
    return std::string("errno ") + std::to_string(error);
}

std::vector<RawInstruction> raw_instructions(std::vector<uint8_t> const& bytes)
{
    std::vector<RawInstruction> instructions(bytes.size() / 8);
    std::memcpy(instructions.data(), bytes.data(), instructions.size() * 8);
    return instructions;
}

// Produces the program, or stops the outcome at the parse/assemble stage.
std::optional<std::vector<RawInstruction>> build_program(ConformanceFile const& file, Outcome& outcome)
{
    if (!file.has_asm)
        return raw_instructions(file.raw);
    outcome.stage = Stage::Assemble;
    Diagnostic diag;
    auto assembled = assemble(StringView(file.asm_source.data(), file.asm_source.size()), &diag);
    if (assembled.is_error()) {
        outcome.message = "assembler: " + diagnostic_text(diag, assembled.error().code());
        return std::nullopt;
    }
    std::vector<RawInstruction> program(assembled.value().begin(), assembled.value().end());
    if (file.has_raw) {
        auto raw = raw_instructions(file.raw);
        if (raw.size() != program.size() || std::memcmp(raw.data(), program.data(), raw.size() * 8) != 0) {
            outcome.message = "assembler output differs from the file's raw section";
            return std::nullopt;
        }
    }
    return program;
}

void judge(ConformanceFile const& file, Outcome& outcome)
{
    if (outcome.stage != Stage::Completed) {
        // Stopped early: that is what a file expecting an error wants, if the text matches.
        outcome.matches_expectation = file.error && contains_ignoring_case(outcome.message, *file.error);
        if (file.error && !outcome.matches_expectation)
            outcome.message += " (expected error: '" + *file.error + "')";
        return;
    }
    if (file.error) {
        outcome.matches_expectation = false;
        outcome.message = "expected an error ('" + *file.error + "') but the program returned " + hex(*outcome.r0);
        return;
    }
    outcome.matches_expectation = *outcome.r0 == *file.result;
    if (!outcome.matches_expectation)
        outcome.message = "result " + hex(*outcome.r0) + " differs from the expected " + hex(*file.result);
}

}

std::optional<std::vector<RawInstruction>> program_of_file(std::string const& text, std::string& error)
{
    auto parsed = parse_conformance_file(text);
    if (!parsed.file) {
        error = parsed.error;
        return std::nullopt;
    }
    Outcome outcome;
    auto program = build_program(*parsed.file, outcome);
    if (!program)
        error = outcome.message;
    return program;
}

Outcome run_conformance_text(std::string const& text, RunnerOptions const& options)
{
    Outcome outcome;
    auto parsed = parse_conformance_file(text);
    if (!parsed.file) {
        outcome.message = parsed.error;
        return outcome;
    }
    ConformanceFile file = *parsed.file;
    auto program = build_program(file, outcome);
    if (!program) {
        judge(file, outcome);
        return outcome;
    }

    outcome.stage = Stage::Decode;
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(program->data(), program->size()), &diag);
    if (decoded.is_error()) {
        outcome.message = "decoder: " + diagnostic_text(diag, decoded.error().code());
        judge(file, outcome);
        return outcome;
    }

    outcome.stage = Stage::Link;
    ExecutionEnvironment environment = options.test_environment ? test_environment() : plugin_environment();
    auto linked = bpf::Program::try_create(decoded.release_value(), environment, &diag,
        options.test_environment ? &test_pseudo_resolver() : nullptr);
    if (linked.is_error()) {
        outcome.message = "program: " + diagnostic_text(diag, linked.error().code());
        judge(file, outcome);
        return outcome;
    }
    RefPtr<bpf::Program> linked_program = linked.release_value();

    outcome.stage = Stage::Run;
    std::vector<uint8_t> memory = file.memory;
    RunScope scope(linked_program.ptr(), memory);
    RunOptions run_options;
    run_options.bounds_checked = true;
    run_options.regions = Span<MemoryRegion const>(scope.regions().data(), scope.regions().size());
    run_options.instruction_budget = options.instruction_budget;
    run_options.executed_instructions = &outcome.executed_instructions;
    Arguments arguments { reinterpret_cast<u64>(memory.data()), memory.size() };
    auto result = run(*linked_program, arguments, run_options, &diag);
    if (result.is_error()) {
        outcome.message = "interpreter: " + diagnostic_text(diag, result.error().code());
        judge(file, outcome);
        return outcome;
    }
    outcome.stage = Stage::Completed;
    outcome.r0 = result.value();
    judge(file, outcome);
    return outcome;
}

Outcome run_conformance_path(std::string const& path, RunnerOptions const& options)
{
    std::ifstream input(path, std::ios::binary);
    if (!input) {
        Outcome outcome;
        outcome.message = "cannot open " + path;
        return outcome;
    }
    std::ostringstream text;
    text << input.rdbuf();
    return run_conformance_text(text.str(), options);
}

}
