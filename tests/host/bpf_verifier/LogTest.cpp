// The verifier log's user-visible semantics (VerifierLog.h), as the host Linux kernel 6.x
// shows them: attribute validation, rotating and fixed truncation, ENOSPC, the true size,
// and level 1 keeping only the failing path.
#include "VerifierHarness.h"
#include "bpf/isa/Assembler.h"
#include "bpf/verifier/VerifierLog.h"
#include <catch2/catch.hpp>
#include <string>

using bpf::verifier::VerifierLog;

namespace {

std::string contents(VerifierLog const& log) { return std::string(log.contents().chars(), log.contents().length()); }

std::vector<bpf::isa::RawInstruction> assemble(char const* text)
{
    auto result = bpf::isa::assemble(StringView(text));
    REQUIRE(!result.is_error());
    return std::vector<bpf::isa::RawInstruction>(result.value().begin(), result.value().end());
}

}

TEST_CASE("log attributes are validated like Linux", "[verifier][log]")
{
    CHECK(!VerifierLog::validate_attributes(0, false, 0).is_error());
    CHECK(!VerifierLog::validate_attributes(1, false, 0).is_error()); // level without a buffer: only log_true_size
    CHECK(VerifierLog::validate_attributes(1, false, 10).error().code() == EINVAL);
    CHECK(VerifierLog::validate_attributes(1, true, 0).error().code() == EINVAL);
    CHECK(VerifierLog::validate_attributes(0, true, 128).error().code() == EINVAL);
    CHECK(VerifierLog::validate_attributes(16, true, 128).error().code() == EINVAL);
    CHECK(!VerifierLog::validate_attributes(1, true, 1).is_error());
    CHECK(!VerifierLog::validate_attributes(15, true, 0xffffffffu >> 2).is_error());
    CHECK(VerifierLog::validate_attributes(1, true, (0xffffffffu >> 2) + 1).error().code() == EINVAL);
}

TEST_CASE("a rotating log keeps the end and reports ENOSPC", "[verifier][log]")
{
    VerifierLog log(1, 10, true);
    log.append("hello ");
    log.append("world, this is long\n");
    CHECK(contents(log) == " is long\n");
    CHECK(log.finalize().error().code() == ENOSPC);
    CHECK(log.true_size() == 27);
}

TEST_CASE("a fixed log keeps the beginning", "[verifier][log]")
{
    VerifierLog log(1 | bpf::verifier::log_fixed, 8, true);
    log.append("0123456789");
    CHECK(contents(log) == "0123456");
    CHECK(log.finalize().error().code() == ENOSPC);
}

TEST_CASE("rollback to an earlier position", "[verifier][log]")
{
    VerifierLog log(1, 1000, true);
    log.append("keep\n");
    auto mark = log.position();
    log.append("drop this\n");
    log.reset(mark);
    log.append("after\n");
    CHECK(contents(log) == "keep\nafter\n");
    CHECK(!log.finalize().is_error());
}

TEST_CASE("level 1 logs only the failing path; accepted programs log only statistics", "[verifier][log]")
{
    bpfvm::MapSet maps;
    bpfvm::VerifyOptions options;
    options.prog_type = BPF_PROG_TYPE_XDP;
    auto accepted = bpfvm::run_verifier(assemble("mov %r0, 1\njeq %r0, 1, +1\nmov %r0, 2\nexit\n"), maps, options);
    CHECK(accepted.error == 0);
    CHECK(accepted.log.rfind("processed ", 0) == 0);
    auto rejected = bpfvm::run_verifier(assemble("ldxw %r2, [%r1+12]\njeq %r2, 0, +1\nmov %r0, 0\nexit\n"), maps, options);
    CHECK(rejected.error == EACCES);
    CHECK(rejected.log.find("R0 !read_ok") != std::string::npos);
    CHECK(rejected.log.find("0: R1=ctx() R10=fp0") != std::string::npos);
    options.log_level = 2;
    auto verbose = bpfvm::run_verifier(assemble("mov %r0, 1\njeq %r0, 1, +1\nmov %r0, 2\nexit\n"), maps, options);
    CHECK(verbose.log.find("func#0 @0") != std::string::npos);
    CHECK(verbose.log.find("Live regs before insn:") != std::string::npos);
}

TEST_CASE("a log too small for the trace fails an otherwise valid program with ENOSPC", "[verifier][log]")
{
    bpfvm::MapSet maps;
    bpfvm::VerifyOptions options;
    options.prog_type = BPF_PROG_TYPE_XDP;
    options.log_size = 20;
    auto outcome = bpfvm::run_verifier(assemble("mov %r0, 1\nexit\n"), maps, options);
    CHECK(outcome.error == ENOSPC);
    CHECK(outcome.log.size() == 19);
}

TEST_CASE("statistics level prints the time and stack depth lines", "[verifier][log]")
{
    bpfvm::MapSet maps;
    bpfvm::VerifyOptions options;
    options.prog_type = BPF_PROG_TYPE_XDP;
    options.log_level = 4;
    auto outcome = bpfvm::run_verifier(assemble("stdw [%r10-8], 0\nmov %r0, 1\nexit\n"), maps, options);
    CHECK(outcome.error == 0);
    CHECK(outcome.log.find("verification time ") == 0);
    CHECK(outcome.log.find("stack depth 8\n") != std::string::npos);
}
