// bpfvm: the host front end of the BPF instruction-set core.
//
//   bpfvm asm [-o OUT] FILE          assemble (FILE: asm text, or a .data file's program);
//                                    prints hex bytes, one instruction per line, or writes OUT
//   bpfvm disasm [--syntax llvm|asm] [--hex] FILE
//                                    disassemble raw bytes (--hex: base16 text; .data files too)
//   bpfvm run FILE.data...           run conformance files through the whole pipeline
//   bpfvm conformance [--expect-reject] DIR|FILE...
//                                    run every .data file and print a summary
//   bpfvm plugin [--program HEX] [--repeat N] [MEMORY_HEX]
//                                    the bpf_conformance plugin protocol (see README)
//   bpfvm bench [--native LIB.so] [--time-ms N] [--no-kernel] [--interp-runs N] OBJ...
//                                    benchmark BPF objects (see scripts/bench)
//   bpfvm verify --type TYPE [--map SPEC]... [--log-level N] FILE
//                                    run the verifier (see VerifyCommand.cpp)
// "-" or no FILE reads standard input.
#include "BenchCommand.h"
#include "ConformanceRunner.h"
#include "VerifyCommand.h"
#include "Hex.h"
#include "PluginEnvironment.h"
#include "bpf/isa/Assembler.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Disassembler.h"
#include "bpf/isa/Interpreter.h"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace bpf::isa;

namespace {

int usage()
{
    std::fprintf(stderr,
        "usage: bpfvm asm [-o OUT] [FILE]\n"
        "       bpfvm disasm [--syntax llvm|asm] [--hex] [FILE]\n"
        "       bpfvm run FILE.data...\n"
        "       bpfvm conformance [--expect-reject] DIR|FILE...\n"
        "       bpfvm plugin [--program HEX] [--repeat N] [MEMORY_HEX]\n"
        "       bpfvm bench [--native LIB.so] [--time-ms N] [--no-kernel] [--interp-runs N] OBJ...\n"
        "       bpfvm verify --type TYPE [--map TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES]... [--log-level N] FILE\n");
    return 2;
}

bool read_input(std::string const& path, std::string& out)
{
    std::ostringstream text;
    if (path.empty() || path == "-") {
        text << std::cin.rdbuf();
    } else {
        std::ifstream input(path, std::ios::binary);
        if (!input)
            return false;
        text << input.rdbuf();
    }
    out = text.str();
    return true;
}

bool ends_with(std::string const& text, char const* suffix)
{
    size_t length = std::strlen(suffix);
    return text.size() >= length && text.compare(text.size() - length, length, suffix) == 0;
}

std::optional<std::vector<RawInstruction>> assemble_text(std::string const& path, std::string const& text)
{
    if (ends_with(path, ".data")) {
        std::string error;
        auto program = bpfvm::program_of_file(text, error);
        if (!program)
            std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
        return program;
    }
    Diagnostic diag;
    auto assembled = assemble(StringView(text.data(), text.size()), &diag);
    if (assembled.is_error()) {
        std::fprintf(stderr, "%s: %s\n", path.empty() ? "<stdin>" : path.c_str(), diag.message());
        return std::nullopt;
    }
    return std::vector<RawInstruction>(assembled.value().begin(), assembled.value().end());
}

int command_asm(std::vector<std::string> const& args)
{
    std::string path, output;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "-o" && i + 1 < args.size())
            output = args[++i];
        else
            path = args[i];
    }
    std::string text;
    if (!read_input(path, text)) {
        std::fprintf(stderr, "bpfvm: cannot read %s\n", path.c_str());
        return 1;
    }
    auto program = assemble_text(path, text);
    if (!program)
        return 1;
    if (!output.empty()) {
        std::ofstream out(output, std::ios::binary);
        out.write(reinterpret_cast<char const*>(program->data()), static_cast<std::streamsize>(program->size() * 8));
        return out ? 0 : 1;
    }
    for (auto const& insn : *program) {
        std::vector<uint8_t> bytes(8);
        std::memcpy(bytes.data(), &insn, 8);
        std::printf("%s\n", bpfvm::format_hex_bytes(bytes).c_str());
    }
    return 0;
}

int command_disasm(std::vector<std::string> const& args)
{
    Syntax syntax = Syntax::Llvm;
    bool hex = false;
    std::string path;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--syntax" && i + 1 < args.size()) {
            std::string name = args[++i];
            if (name == "llvm")
                syntax = Syntax::Llvm;
            else if (name == "asm")
                syntax = Syntax::Asm;
            else
                return usage();
        } else if (args[i] == "--hex") {
            hex = true;
        } else {
            path = args[i];
        }
    }
    std::string text;
    if (!read_input(path, text)) {
        std::fprintf(stderr, "bpfvm: cannot read %s\n", path.c_str());
        return 1;
    }
    std::vector<RawInstruction> program;
    if (ends_with(path, ".data")) {
        auto assembled = assemble_text(path, text);
        if (!assembled)
            return 1;
        program = *assembled;
    } else {
        std::vector<uint8_t> bytes(text.begin(), text.end());
        if (hex) {
            auto parsed = bpfvm::parse_hex_bytes(text);
            if (!parsed) {
                std::fprintf(stderr, "bpfvm: invalid hex input\n");
                return 1;
            }
            bytes = *parsed;
        }
        if (bytes.size() % 8) {
            std::fprintf(stderr, "bpfvm: %zu bytes is not a whole number of instructions\n", bytes.size());
            return 1;
        }
        program.resize(bytes.size() / 8);
        std::memcpy(program.data(), bytes.data(), bytes.size());
    }
    StringBuilder out;
    Diagnostic diag;
    if (disassemble(Span<RawInstruction const>(program.data(), program.size()), syntax, out, &diag).is_error()) {
        std::fprintf(stderr, "bpfvm: %s\n", diag.message());
        return 1;
    }
    std::fwrite(out.view().chars(), 1, out.view().length(), stdout);
    return 0;
}

void collect_data_files(std::string const& path, std::vector<std::string>& files)
{
    namespace fs = std::filesystem;
    if (fs::is_directory(path)) {
        std::vector<std::string> found;
        for (auto const& entry : fs::directory_iterator(path)) {
            if (entry.path().extension() == ".data")
                found.push_back(entry.path().string());
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    } else {
        files.push_back(path);
    }
}

int command_conformance(std::vector<std::string> const& args, bool verbose)
{
    bool expect_reject = false;
    std::vector<std::string> files;
    for (auto const& arg : args) {
        if (arg == "--expect-reject")
            expect_reject = true;
        else
            collect_data_files(arg, files);
    }
    if (files.empty())
        return usage();
    unsigned passed = 0, failed = 0;
    for (auto const& file : files) {
        bpfvm::Outcome outcome = bpfvm::run_conformance_path(file);
        bool ok = expect_reject ? outcome.rejected() && !outcome.message.empty() : outcome.matches_expectation;
        ok ? ++passed : ++failed;
        if (!ok || verbose) {
            std::printf("%s %s: ", ok ? "PASS" : "FAIL", file.c_str());
            if (outcome.r0 && outcome.message.empty())
                std::printf("r0 = 0x%llx\n", static_cast<unsigned long long>(*outcome.r0));
            else
                std::printf("[%s] %s\n", bpfvm::stage_name(outcome.stage), outcome.message.c_str());
        }
    }
    std::printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}

int command_plugin(std::vector<std::string> const& args)
{
    std::string program_hex, memory_hex;
    bool have_program = false, have_memory = false;
    unsigned long long repeat = 1;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--program" && i + 1 < args.size()) {
            program_hex = args[++i];
            have_program = true;
        } else if (args[i] == "--repeat" && i + 1 < args.size()) {
            repeat = std::strtoull(args[++i].c_str(), nullptr, 10);
            if (repeat == 0)
                repeat = 1;
        } else if (!have_memory) {
            memory_hex = args[i];
            have_memory = true;
        } else {
            std::fprintf(stderr, "bpfvm plugin: unexpected argument '%s'\n", args[i].c_str());
            return 2;
        }
    }
    if (!have_program)
        read_input("-", program_hex);
    auto program_bytes = bpfvm::parse_hex_bytes(program_hex);
    auto memory_bytes = bpfvm::parse_hex_bytes(memory_hex);
    if (!program_bytes || program_bytes->empty() || program_bytes->size() % 8) {
        std::fprintf(stderr, "bpfvm plugin: the program must be base16 bytes, a whole number of 8-byte instructions\n");
        return 1;
    }
    if (!memory_bytes) {
        std::fprintf(stderr, "bpfvm plugin: the memory must be base16 bytes\n");
        return 1;
    }
    std::vector<RawInstruction> raw(program_bytes->size() / 8);
    std::memcpy(raw.data(), program_bytes->data(), program_bytes->size());
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(raw.data(), raw.size()), &diag);
    if (decoded.is_error()) {
        std::fprintf(stderr, "bpfvm plugin: %s\n", diag.message());
        return 1;
    }
    auto linked = bpf::Program::try_create(decoded.release_value(), bpfvm::plugin_environment(), &diag);
    if (linked.is_error()) {
        std::fprintf(stderr, "bpfvm plugin: %s\n", diag.message());
        return 1;
    }
    RefPtr<bpf::Program> program = linked.release_value();
    std::vector<uint8_t> const initial = *memory_bytes;
    std::vector<uint8_t> memory = initial;
    bpfvm::RunScope scope(program.ptr(), memory);
    RunOptions options;
    options.bounds_checked = true;
    options.regions = Span<MemoryRegion const>(scope.regions().data(), scope.regions().size());
    u64 r0 = 0;
    for (unsigned long long i = 0; i < repeat; ++i) {
        std::copy(initial.begin(), initial.end(), memory.begin());
        auto result = run(*program, Arguments { reinterpret_cast<u64>(memory.data()), memory.size() }, options, &diag);
        if (result.is_error()) {
            std::fprintf(stderr, "bpfvm plugin: %s\n", diag.message());
            return 1;
        }
        r0 = result.value();
    }
    std::printf("%llx\n", static_cast<unsigned long long>(r0));
    return 0;
}

}

int main(int argc, char** argv)
{
    if (argc < 2)
        return usage();
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "asm")
        return command_asm(args);
    if (command == "disasm")
        return command_disasm(args);
    if (command == "run")
        return command_conformance(args, true);
    if (command == "conformance")
        return command_conformance(args, false);
    if (command == "plugin")
        return command_plugin(args);
    if (command == "bench")
        return bpfvm::command_bench(args);
    if (command == "verify")
        return bpfvm::command_verify(args);
    return usage();
}
