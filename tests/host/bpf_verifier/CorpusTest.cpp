// The verifier corpus: every tests/verifier/*.case is verified with its program type, maps
// and flags; the verdict (accept, or reject with the errno) and each expected log line must
// match; every accepted program then runs on the checked interpreter (no violation allowed)
// and, when the case says so, must return the expected r0.
#include "SafetyInterpreter.h"
#include "VerifierCase.h"
#include "bpf/verifier/TracepointRegistry.h"
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::vector<std::string> case_files()
{
    std::vector<std::string> files;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(BPF_VERIFIER_CORPUS_DIR)) {
        if (entry.path().extension() == ".case")
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read(std::string const& path)
{
    std::ifstream input(path);
    std::ostringstream text;
    text << input.rdbuf();
    return text.str();
}

}

TEST_CASE("verifier corpus", "[verifier][corpus]")
{
    auto files = case_files();
    REQUIRE(files.size() >= 300);
    unsigned accepted = 0, rejected = 0, ran = 0;
    for (auto const& path : files) {
        std::string name = std::filesystem::path(path).filename().string();
        INFO(name);
        std::string error;
        auto parsed = bpfvm::parse_verifier_case(read(path), error);
        INFO(error);
        REQUIRE(parsed);
        auto const& c = *parsed;
        if (c.tracepoint_id)
            REQUIRE(!bpf::verifier::register_tracepoint(c.tracepoint_id, StringView(name.c_str()), c.tracepoint_size).is_error());
        bpfvm::MapSet maps;
        INFO(error);
        REQUIRE(maps.create(c.maps, error));
        auto options = c.options();
        options.log_level = std::max(options.log_level, 1u);
        auto outcome = bpfvm::run_verifier(c.instructions, maps, options);
        INFO(outcome.log);
        if (c.expect_accept) {
            CHECK(outcome.error == 0);
            ++accepted;
        } else {
            CHECK(outcome.error == c.expect_errno);
            ++rejected;
        }
        for (auto const& line : c.log_lines) {
            INFO("expected log line: " << line);
            CHECK(outcome.log.find(line) != std::string::npos);
        }
        if (outcome.error || !outcome.verified)
            continue;
        bpfvm::SafetyRunConfig config;
        config.prog_type = c.prog_type;
        config.ctx = c.ctx;
        config.packet = c.packet;
        config.allow_uninit_stack = c.allow_uninit_stack;
        auto result = bpfvm::safety_run(*outcome.verified, maps, config);
        ++ran;
        INFO(result.message);
        CHECK(!result.violation);
        if (c.result)
            CHECK(result.r0 == *c.result);
    }
    INFO(accepted << " accepted, " << rejected << " rejected, " << ran << " run");
    CHECK(accepted > 50);
    CHECK(rejected > 100);
}
