// Interpreter semantics beyond the conformance files: Linux's arithmetic edge cases, frames,
// tail calls between programs, helper dispatch by Linux id, the instruction budget, and
// unchecked (kernel) mode agreeing with checked mode on every conformance file.
#include "ConformanceFile.h"
#include "ConformanceRunner.h"
#include "PluginEnvironment.h"
#include "TestSupport.h"
#include <cstring>

using namespace bpf::isa;
using isa_test::run_source;

TEST_CASE("division and modulo follow Linux", "[interpreter]")
{
    CHECK(run_source("mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit") == 0);
    CHECK(run_source("mov %r0, 7\nmov %r1, 0\nmod %r0, %r1\nexit") == 7);
    CHECK(run_source("lddw %r0, 0x1ffffffff\nmov %r1, 0\nmod32 %r0, %r1\nexit") == 0xffffffff); // dst zero-extended
    CHECK(run_source("lddw %r0, 0x1ffffffff\nmov %r1, 0\ndiv32 %r0, %r1\nexit") == 0);
    CHECK(run_source("mov %r0, -7\nmov %r1, 0\nsdiv %r0, %r1\nexit") == 0);
    CHECK(run_source("mov %r0, -7\nmov %r1, 0\nsmod %r0, %r1\nexit") == static_cast<u64>(-7));
    CHECK(run_source("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit") == 0x8000000000000000ull);
    CHECK(run_source("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit") == 0);
    CHECK(run_source("mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit") == 0x80000000ull);
    CHECK(run_source("mov32 %r0, 0x80000000\nsmod32 %r0, -1\nexit") == 0);
    CHECK(run_source("mov %r0, -7\nsdiv %r0, 2\nexit") == static_cast<u64>(-3));
    CHECK(run_source("mov %r0, -7\nsmod %r0, 2\nexit") == static_cast<u64>(-1));
    CHECK(run_source("mov %r0, -7\nsmod32 %r0, 2\nexit") == 0xffffffffull);
    CHECK(run_source("mov %r0, -1\ndiv %r0, -1\nexit") == 1); // imm sign-extended, unsigned divide
}

TEST_CASE("shifts are masked and 32-bit results zero-extended", "[interpreter]")
{
    CHECK(run_source("mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1\nexit") == 2);
    CHECK(run_source("mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1\nexit") == 2);
    CHECK(run_source("mov %r0, -1\nrsh32 %r0, 28\nexit") == 0xf);
    CHECK(run_source("mov %r0, -16\narsh32 %r0, 2\nexit") == 0xfffffffcull);
    CHECK(run_source("mov %r0, -16\narsh %r0, 66\nexit") == static_cast<u64>(-4));
    CHECK(run_source("mov %r0, -1\nadd32 %r0, 1\nexit") == 0);
    CHECK(run_source("mov %r0, -1\nmov32 %r0, %r0\nexit") == 0xffffffffull);
    CHECK(run_source("mov32 %r0, 0x80000000\nneg32 %r0\nexit") == 0x80000000ull);
    CHECK(run_source("mov %r0, 0x7f\nmovsx832 %r0, %r0\nexit") == 0x7f);
    CHECK(run_source("mov %r1, 0xff\nmovsx864 %r0, %r1\nexit") == ~0ull);
}

TEST_CASE("bpf-to-bpf calls: argument passing, callee-saved registers, own stacks", "[interpreter]")
{
    char const* source = R"(
        mov %r6, 6
        mov %r9, 9
        stdw [%r10-8], 100
        mov %r1, 1
        mov %r2, 2
        call local callee
        ldxdw %r1, [%r10-8]
        add %r0, %r1
        add %r0, %r6
        add %r0, %r9
        exit
    callee:
        mov %r6, 1000
        mov %r9, 1000
        stdw [%r10-8], 5000
        mov %r0, %r1
        add %r0, %r2
        exit
    )";
    CHECK(run_source(source) == 3 + 100 + 6 + 9);
}

TEST_CASE("tail calls switch programs in the same frame", "[interpreter]")
{
    // The secondary program sees the caller's context in r1 and its stack frame; a tail call made
    // inside a subprogram replaces only that frame, so the caller resumes its own program.
    auto secondary = isa_test::build("ldxdw %r0, [%r10-8]\nldxb %r1, [%r1]\nadd %r0, %r1\nexit");
    auto primary = isa_test::build(R"(
        mov %r6, %r1
        call local tail
        add %r0, 1000
        exit
    tail:
        stdw [%r10-8], 40
        mov %r1, %r6
        lddw %r2, map_fd(1)
        mov %r3, 1
        call 12
        mov %r0, -1
        exit
    )");
    bpfvm::set_tail_call_secondary(secondary.ptr());
    std::vector<uint8_t> memory { 2 };
    CHECK(isa_test::run_program(*primary, memory) == 1042);
    CHECK(isa_test::run_program(*primary, memory, false) == 1042);
    bpfvm::set_tail_call_secondary(nullptr);
    CHECK(isa_test::run_program(*primary, memory) == 999); // empty slot: falls through, r0 = -1 + 1000
}

namespace {
u64 helper_seven(u64 a, u64, u64, u64, u64) { return a + 7; }
u64 helper_hundred(u64, u64 b, u64, u64, u64) { return b * 100; }
}

TEST_CASE("helpers are dispatched by Linux helper id", "[interpreter]")
{
    static bpf::HelperFunction table[200] = {};
    table[1] = helper_seven;     // BPF_FUNC_map_lookup_elem's slot
    table[130] = helper_hundred; // any high id
    ExecutionEnvironment environment;
    environment.helpers = table;
    environment.helper_count = 200;
    auto program = isa_test::build("mov %r1, 5\ncall 1\nmov %r6, %r0\nmov %r2, 3\ncall 130\nadd %r0, %r6\nexit", &environment);
    std::vector<uint8_t> memory;
    CHECK(isa_test::run_program(*program, memory) == 312);

    auto raw = isa_test::assemble_or_fail("call 2\nexit");
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(raw.data(), raw.size()), &diag);
    REQUIRE_FALSE(decoded.is_error());
    auto linked = bpf::Program::try_create(decoded.release_value(), environment, &diag);
    REQUIRE(linked.is_error());
    CHECK(std::string(diag.message()) == "instruction 0: call to unknown helper id 2");
}

TEST_CASE("the instruction budget stops runaway loops in checked mode", "[interpreter]")
{
    auto program = isa_test::build("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit");
    RunOptions options;
    options.bounds_checked = true;
    options.instruction_budget = 1000;
    u64 executed = 0;
    options.executed_instructions = &executed;
    Diagnostic diag;
    auto result = run(*program, Arguments {}, options, &diag);
    REQUIRE(result.is_error());
    CHECK(result.error().code() == ELOOP);
    CHECK(executed == 1000);
    CHECK(std::string(diag.message()).find("instruction budget exhausted") != std::string::npos);
}

TEST_CASE("checked mode counts executed instructions", "[interpreter]")
{
    auto program = isa_test::build("mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, 1\nsub %r1, 1\njne %r1, 0, loop\nexit");
    RunOptions options;
    options.bounds_checked = true;
    u64 executed = 0;
    options.executed_instructions = &executed;
    auto result = run(*program, Arguments {}, options);
    REQUIRE_FALSE(result.is_error());
    CHECK(result.value() == 10);
    CHECK(executed == 2 + 3 * 10 + 1);
}

TEST_CASE("unchecked (kernel) mode agrees with checked mode on every conformance file", "[interpreter][conformance]")
{
    for (auto const& path : isa_test::data_files(BPF_CONFORMANCE_DIR "/tests")) {
        auto text = isa_test::read_file(path);
        auto parsed = bpfvm::parse_conformance_file(text);
        REQUIRE(parsed.file);
        std::string error;
        auto raw = bpfvm::program_of_file(text, error);
        REQUIRE(raw);
        Diagnostic diag;
        auto decoded = decode(Span<RawInstruction const>(raw->data(), raw->size()), &diag);
        REQUIRE_FALSE(decoded.is_error());
        auto program = bpf::Program::try_create(decoded.release_value(), bpfvm::plugin_environment(), &diag);
        REQUIRE_FALSE(program.is_error());
        std::vector<uint8_t> memory = parsed.file->memory;
        INFO(path);
        CHECK(isa_test::run_program(*program.value(), memory, false) == *parsed.file->result);
    }
}
