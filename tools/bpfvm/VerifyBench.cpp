// `bpfvm verify --bench [--repeat N] [--no-host] PATH...`: every corpus case (.case, except
// those marked "host: skip") and every program of every BPF object (.bpf.o; objects made of
// one `entry` function are wrapped as scripts/bench runs them) found in PATHs (files or
// directories) is verified N times (default 5) by our verifier and loaded N times on the host
// kernel with log_level 4 (BPF_LOG_STATS). Per program the mean time is taken: ours is the
// wall time of the verifier call with logging off, Linux's is the "verification time N usec"
// it reports (bpf_check start to end, truncated to whole microseconds, which favours Linux
// by up to 1 us per program). Both verify as a root loader (uninitialized stack reads
// allowed). Prints per group (corpus, objects) the totals and ns per processed instruction,
// each verifier counting its own processed instructions, and one line per object program.
#include "VerifyBench.h"
#include "BpfObject.h"
#include "HostKernel.h"
#include "HostVerifier.h"
#include "VerifierCase.h"
#include "bpf/verifier/TracepointRegistry.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace bpfvm {

namespace {

struct BenchProgram {
    std::string name;
    std::string group; // "corpus" or "objects"
    uint32_t prog_type { 0 };
    bool gpl { true };
    uint32_t tracepoint_id { 0 };
    uint32_t tracepoint_size { 0 };
    std::vector<MapSpec> maps;
    std::vector<bpf::isa::RawInstruction> instructions;
};

struct Measurement {
    bool accepted_ours { false };
    bool accepted_linux { false };
    uint64_t ours_ns { 0 };      // mean per verification
    uint64_t linux_ns { 0 };     // mean of the reported microseconds, in ns
    uint32_t ours_processed { 0 };
    uint32_t linux_processed { 0 };
};

struct Totals {
    unsigned programs { 0 };
    uint64_t ours_ns { 0 }, linux_ns { 0 };
    uint64_t ours_processed { 0 }, linux_processed { 0 };
};

void collect_files(std::string const& path, std::set<std::string>& cases, std::set<std::string>& objects)
{
    auto classify = [&](std::string const& file) {
        auto ends = [&](char const* suffix) {
            size_t n = std::strlen(suffix);
            return file.size() > n && file.compare(file.size() - n, n, suffix) == 0;
        };
        if (ends(".case"))
            cases.insert(file);
        else if (ends(".bpf.o"))
            objects.insert(file);
    };
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
        classify(path);
        return;
    }
    for (auto it = std::filesystem::recursive_directory_iterator(path, std::filesystem::directory_options::skip_permission_denied, error);
         it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        if (error)
            break;
        if (it->is_regular_file())
            classify(it->path().string());
    }
}

bool add_case(std::string const& path, std::vector<BenchProgram>& programs)
{
    std::ifstream input(path);
    std::ostringstream text;
    text << input.rdbuf();
    std::string error;
    auto parsed = parse_verifier_case(text.str(), error);
    if (!parsed) {
        std::fprintf(stderr, "bpfvm verify --bench: %s: %s\n", path.c_str(), error.c_str());
        return false;
    }
    if (!parsed->host_skip.empty() || parsed->unprivileged || parsed->no_perfmon)
        return true;
    BenchProgram program;
    program.name = std::filesystem::path(path).filename().string();
    program.group = "corpus";
    program.prog_type = parsed->prog_type;
    program.gpl = parsed->gpl;
    program.tracepoint_id = parsed->tracepoint_id;
    program.tracepoint_size = parsed->tracepoint_size;
    program.maps = parsed->maps;
    program.instructions = parsed->instructions;
    programs.push_back(std::move(program));
    return true;
}

bool add_object(std::string const& path, std::vector<BenchProgram>& programs)
{
    std::string error;
    auto object = load_bpf_object(path, error);
    if (!object) {
        std::fprintf(stderr, "bpfvm verify --bench: %s: %s\n", path.c_str(), error.c_str());
        return false;
    }
    auto names = object->program_names();
    bool bench_style = names.size() == 1 && names[0] == ".text/entry";
    for (auto const& name : names) {
        auto loaded = object->program(bench_style ? std::string() : name, error);
        if (!loaded) {
            std::fprintf(stderr, "bpfvm verify --bench: %s %s: %s\n", path.c_str(), name.c_str(), error.c_str());
            return false;
        }
        BenchProgram program;
        program.name = std::filesystem::path(path).filename().string() + (bench_style ? std::string() : " " + name);
        program.group = "objects";
        program.gpl = bpf::verifier::license_is_gpl_compatible(StringView(object->license().c_str()));
        if (bench_style) {
            program.maps = { *parse_map_spec("array:4:4096:1", error), *parse_map_spec("array:4:16:1", error) };
            program.instructions = host::wrap_with_map_value(loaded->instructions, 0, 1);
            program.prog_type = BPF_PROG_TYPE_XDP;
        } else {
            if (!loaded->prog_type)
                continue;
            program.maps = object->maps();
            program.instructions = loaded->instructions;
            program.prog_type = loaded->prog_type;
        }
        programs.push_back(std::move(program));
    }
    return true;
}

uint32_t processed_from_log(std::string const& log)
{
    auto at = log.rfind("processed ");
    return at == std::string::npos ? 0 : static_cast<uint32_t>(std::strtoul(log.c_str() + at + 10, nullptr, 10));
}

Measurement measure(BenchProgram const& program, unsigned repeat, bool with_host)
{
    Measurement m;
    MapSet maps;
    std::string error;
    if (!maps.create(program.maps, error)) {
        std::fprintf(stderr, "bpfvm verify --bench: %s: %s\n", program.name.c_str(), error.c_str());
        return m;
    }
    VerifyOptions options;
    options.prog_type = program.prog_type;
    options.gpl = program.gpl;
    options.tracepoint_id = program.tracepoint_id;
    options.privileges.bpf_capable = true;
    options.privileges.perfmon_capable = true;
    options.privileges.allow_uninit_stack = true;
    // One run with the statistics for the processed count, then timed runs without a log.
    options.log_level = 4;
    options.log_size = 1u << 16;
    auto counted = run_verifier(program.instructions, maps, options);
    m.accepted_ours = counted.error == 0;
    m.ours_processed = processed_from_log(counted.log);
    options.log_level = 0;
    uint64_t total = 0;
    for (unsigned i = 0; i < repeat; ++i) {
        uint64_t start = monotonic_ns();
        auto outcome = run_verifier(program.instructions, maps, options);
        total += monotonic_ns() - start;
    }
    m.ours_ns = total / repeat;
    if (!with_host)
        return m;
    host::HostOptions host_options;
    host_options.prog_type = program.prog_type;
    host_options.gpl = program.gpl;
    host_options.stats = true;
    host_options.log_level = 0;
    uint64_t linux_usec = 0;
    for (unsigned i = 0; i < repeat; ++i) {
        auto verdict = host::host_verify(program.instructions, program.maps, host_options);
        m.accepted_linux = verdict.error == 0 && !verdict.setup_failed;
        m.linux_processed = verdict.processed_insns;
        linux_usec += verdict.verification_usec;
    }
    m.linux_ns = linux_usec * 1000 / repeat;
    return m;
}

double per_insn(uint64_t ns, uint64_t insns) { return insns ? static_cast<double>(ns) / static_cast<double>(insns) : 0.0; }

void print_totals(char const* group, Totals const& t, bool with_host)
{
    std::printf("%-8s %5u programs  ours: %9llu insns %10.1f us %7.1f ns/insn", group, t.programs,
        static_cast<unsigned long long>(t.ours_processed), static_cast<double>(t.ours_ns) / 1000.0, per_insn(t.ours_ns, t.ours_processed));
    if (with_host) {
        double ours = per_insn(t.ours_ns, t.ours_processed), linux_ = per_insn(t.linux_ns, t.linux_processed);
        std::printf("  Linux: %9llu insns %10.1f us %7.1f ns/insn  ratio ours/Linux per insn %.2f, total time %.2f",
            static_cast<unsigned long long>(t.linux_processed), static_cast<double>(t.linux_ns) / 1000.0, linux_,
            linux_ > 0 ? ours / linux_ : 0.0, t.linux_ns ? static_cast<double>(t.ours_ns) / static_cast<double>(t.linux_ns) : 0.0);
    }
    std::printf("\n");
}

}

int command_verify_bench(std::vector<std::string> const& args)
{
    unsigned repeat = 5;
    bool with_host = true;
    std::set<std::string> cases, objects;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--repeat" && i + 1 < args.size()) {
            repeat = static_cast<unsigned>(std::strtoul(args[++i].c_str(), nullptr, 0));
        } else if (args[i] == "--no-host") {
            with_host = false;
        } else if (!args[i].empty() && args[i][0] == '-') {
            std::fprintf(stderr, "usage: bpfvm verify --bench [--repeat N] [--no-host] PATH...\n");
            return 2;
        } else {
            collect_files(args[i], cases, objects);
        }
    }
    if (repeat == 0 || (cases.empty() && objects.empty())) {
        std::fprintf(stderr, "usage: bpfvm verify --bench [--repeat N] [--no-host] PATH...\n");
        return 2;
    }
    if (with_host && host::host_available() != 0) {
        std::fprintf(stderr, "bpfvm verify --bench: bpf() is unavailable here; measuring ours only\n");
        with_host = false;
    }
    std::vector<BenchProgram> programs;
    for (auto const& path : cases)
        if (!add_case(path, programs))
            return 2;
    for (auto const& path : objects)
        if (!add_object(path, programs))
            return 2;

    Totals corpus, real;
    std::printf("%-56s %8s %9s %10s %8s %9s %10s\n", "object program", "ours", "insns", "ns/insn", "Linux", "insns", "ns/insn");
    for (auto const& program : programs) {
        if (program.tracepoint_id)
            (void)bpf::verifier::register_tracepoint(program.tracepoint_id, StringView(program.name.c_str()), program.tracepoint_size);
        Measurement m = measure(program, repeat, with_host);
        Totals& t = program.group == "corpus" ? corpus : real;
        ++t.programs;
        t.ours_ns += m.ours_ns;
        t.ours_processed += m.ours_processed;
        t.linux_ns += m.linux_ns;
        t.linux_processed += m.linux_processed;
        if (program.group == "objects") {
            std::printf("%-56s %8s %9u %10.1f", program.name.c_str(), m.accepted_ours ? "accept" : "REJECT", m.ours_processed, per_insn(m.ours_ns, m.ours_processed));
            if (with_host)
                std::printf(" %8s %9u %10.1f", m.accepted_linux ? "accept" : "REJECT", m.linux_processed, per_insn(m.linux_ns, m.linux_processed));
            std::printf("\n");
        }
    }
    std::printf("\n");
    if (corpus.programs)
        print_totals("corpus", corpus, with_host);
    if (real.programs)
        print_totals("objects", real, with_host);
    return 0;
}

}
