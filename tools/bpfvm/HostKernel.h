// Access to the host Linux kernel's own BPF implementation through the raw bpf() system call
// (no libbpf): array maps, XDP program loading with the verifier log, and BPF_PROG_TEST_RUN.
// Used by the differential test and the benchmark to compare our interpreter with Linux.
// Host-only code.
#pragma once

#include "bpf/isa/Encoding.h"
#include <cstdint>
#include <string>
#include <vector>

namespace bpfvm::host {

// 0 when bpf() can create maps and load programs here, otherwise the errno (EPERM, ENOSYS...).
int probe();

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd)
    {
    }
    Fd(Fd&& other)
        : m_fd(other.m_fd)
    {
        other.m_fd = -1;
    }
    Fd& operator=(Fd&& other);
    Fd(Fd const&) = delete;
    ~Fd();
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd { -1 };
};

// An ARRAY map with u32 keys; `error` receives errno on failure.
Fd create_array_map(uint32_t value_size, uint32_t max_entries, int& error);
bool update_element(Fd const& map, uint32_t key, void const* value);
bool lookup_element(Fd const& map, uint32_t key, void* value);

struct LoadResult {
    Fd program;
    int error { 0 };
    std::string log; // the verifier's log when loading failed
};
LoadResult load_xdp(std::vector<bpf::isa::RawInstruction> const& instructions);

struct TestRun {
    int error { 0 };
    uint32_t retval { 0 };
    uint32_t duration_ns { 0 }; // average per repetition, as reported by the kernel
};
TestRun test_run(Fd const& program, std::vector<uint8_t> const& packet, uint32_t repeat);

// Wraps `program` (which expects r1 = memory, r2 = its length, and returns a 64-bit r0) into an
// XDP program: checks that the packet holds `length` bytes, calls `program` as a bpf-to-bpf
// subprogram with r1 = packet data, r2 = length, and stores {r0, 1} in slot 0 of `result_map`
// (value size 16). Returns XDP_PASS.
std::vector<bpf::isa::RawInstruction> wrap_with_packet(std::vector<bpf::isa::RawInstruction> const& program, uint32_t length, int result_map);

// Wraps `program` (expects r1 = a buffer) into an XDP program that looks up slot 0 of
// `buffer_map`, calls `program` with r1 = that value, and stores {r0, 1} in `result_map`.
std::vector<bpf::isa::RawInstruction> wrap_with_map_value(std::vector<bpf::isa::RawInstruction> const& program, int buffer_map, int result_map);

}
