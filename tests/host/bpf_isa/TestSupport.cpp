// Shared helpers of the ISA host tests (see TestSupport.h).
#include "TestSupport.h"
#include "PluginEnvironment.h"
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace isa_test {

using namespace bpf::isa;

std::vector<std::string> data_files(std::string const& directory)
{
    std::vector<std::string> files;
    for (auto const& entry : std::filesystem::directory_iterator(directory)) {
        if (entry.path().extension() == ".data")
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_file(std::string const& path)
{
    std::ifstream input(path, std::ios::binary);
    std::ostringstream text;
    text << input.rdbuf();
    return text.str();
}

std::vector<RawInstruction> assemble_or_fail(std::string const& source)
{
    Diagnostic diag;
    auto assembled = assemble(StringView(source.data(), source.size()), &diag);
    INFO(diag.message());
    REQUIRE_FALSE(assembled.is_error());
    return std::vector<RawInstruction>(assembled.value().begin(), assembled.value().end());
}

RefPtr<bpf::Program> build(std::string const& source, ExecutionEnvironment const* environment)
{
    auto raw = assemble_or_fail(source);
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(raw.data(), raw.size()), &diag);
    INFO(diag.message());
    REQUIRE_FALSE(decoded.is_error());
    ExecutionEnvironment plugin = bpfvm::test_environment();
    auto program = bpf::Program::try_create(decoded.release_value(), environment ? *environment : plugin, &diag, &bpfvm::test_pseudo_resolver());
    INFO(diag.message());
    REQUIRE_FALSE(program.is_error());
    return program.release_value();
}

uint64_t run_program(bpf::Program const& program, std::vector<uint8_t>& memory, bool checked)
{
    bpfvm::RunScope scope(const_cast<bpf::Program*>(&program), memory);
    RunOptions options;
    options.bounds_checked = checked;
    options.regions = Span<MemoryRegion const>(scope.regions().data(), scope.regions().size());
    Diagnostic diag;
    auto result = run(program, Arguments { reinterpret_cast<u64>(memory.data()), memory.size() }, options, &diag);
    INFO(diag.message());
    REQUIRE_FALSE(result.is_error());
    return result.value();
}

uint64_t run_source(std::string const& source, std::vector<uint8_t> memory, bool checked)
{
    auto program = build(source);
    return run_program(*program, memory, checked);
}

std::string decode_error(std::vector<RawInstruction> const& raw)
{
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(raw.data(), raw.size()), &diag);
    if (!decoded.is_error())
        return {};
    return diag.message();
}

}
