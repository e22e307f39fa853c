// The benchmark driver (see BenchCommand.h).
//
// For each object: run once bounds-checked to get r0 and the executed instruction count, then
// time unchecked runs until --time-ms has passed; time the native function the same way and
// require the same r0; wrap the program for XDP (HostKernel.h), check its r0 and time it with
// BPF_PROG_TEST_RUN repeat, subtracting the same wrapper around an empty program.
// --interp-runs N only runs the interpreter N times per object (for callgrind measurements).
#include "BenchCommand.h"
#include "ElfText.h"
#include "HostKernel.h"
#include "bpf/isa/Decoder.h"
#include "bpf/isa/Interpreter.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

namespace bpfvm {

using namespace bpf::isa;

namespace {

constexpr size_t buffer_size = 4096;
using NativeEntry = uint64_t (*)(uint8_t*);

struct Row {
    std::string name;
    uint64_t instructions { 0 };
    double interpreter_ns { 0 };
    double native_ns { -1 };
    double jit_ns { -1 };
    std::string jit_note;
};

std::vector<uint8_t> make_buffer()
{
    std::vector<uint8_t> buffer(buffer_size);
    for (size_t i = 0; i < buffer.size(); ++i)
        buffer[i] = static_cast<uint8_t>((i * 131 + 7) & 0xff);
    return buffer;
}

template<typename Body>
double time_per_call(double minimum_ms, Body body)
{
    using clock = std::chrono::steady_clock;
    for (uint64_t count = 1;; count *= 2) {
        auto start = clock::now();
        for (uint64_t i = 0; i < count; ++i)
            body();
        double elapsed = std::chrono::duration<double, std::nano>(clock::now() - start).count();
        if (elapsed >= minimum_ms * 1e6)
            return elapsed / static_cast<double>(count);
    }
}

std::string name_of(std::string const& path)
{
    std::string base = path.substr(path.find_last_of('/') + 1);
    return base.substr(0, base.find('.'));
}

// Kernel JIT time per run of `program` minus the wrapper, or a note explaining why not.
double time_on_host(std::vector<RawInstruction> const& program, std::vector<uint8_t> const& buffer, uint64_t expected, double minimum_ms,
    std::string& note)
{
    int error = 0;
    host::Fd buffer_map = host::create_array_map(buffer_size, 1, error);
    host::Fd result_map = host::create_array_map(16, 1, error);
    if (!buffer_map.valid() || !result_map.valid()) {
        note = std::string("bpf() unavailable: ") + std::strerror(error);
        return -1;
    }
    host::update_element(buffer_map, 0, buffer.data());
    std::vector<uint8_t> packet(64, 0);
    auto measure = [&](std::vector<RawInstruction> const& body, uint64_t* r0) -> double {
        auto loaded = host::load_xdp(host::wrap_with_map_value(body, buffer_map.get(), result_map.get()));
        if (!loaded.program.valid()) {
            std::string log = loaded.log;
            while (!log.empty() && log.back() == '\n')
                log.pop_back();
            size_t line = log.find_last_of('\n', log.rfind("processed") == std::string::npos ? std::string::npos : log.rfind("processed") - 1);
            note = "verifier: " + (line == std::string::npos ? log : log.substr(line + 1, 80));
            return -1;
        }
        auto once = host::test_run(loaded.program, packet, 1);
        uint64_t value[2] = { 0, 0 };
        if (once.error || !host::lookup_element(result_map, 0, value) || value[1] != 1) {
            note = "test run failed";
            return -1;
        }
        if (r0)
            *r0 = value[0];
        // Choose a repeat count that takes about minimum_ms.
        uint32_t repeat = 1000;
        auto probe = host::test_run(loaded.program, packet, repeat);
        double per_run = probe.duration_ns > 0 ? probe.duration_ns : 1;
        repeat = static_cast<uint32_t>(std::min(1e8, std::max(1000.0, minimum_ms * 1e6 / per_run)));
        auto timed = host::test_run(loaded.program, packet, repeat);
        return timed.error ? -1 : timed.duration_ns;
    };
    uint64_t r0 = 0;
    double full = measure(program, &r0);
    if (full < 0)
        return -1;
    if (r0 != expected) {
        char text[96];
        std::snprintf(text, sizeof(text), "r0 mismatch: kernel 0x%llx", static_cast<unsigned long long>(r0));
        note = text;
        return -1;
    }
    std::vector<RawInstruction> empty { RawInstruction::make(0xb7, 0, 0, 0, 0), RawInstruction::make(0x95, 0, 0, 0, 0) };
    double baseline = measure(empty, nullptr);
    return baseline < 0 ? full : std::max(0.0, full - baseline);
}

}

int command_bench(std::vector<std::string> const& args)
{
    std::string native_path;
    double minimum_ms = 200;
    uint64_t interp_runs = 0;
    bool kernel = true;
    std::vector<std::string> objects;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--native" && i + 1 < args.size())
            native_path = args[++i];
        else if (args[i] == "--time-ms" && i + 1 < args.size())
            minimum_ms = std::atof(args[++i].c_str());
        else if (args[i] == "--interp-runs" && i + 1 < args.size())
            interp_runs = std::strtoull(args[++i].c_str(), nullptr, 10);
        else if (args[i] == "--no-kernel")
            kernel = false;
        else
            objects.push_back(args[i]);
    }
    void* native = native_path.empty() ? nullptr : dlopen(native_path.c_str(), RTLD_NOW);
    if (!native_path.empty() && !native) {
        std::fprintf(stderr, "bpfvm bench: %s\n", dlerror());
        return 1;
    }
    bool host_kernel = kernel && host::probe() == 0;

    std::vector<Row> rows;
    for (auto const& path : objects) {
        std::string error;
        auto raw = load_elf_text(path, error);
        if (!raw) {
            std::fprintf(stderr, "bpfvm bench: %s\n", error.c_str());
            return 1;
        }
        Diagnostic diag;
        auto decoded = decode(Span<RawInstruction const>(raw->data(), raw->size()), &diag);
        if (decoded.is_error()) {
            std::fprintf(stderr, "bpfvm bench: %s: %s\n", path.c_str(), diag.message());
            return 1;
        }
        auto linked = bpf::Program::try_create(decoded.release_value(), ExecutionEnvironment {}, &diag);
        if (linked.is_error()) {
            std::fprintf(stderr, "bpfvm bench: %s: %s\n", path.c_str(), diag.message());
            return 1;
        }
        RefPtr<bpf::Program> program = linked.release_value();
        std::vector<uint8_t> buffer = make_buffer();
        Arguments arguments { reinterpret_cast<u64>(buffer.data()) };

        Row row;
        row.name = name_of(path);
        MemoryRegion region { reinterpret_cast<u64>(buffer.data()), buffer.size() };
        RunOptions checked;
        checked.bounds_checked = true;
        checked.regions = Span<MemoryRegion const>(&region, 1);
        checked.executed_instructions = &row.instructions;
        auto reference = run(*program, arguments, checked, &diag);
        if (reference.is_error()) {
            std::fprintf(stderr, "bpfvm bench: %s: %s\n", path.c_str(), diag.message());
            return 1;
        }
        uint64_t expected = reference.value();
        RunOptions fast;
        if (interp_runs) {
            for (uint64_t i = 0; i < interp_runs; ++i)
                (void)run(*program, arguments, fast);
            std::printf("%s %llu\n", row.name.c_str(), static_cast<unsigned long long>(row.instructions));
            continue;
        }
        volatile uint64_t sink = 0;
        row.interpreter_ns = time_per_call(minimum_ms, [&] { sink = sink + run(*program, arguments, fast).value(); });

        if (native) {
            auto function = reinterpret_cast<NativeEntry>(dlsym(native, ("bench_" + row.name).c_str()));
            if (!function) {
                std::fprintf(stderr, "bpfvm bench: no bench_%s in %s\n", row.name.c_str(), native_path.c_str());
                return 1;
            }
            std::vector<uint8_t> native_buffer = make_buffer();
            if (function(native_buffer.data()) != expected) {
                std::fprintf(stderr, "bpfvm bench: %s: native result differs from the interpreter's\n", row.name.c_str());
                return 1;
            }
            row.native_ns = time_per_call(minimum_ms, [&] { sink = sink + function(native_buffer.data()); });
        }
        if (host_kernel)
            row.jit_ns = time_on_host(*raw, make_buffer(), expected, minimum_ms, row.jit_note);
        else
            row.jit_note = kernel ? "bpf() unavailable" : "not measured";
        rows.push_back(row);
        std::fflush(stdout);
    }
    if (interp_runs)
        return 0;

    // ns/insn columns divide by the BPF instructions the program executes per run, so the three
    // implementations are compared per unit of the same work.
    std::printf("| program | BPF insns/run | interpreter ns/run | interp ns/insn | native ns/run | native ns/insn | host JIT ns/run | JIT ns/insn | interp/native | interp/JIT |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (auto const& row : rows) {
        double instructions = static_cast<double>(row.instructions);
        std::printf("| %s | %llu | %.0f | %.2f | ", row.name.c_str(), static_cast<unsigned long long>(row.instructions), row.interpreter_ns,
            row.interpreter_ns / instructions);
        if (row.native_ns >= 0)
            std::printf("%.0f | %.3f | ", row.native_ns, row.native_ns / instructions);
        else
            std::printf("n/a | n/a | ");
        if (row.jit_ns >= 0)
            std::printf("%.0f | %.3f | ", row.jit_ns, row.jit_ns / instructions);
        else
            std::printf("n/a (%s) | n/a | ", row.jit_note.c_str());
        if (row.native_ns > 0)
            std::printf("%.1f | ", row.interpreter_ns / row.native_ns);
        else
            std::printf("n/a | ");
        if (row.jit_ns > 0)
            std::printf("%.1f |\n", row.interpreter_ns / row.jit_ns);
        else
            std::printf("n/a |\n");
    }
    return 0;
}

}
