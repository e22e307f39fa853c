// bpfvm verify --type TYPE [--map TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES]... [--log-level N]
//              [--license NAME] [--unprivileged] [--allow-uninit-stack] [--xlated] [--host] FILE
//
// FILE is asm text, hex bytes (.hex), a corpus case (.case: its type, maps and flags are used
// unless given on the command line) or a BPF ELF object (FILE or FILE:SECTION; the object's
// maps and the section's program type are used unless given). LD_IMM64 map references index
// the --map list (map_fd(0) is the first --map). Prints the verifier log; the last line says
// "accepted" (exit 0) or "rejected: ERRNO" (exit 1). Exit 2 for usage errors. --xlated prints
// the instructions the kernel would run; --host also loads the program into the host Linux
// kernel (root, bpf() available) and prints Linux's log and verdict after ours. --list prints
// the programs of an ELF object ("section/function", usable as FILE:section/function). --run
// runs an accepted program on the checked interpreter (SafetyInterpreter.h) with the context
// and packet given by --ctx HEX / --packet HEX (or the case's) and prints r0.
#include "VerifyCommand.h"
#include "VerifyBench.h"
#include "BpfObject.h"
#include "HostVerifier.h"
#include "Hex.h"
#include "SafetyInterpreter.h"
#include "VerifierCase.h"
#include "VerifierHarness.h"
#include "bpf/verifier/KernelDisasm.h"
#include "bpf/verifier/TracepointRegistry.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bpfvm {

namespace {

int usage()
{
    std::fprintf(stderr,
        "usage: bpfvm verify --type socket_filter|xdp|kprobe|tracepoint|raw_tracepoint|perf_event\n"
        "                    [--map TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:FLAGS]]... [--log-level N]\n"
        "                    [--license NAME] [--unprivileged] [--allow-uninit-stack] [--xlated] [--host] [--run [--ctx HEX] [--packet HEX]]\n"
        "                    [--list] FILE[:SECTION]\n"
        "       bpfvm verify --bench [--repeat N] [--no-host] PATH...\n");
    return 2;
}

}

int command_verify(std::vector<std::string> const& args)
{
    if (!args.empty() && args[0] == "--bench")
        return command_verify_bench(std::vector<std::string>(args.begin() + 1, args.end()));
    std::string type_name, path;
    std::vector<MapSpec> maps;
    bool have_maps = false, have_level = false, have_license = false, xlated = false, compare_host = false, list_programs = false, run = false;
    std::vector<uint8_t> ctx_bytes, packet_bytes;
    VerifyOptions options;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string const& arg = args[i];
        auto value = [&]() -> std::string const* { return i + 1 < args.size() ? &args[++i] : nullptr; };
        if (arg == "--type") {
            auto v = value();
            if (!v)
                return usage();
            type_name = *v;
        } else if (arg == "--map") {
            auto v = value();
            if (!v)
                return usage();
            std::string error;
            auto spec = parse_map_spec(*v, error);
            if (!spec) {
                std::fprintf(stderr, "bpfvm verify: %s\n", error.c_str());
                return 2;
            }
            maps.push_back(*spec);
            have_maps = true;
        } else if (arg == "--log-level") {
            auto v = value();
            if (!v)
                return usage();
            options.log_level = static_cast<uint32_t>(std::strtoul(v->c_str(), nullptr, 0));
            have_level = true;
        } else if (arg == "--license") {
            auto v = value();
            if (!v)
                return usage();
            options.gpl = bpf::verifier::license_is_gpl_compatible(StringView(v->c_str()));
            have_license = true;
        } else if (arg == "--unprivileged") {
            options.privileges.bpf_capable = false;
            options.privileges.perfmon_capable = false;
        } else if (arg == "--allow-uninit-stack") {
            options.privileges.allow_uninit_stack = true;
        } else if (arg == "--xlated") {
            xlated = true;
        } else if (arg == "--host") {
            compare_host = true;
        } else if (arg == "--list") {
            list_programs = true;
        } else if (arg == "--run") {
            run = true;
        } else if (arg == "--ctx" || arg == "--packet") {
            auto v = value();
            auto bytes = v ? parse_hex_bytes(*v) : std::nullopt;
            if (!bytes)
                return usage();
            (arg == "--ctx" ? ctx_bytes : packet_bytes) = *bytes;
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            return usage();
        } else {
            path = arg;
        }
    }
    if (path.empty())
        return usage();
    if (list_programs) {
        std::string error;
        auto object = load_bpf_object(path, error);
        if (!object) {
            std::fprintf(stderr, "bpfvm verify: %s\n", error.c_str());
            return 2;
        }
        for (auto const& name : object->program_names())
            std::printf("%s\n", name.c_str());
        return 0;
    }

    std::vector<bpf::isa::RawInstruction> program;
    uint32_t case_type = 0;
    std::string error;
    bool is_case = path.size() > 5 && path.compare(path.size() - 5, 5, ".case") == 0;
    if (is_case) {
        std::ifstream input(path);
        std::ostringstream text;
        text << input.rdbuf();
        auto parsed = parse_verifier_case(text.str(), error);
        if (!parsed) {
            std::fprintf(stderr, "bpfvm verify: %s: %s\n", path.c_str(), error.c_str());
            return 2;
        }
        program = parsed->instructions;
        case_type = parsed->prog_type;
        if (!have_maps)
            maps = parsed->maps;
        VerifyOptions from_case = parsed->options();
        if (!have_level)
            options.log_level = from_case.log_level;
        if (!have_license)
            options.gpl = from_case.gpl;
        bool uninit = options.privileges.allow_uninit_stack;
        options.privileges = from_case.privileges;
        options.privileges.allow_uninit_stack |= uninit;
        if (ctx_bytes.empty())
            ctx_bytes = parsed->ctx;
        if (packet_bytes.empty())
            packet_bytes = parsed->packet;
        options.tracepoint_id = from_case.tracepoint_id;
        if (parsed->tracepoint_id)
            (void)bpf::verifier::register_tracepoint(parsed->tracepoint_id, "case", parsed->tracepoint_size);
    } else {
        auto loaded = load_program_file(path, error);
        if (!loaded) {
            std::fprintf(stderr, "bpfvm verify: %s\n", error.c_str());
            return 2;
        }
        program = loaded->instructions;
        if (!loaded->section.empty()) {
            std::string object_path = std::ifstream(path) ? path : path.substr(0, path.find(':'));
            auto object = load_bpf_object(object_path, error);
            if (object) {
                case_type = program_type_of_section(loaded->section);
                if (!have_maps)
                    maps = object->maps();
                if (!have_license && !object->license().empty())
                    options.gpl = bpf::verifier::license_is_gpl_compatible(StringView(object->license().c_str()));
            }
        }
    }
    if (!type_name.empty()) {
        if (!program_type_by_name(type_name, options.prog_type)) {
            std::fprintf(stderr, "bpfvm verify: unknown program type '%s'\n", type_name.c_str());
            return 2;
        }
    } else if (case_type) {
        options.prog_type = case_type;
    } else {
        std::fprintf(stderr, "bpfvm verify: --type is required\n");
        return usage();
    }

    MapSet map_set;
    if (!map_set.create(maps, error)) {
        std::fprintf(stderr, "bpfvm verify: %s\n", error.c_str());
        return 2;
    }
    VerifyOutcome outcome = run_verifier(program, map_set, options);
    std::fwrite(outcome.log.data(), 1, outcome.log.size(), stdout);
    if (!outcome.log.empty() && outcome.log.back() != '\n')
        std::printf("\n");
    if (compare_host) {
        host::HostOptions host_options;
        host_options.prog_type = options.prog_type;
        host_options.gpl = options.gpl;
        host_options.log_level = options.log_level ? options.log_level : 1;
        host_options.log_when_accepted = true;
        auto verdict = host::host_verify(program, maps, host_options);
        std::printf("== host Linux ==\n");
        if (verdict.setup_failed) {
            std::printf("host setup failed: %s\n", verdict.setup_error.c_str());
        } else {
            std::fwrite(verdict.log.data(), 1, verdict.log.size(), stdout);
            if (verdict.error)
                std::printf("host: rejected: %s (%d)\n", errno_name(verdict.error), verdict.error);
            else
                std::printf("host: accepted\n");
        }
        std::printf("== ours ==\n");
    }
    if (outcome.error) {
        std::printf("rejected: %s (%d)\n", errno_name(outcome.error), outcome.error);
        return 1;
    }
    if (xlated) {
        auto const& code = outcome.verified->xlated;
        for (uint32_t i = 0; i < code.size(); ++i) {
            StringBuilder text;
            uint64_t value = static_cast<uint32_t>(code[i].imm);
            if (i + 1 < code.size())
                value |= static_cast<uint64_t>(static_cast<uint32_t>(code[i + 1].imm)) << 32;
            bpf::verifier::print_kernel_insn(text, code.data(), static_cast<uint32_t>(code.size()), i, value);
            std::printf("%4u: %.*s\n", i, static_cast<int>(text.view().length()), text.view().chars());
            if (code[i].opcode == bpf::isa::encoding::lddw_opcode)
                ++i;
        }
    }
    if (run) {
        SafetyRunConfig config;
        config.prog_type = options.prog_type;
        config.ctx = ctx_bytes;
        config.packet = packet_bytes;
        config.allow_uninit_stack = options.privileges.allow_uninit_stack;
        SafetyResult result = safety_run(*outcome.verified, map_set, config);
        if (result.violation)
            std::printf("run: VIOLATION %s\n", result.message.c_str());
        else
            std::printf("run: r0 = 0x%llx after %llu instructions\n", static_cast<unsigned long long>(result.r0), static_cast<unsigned long long>(result.executed));
    }
    std::printf("accepted\n");
    return 0;
}

}
