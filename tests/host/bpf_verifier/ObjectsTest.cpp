// Every BPF object the build produces must pass the verifier. Objects are discovered at run
// time: every *.bpf.o below the build directory (user/bpftests, this directory's copies of
// bench/isa, anything added later) and below the directories listed in BPF_OBJECT_DIRS
// (colon-separated). Objects made of one `entry` function in .text (the ISA benchmarks) are
// wrapped as scripts/bench runs them: an XDP program passing a 4096-byte map value. Others are
// loaded as libbpf does (BpfObject.h): each program with its section's type and the object's
// maps. Programs meant to be refused (verifier_reject.bpf.o, except `fine`) must be rejected.
// Accepted programs also run once on the checked interpreter.
#include "BpfObject.h"
#include "HostKernel.h"
#include "SafetyInterpreter.h"
#include "bpf/helpers/HelperProto.h"
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace {

std::vector<std::string> object_files()
{
    std::vector<std::string> roots { BPF_BUILD_ROOT, BPF_VERIFIER_OBJECT_DIR };
    if (char const* extra = std::getenv("BPF_OBJECT_DIRS")) {
        std::string list = extra;
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find(':', start);
            if (end == std::string::npos)
                end = list.size();
            if (end > start)
                roots.push_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
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
            if (path.size() > 6 && path.compare(path.size() - 6, 6, ".bpf.o") == 0 && it->is_regular_file())
                files.insert(std::filesystem::canonical(it->path()).string());
        }
    }
    return { files.begin(), files.end() };
}

bool must_be_rejected(std::string const& object, std::string const& function)
{
    return object.find("verifier_reject") != std::string::npos && function != "fine";
}

// The helper a rejection names when the program type offers no such helper in this kernel.
bool rejected_for_missing_helper(std::string const& log, std::string& helper)
{
    auto at = log.find("cannot use helper unknown#");
    if (at == std::string::npos)
        return false;
    int id = std::atoi(log.c_str() + at + 26);
    if (bpf::helper_proto(static_cast<u32>(id)))
        return false;
    helper = "#" + std::to_string(id);
    return true;
}

}

TEST_CASE("every BPF object of the build passes the verifier", "[verifier][objects]")
{
    auto files = object_files();
    INFO("objects found: " << files.size());
    REQUIRE(!files.empty());
    unsigned programs = 0, bench = 0;
    for (auto const& path : files) {
        INFO(path);
        std::string error;
        auto object = bpfvm::load_bpf_object(path, error);
        INFO(error);
        REQUIRE(object);
        auto names = object->program_names();
        bool bench_style = names.size() == 1 && names[0] == ".text/entry";
        if (bench_style) {
            auto program = object->program("", error);
            REQUIRE(program);
            bpfvm::MapSet maps;
            std::vector<bpfvm::MapSpec> specs { *bpfvm::parse_map_spec("array:4:4096:1", error), *bpfvm::parse_map_spec("array:4:16:1", error) };
            REQUIRE(maps.create(specs, error));
            auto wrapped = bpfvm::host::wrap_with_map_value(program->instructions, 0, 1);
            bpfvm::VerifyOptions options;
            options.prog_type = BPF_PROG_TYPE_XDP;
            auto outcome = bpfvm::run_verifier(wrapped, maps, options);
            INFO(outcome.log);
            CHECK(outcome.error == 0);
            ++bench;
            ++programs;
            continue;
        }
        for (auto const& name : names) {
            INFO(name);
            auto program = object->program(name, error);
            INFO(error);
            REQUIRE(program);
            if (!program->prog_type)
                continue; // a section this kernel has no program type for
            bpfvm::MapSet maps;
            REQUIRE(maps.create(object->maps(), error));
            bpfvm::VerifyOptions options;
            options.prog_type = program->prog_type;
            options.gpl = bpf::verifier::license_is_gpl_compatible(StringView(object->license().c_str()));
            auto outcome = bpfvm::run_verifier(program->instructions, maps, options);
            INFO(outcome.log);
            ++programs;
            std::string helper;
            if (must_be_rejected(path, program->name)) {
                CHECK(outcome.error != 0);
                continue;
            }
            if (outcome.error && rejected_for_missing_helper(outcome.log, helper)) {
                WARN(path << " " << name << ": helper " << helper << " is not provided by this kernel yet");
                continue;
            }
            CHECK(outcome.error == 0);
            if (outcome.error)
                continue;
            bpfvm::SafetyRunConfig config;
            config.prog_type = program->prog_type;
            config.packet.assign(64, 0);
            auto result = bpfvm::safety_run(*outcome.verified, maps, config);
            INFO(result.message);
            CHECK(!result.violation);
        }
    }
    INFO(programs << " programs, " << bench << " benchmark objects");
    CHECK(bench > 0);
}
