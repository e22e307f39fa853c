// Differential test against the host Linux kernel: every conformance program that uses no
// plugin helper is wrapped as an XDP program (HostKernel.h: the memory becomes packet data, the
// program runs as a bpf-to-bpf subprogram and its 64-bit r0 is stored in an array map), loaded
// with raw bpf() and run with BPF_PROG_TEST_RUN. For every file the Linux verifier accepts, r0
// must equal our interpreter's. Skips (passing) with a message when bpf() is unavailable.
#include "ConformanceFile.h"
#include "ConformanceRunner.h"
#include "HostKernel.h"
#include "bpf/isa/Decoder.h"
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace bpfvm;
using bpf::isa::Op;
using bpf::isa::RawInstruction;

namespace {

std::vector<std::string> conformance_files()
{
    std::vector<std::string> files;
    for (auto const& entry : std::filesystem::directory_iterator(BPF_CONFORMANCE_DIR "/tests"))
        files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

bool uses_helpers(std::vector<RawInstruction> const& program)
{
    auto decoded = bpf::isa::decode(Span<RawInstruction const>(program.data(), program.size()));
    if (decoded.is_error())
        return false;
    for (auto const& insn : decoded.value()) {
        if (insn.op == Op::Call || insn.op == Op::Callx || insn.op == Op::TailCall)
            return true;
    }
    return false;
}

std::string first_line_of_error(std::string const& log)
{
    // The verifier's reason is the last non-empty line before the statistics.
    std::istringstream lines(log);
    std::string line, reason;
    while (std::getline(lines, line)) {
        if (line.empty() || line.rfind("processed ", 0) == 0 || line.rfind("verification time", 0) == 0 || line.rfind("stack depth", 0) == 0)
            continue;
        reason = line;
    }
    return reason;
}

}

TEST_CASE("interpreter and host Linux agree on every conformance program Linux loads", "[diff]")
{
    int status = host::probe();
    if (status != 0) {
        std::printf("SKIP: bpf() is unavailable on this host (%s); differential test not run\n", std::strerror(status));
        return;
    }
    int error = 0;
    host::Fd result_map = host::create_array_map(16, 1, error);
    REQUIRE(result_map.valid());

    unsigned loaded = 0, agreed = 0, rejected = 0, skipped = 0;
    for (auto const& path : conformance_files()) {
        std::string name = path.substr(path.find_last_of('/') + 1);
        std::ifstream input(path);
        std::stringstream text;
        text << input.rdbuf();
        auto parsed = parse_conformance_file(text.str());
        REQUIRE(parsed.file);
        std::string problem;
        auto program = program_of_file(text.str(), problem);
        REQUIRE(program);
        if (uses_helpers(*program)) {
            ++skipped;
            std::printf("skip %-36s calls a conformance-plugin helper\n", name.c_str());
            continue;
        }
        Outcome ours = run_conformance_path(path);
        REQUIRE(ours.r0);

        auto memory = parsed.file->memory;
        auto wrapped = host::wrap_with_packet(*program, static_cast<uint32_t>(memory.size()), result_map.get());
        host::LoadResult load = host::load_xdp(wrapped);
        if (!load.program.valid()) {
            ++rejected;
            std::printf("linux rejects %-29s %s\n", name.c_str(), first_line_of_error(load.log).c_str());
            continue;
        }
        ++loaded;
        uint64_t cleared[2] = { 0, 0 };
        REQUIRE(host::update_element(result_map, 0, cleared));
        std::vector<uint8_t> packet = memory;
        packet.resize(std::max<size_t>(packet.size(), 64), 0); // XDP wants at least an Ethernet header
        host::TestRun run = host::test_run(load.program, packet, 1);
        INFO(name << ": BPF_PROG_TEST_RUN errno " << run.error);
        REQUIRE(run.error == 0);
        uint64_t value[2] = { 0, 0 };
        REQUIRE(host::lookup_element(result_map, 0, value));
        INFO(name << ": linux r0 = 0x" << std::hex << value[0] << ", ours = 0x" << *ours.r0);
        CHECK(value[1] == 1);
        CHECK(value[0] == *ours.r0);
        agreed += value[1] == 1 && value[0] == *ours.r0;
    }
    std::printf("differential: %u files loaded by Linux, %u agree, %u disagree; %u rejected by the Linux verifier; %u skipped (plugin helpers)\n",
        loaded, agreed, loaded - agreed, rejected, skipped);
    CHECK(agreed == loaded);
    CHECK(loaded > 0);
}
