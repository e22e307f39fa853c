// The verifier against the host Linux verifier (raw bpf(), root). Each corpus case not marked
// "host: skip" is verified here with the privileges of a root loader on Linux (CAP_BPF,
// CAP_PERFMON, uninitialized stack reads allowed) and loaded on the host with the same program
// type, maps and license. Verdicts (accept, or reject with the errno) must agree; a case
// marked "host: differs" must disagree (the reason is listed in docs/bpf/verifier.md), and no
// case may be accepted here while Linux rejects it. Every BPF object of the build is compared
// the same way. Prints the agreement rate. Skipped (with a message) where bpf() is unavailable.
#include "HostKernel.h"
#include "HostVerifier.h"
#include "BpfObject.h"
#include "VerifierCase.h"
#include "bpf/verifier/TracepointRegistry.h"
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

std::vector<std::string> files_below(std::vector<std::string> const& roots, std::string const& suffix)
{
    std::set<std::string> files;
    for (auto const& root : roots) {
        std::error_code error;
        if (!std::filesystem::is_directory(root, error))
            continue;
        for (auto it = std::filesystem::recursive_directory_iterator(root, std::filesystem::directory_options::skip_permission_denied, error);
             it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
            if (error)
                break;
            std::string path = it->path().string();
            if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0 && it->is_regular_file())
                files.insert(std::filesystem::canonical(it->path()).string());
        }
    }
    return { files.begin(), files.end() };
}

std::vector<std::string> object_roots()
{
    std::vector<std::string> roots { BPF_BUILD_ROOT };
    if (char const* extra = std::getenv("BPF_OBJECT_DIRS")) {
        std::stringstream list(extra);
        std::string dir;
        while (std::getline(list, dir, ':'))
            if (!dir.empty())
                roots.push_back(dir);
    }
    return roots;
}

std::string read(std::string const& path)
{
    std::ifstream input(path);
    std::ostringstream text;
    text << input.rdbuf();
    return text.str();
}

std::string verdict(int error)
{
    return error ? std::string("reject ") + bpfvm::errno_name(error) : std::string("accept");
}

bool host_ready()
{
    int status = bpfvm::host::host_available();
    if (status != 0)
        std::printf("SKIP: bpf() is unavailable on this host (%s); verifier differential test not run\n", std::strerror(status));
    return status == 0;
}

// A root loader on Linux.
bpf::verifier::Privileges root_privileges()
{
    bpf::verifier::Privileges privileges;
    privileges.bpf_capable = true;
    privileges.perfmon_capable = true;
    privileges.allow_uninit_stack = true;
    return privileges;
}

}

TEST_CASE("the verifier agrees with the host Linux verifier on the corpus", "[diff][verifier]")
{
    if (!host_ready())
        return;
    auto files = files_below({ BPF_VERIFIER_CORPUS_DIR }, ".case");
    REQUIRE(files.size() >= 300);
    unsigned sent = 0, agreed = 0, documented = 0, skipped = 0, we_accept_linux_rejects = 0;
    std::string differences;
    for (auto const& path : files) {
        std::string name = std::filesystem::path(path).parent_path().filename().string() + "/" + std::filesystem::path(path).filename().string();
        INFO(name);
        std::string error;
        auto parsed = bpfvm::parse_verifier_case(read(path), error);
        INFO(error);
        REQUIRE(parsed);
        auto const& c = *parsed;
        if (!c.host_skip.empty()) {
            ++skipped;
            continue;
        }
        // The host loads as root: a case that needs fewer privileges must say how it is skipped.
        REQUIRE(!c.unprivileged);
        REQUIRE(!c.no_perfmon);
        if (c.tracepoint_id)
            REQUIRE(!bpf::verifier::register_tracepoint(c.tracepoint_id, StringView(name.c_str()), c.tracepoint_size).is_error());
        bpfvm::MapSet maps;
        REQUIRE(maps.create(c.maps, error));
        auto options = c.options();
        options.privileges = root_privileges();
        options.log_level = 1;
        auto ours = bpfvm::run_verifier(c.instructions, maps, options);

        bpfvm::host::HostOptions host_options;
        host_options.prog_type = c.prog_type;
        host_options.gpl = c.gpl;
        host_options.log_level = 1;
        auto host = bpfvm::host::host_verify(c.instructions, c.maps, host_options);
        INFO(host.setup_error);
        REQUIRE(!host.setup_failed);
        ++sent;
        bool same = ours.error == host.error;
        if (same)
            ++agreed;
        if (!ours.error && host.error)
            ++we_accept_linux_rejects;
        INFO("ours: " << verdict(ours.error) << "\n" << ours.log);
        INFO("Linux: " << verdict(host.error) << "\n" << host.log);
        if (c.host_differs.empty()) {
            CHECK(same);
        } else {
            INFO("documented difference: " << c.host_differs);
            CHECK(!same); // a stale note: the difference is gone
            ++documented;
            differences += "  " + name + ": ours " + verdict(ours.error) + ", Linux " + verdict(host.error) + "\n";
        }
    }
    std::printf("verifier vs Linux on the corpus: %u cases loaded on both, %u agree (%u.%02u%%), %u documented differences, %u not sent to the host\n%s",
        sent, agreed, sent ? agreed * 100 / sent : 0, sent ? agreed * 10000 / sent % 100 : 0, documented, skipped, differences.c_str());
    CHECK(we_accept_linux_rejects == 0);
    CHECK(agreed * 100 >= sent * 99);
}

TEST_CASE("the verifier agrees with the host Linux verifier on the build's BPF objects", "[diff][verifier][objects]")
{
    if (!host_ready())
        return;
    auto files = files_below(object_roots(), ".bpf.o");
    REQUIRE(!files.empty());
    unsigned programs = 0, agreed = 0;
    for (auto const& path : files) {
        INFO(path);
        std::string error;
        auto object = bpfvm::load_bpf_object(path, error);
        INFO(error);
        REQUIRE(object);
        auto names = object->program_names();
        bool bench_style = names.size() == 1 && names[0] == ".text/entry";
        for (auto const& name : names) {
            INFO(name);
            auto program = object->program(bench_style ? std::string() : name, error);
            REQUIRE(program);
            std::vector<bpfvm::MapSpec> specs = object->maps();
            std::vector<bpf::isa::RawInstruction> instructions = program->instructions;
            uint32_t type = program->prog_type;
            if (bench_style) {
                // As scripts/bench runs them: XDP, a 4096-byte map value as the buffer.
                specs = { *bpfvm::parse_map_spec("array:4:4096:1", error), *bpfvm::parse_map_spec("array:4:16:1", error) };
                instructions = bpfvm::host::wrap_with_map_value(program->instructions, 0, 1);
                type = BPF_PROG_TYPE_XDP;
            }
            if (!type)
                continue;
            bool gpl = bpf::verifier::license_is_gpl_compatible(StringView(object->license().c_str()));
            bpfvm::MapSet maps;
            REQUIRE(maps.create(specs, error));
            bpfvm::VerifyOptions options;
            options.prog_type = type;
            options.gpl = gpl;
            options.privileges = root_privileges();
            auto ours = bpfvm::run_verifier(instructions, maps, options);
            bpfvm::host::HostOptions host_options;
            host_options.prog_type = type;
            host_options.gpl = gpl;
            auto host = bpfvm::host::host_verify(instructions, specs, host_options);
            INFO(host.setup_error);
            REQUIRE(!host.setup_failed);
            INFO("ours: " << verdict(ours.error) << "\n" << ours.log);
            INFO("Linux: " << verdict(host.error) << "\n" << host.log);
            ++programs;
            CHECK(ours.error == host.error);
            if (ours.error == host.error)
                ++agreed;
        }
    }
    std::printf("verifier vs Linux on the build's BPF objects: %u programs, %u agree\n", programs, agreed);
}
