// Runs every file of the bpf_conformance suite (tests/bpf_conformance) and of our additions
// (tests/bpf_conformance_extra) through assemble -> decode -> link -> interpret at ISA v4, and
// checks that every negative/ file is rejected with a message at the expected stage.
#include "ConformanceRunner.h"
#include "TestSupport.h"

using bpfvm::Stage;

TEST_CASE("every conformance file passes at v4", "[conformance]")
{
    auto files = isa_test::data_files(BPF_CONFORMANCE_DIR "/tests");
    REQUIRE(files.size() == 313);
    unsigned passed = 0;
    for (auto const& file : files) {
        auto outcome = bpfvm::run_conformance_path(file);
        INFO(file << ": [" << bpfvm::stage_name(outcome.stage) << "] " << outcome.message);
        CHECK(outcome.stage == Stage::Completed);
        CHECK(outcome.matches_expectation);
        passed += outcome.matches_expectation;
    }
    CHECK(passed == 313);
}

TEST_CASE("every conformance file runs in the plugin environment too", "[conformance]")
{
    // The files use only helpers 0..5, so the plugin's smaller environment must suffice.
    bpfvm::RunnerOptions options;
    options.test_environment = false;
    for (auto const& file : isa_test::data_files(BPF_CONFORMANCE_DIR "/tests")) {
        auto outcome = bpfvm::run_conformance_path(file, options);
        INFO(file << ": " << outcome.message);
        CHECK(outcome.matches_expectation);
    }
}

static Stage expected_rejection_stage(std::string const& name)
{
    if (name.rfind("unused-", 0) == 0)
        return Stage::Decode;
    if (name == "empty.data" || name == "empty_instructions.data" || name == "invalid_unknown_directive.data")
        return Stage::Parse;
    if (name == "error.data" || name == "incorrect_return_value_high_bits.data")
        return Stage::Completed; // runs, but not to the file's expectation
    return Stage::Assemble;     // invalid_*: malformed assembly
}

TEST_CASE("every negative conformance file is rejected with a message", "[conformance][negative]")
{
    auto files = isa_test::data_files(BPF_CONFORMANCE_DIR "/negative");
    REQUIRE(files.size() == 60);
    for (auto const& file : files) {
        auto outcome = bpfvm::run_conformance_path(file);
        std::string name = file.substr(file.find_last_of('/') + 1);
        INFO(name << ": [" << bpfvm::stage_name(outcome.stage) << "] " << outcome.message);
        CHECK(outcome.rejected());
        CHECK_FALSE(outcome.message.empty());
        CHECK(outcome.stage == expected_rejection_stage(name));
        if (outcome.stage == Stage::Assemble)
            CHECK(outcome.message.find("line ") != std::string::npos);
        if (outcome.stage == Stage::Decode) {
            // unused-<instruction>-<field>.data: the message names instruction 0 and the field.
            CHECK(outcome.message.find("instruction 0: ") != std::string::npos);
            std::string field = name.substr(name.find_last_of('-') + 1);
            field = field.substr(0, field.find('.'));
            if (field == "src" || field == "dst")
                field += "_reg";
            CHECK(outcome.message.find(field) != std::string::npos);
        }
    }
}

TEST_CASE("every extra conformance file passes", "[conformance][extra]")
{
    auto files = isa_test::data_files(BPF_CONFORMANCE_EXTRA_DIR);
    REQUIRE(files.size() >= 60);
    for (auto const& file : files) {
        auto outcome = bpfvm::run_conformance_path(file);
        INFO(file << ": [" << bpfvm::stage_name(outcome.stage) << "] " << outcome.message);
        CHECK(outcome.matches_expectation);
    }
}

TEST_CASE("a wrong expectation is reported, not passed", "[conformance]")
{
    auto outcome = bpfvm::run_conformance_text("-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");
    CHECK(outcome.stage == Stage::Completed);
    CHECK_FALSE(outcome.matches_expectation);
    CHECK(outcome.message == "result 0x1 differs from the expected 0x2");

    auto wrong_error = bpfvm::run_conformance_text("-- raw\n95 01 00 00 00 00 00 00\n-- error\nwrites to r10\n");
    CHECK(wrong_error.stage == Stage::Decode);
    CHECK_FALSE(wrong_error.matches_expectation);
}
