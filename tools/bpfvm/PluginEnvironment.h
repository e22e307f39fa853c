// The execution environments of the host tools.
//
// plugin_environment(): what `bpfvm plugin` offers, exactly the bpf_conformance plugin helpers:
//   0 gather_bytes, 1 memfrob, 2 no_op, 3 sqrti, 4 strcmp_ext, 5 unwind (returns its argument;
//   a 0 result ends the program with r0 = 0).
// test_environment(): the same plus test doubles used by tests/bpf_conformance_extra:
//   - helper 181 (Linux's bpf_loop id): bpf_loop(nr, callback, ctx, flags) through
//     bpf::call_bpf_function, stopping early when the callback returns 1;
//   - LD_IMM64 pseudo resolution: map_fd(N)/map_idx(N) -> fake_map_address(N),
//     map_value(N, off)/map_idx_value(N, off) -> address of fake map N's 64-byte value + off,
//     btf_id(id, fd) -> 0xb7f0000000000000 | id;
//   - a tail-call hook: in fake map 1, slot 0 is the program being run and slot 1 the
//     secondary program set with set_tail_call_secondary(); all other slots are empty.
// Both give LD_ABS/LD_IND a packet: the run's memory (valid when r6 holds its address).
#pragma once

#include "bpf/isa/Interpreter.h"
#include <cstdint>
#include <vector>

namespace bpfvm {

bpf::isa::ExecutionEnvironment plugin_environment();
bpf::isa::ExecutionEnvironment test_environment();
bpf::isa::PseudoResolver const& test_pseudo_resolver();

constexpr uint64_t fake_map_count = 4;
constexpr uint64_t fake_map_value_size = 64;
uint64_t fake_map_address(uint32_t index);

// Memory regions a checked run may touch besides its stack: the input memory and the fake map
// values. Also makes `memory` the packet of LD_ABS/LD_IND and the area helpers may access.
class RunScope {
public:
    RunScope(bpf::Program* program, std::vector<uint8_t>& memory);
    ~RunScope();
    std::vector<bpf::isa::MemoryRegion> const& regions() const { return m_regions; }

private:
    std::vector<bpf::isa::MemoryRegion> m_regions;
};

// Tail-call slot 1 of fake map 1 (nullptr = empty).
void set_tail_call_secondary(bpf::Program*);

}
