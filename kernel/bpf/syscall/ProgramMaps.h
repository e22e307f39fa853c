// The maps a program being loaded refers to (the map half of Linux's resolve_pseudo_ldimm64):
// every LD_IMM64 with src_reg BPF_PSEUDO_MAP_FD/MAP_VALUE (an fd in imm) or
// BPF_PSEUDO_MAP_IDX/MAP_IDX_VALUE (an index into the fd_array) is resolved to its map, value
// offsets are checked (direct value access: single-element ARRAY maps only), and the distinct
// maps are collected in first-use order (at most 64, E2BIG beyond). The result gives:
//  - the addresses the linked program loads (a PseudoResolver for Program::try_create, which
//    asks in instruction order);
//  - the "xlated" copy OBJ_GET_INFO_BY_FD reports: map fds replaced by map ids, index forms
//    shown as MAP_FD/MAP_VALUE (bpf_insn_prepare_dump).
// Errors carry Linux's verifier messages ("fd %d is not pointing to valid bpf_map"...).
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/isa/Environment.h"
#include "bpf/syscall/BpfLog.h"
#include "bpf/syscall/MapObject.h"
#include "klib/Span.h"

namespace bpf::kernel {

struct MapReference {
    u32 instruction;  // index of the LD_IMM64's first half
    u8 kind;          // BPF_PSEUDO_MAP_FD/VALUE/IDX/IDX_VALUE
    u32 map_index;    // into ProgramMaps::maps
    u32 offset;       // value offset (VALUE forms)
    u64 address;      // what the register receives: the Map, or value + offset
};

class ProgramMaps {
public:
    static constexpr u32 max_used_maps = 64; // MAX_USED_MAPS

    // `fd_array`: user address of the u32 fd array (0 = none).
    static ErrorOr<ProgramMaps> collect(Span<isa::RawInstruction const> instructions, u64 fd_array, BpfLog& log);

    Vector<RefPtr<MapObject>>& maps() { return m_maps; }
    Vector<MapReference> const& references() const { return m_references; }
    // Answers Program::try_create's resolver calls in instruction order.
    isa::PseudoResolver resolver();
    ErrorOr<Vector<isa::RawInstruction>> xlated(Span<isa::RawInstruction const> instructions) const;

private:
    static ErrorOr<u64> resolve(void* context, u8 kind, u32 imm, u32 next_imm);

    Vector<RefPtr<MapObject>> m_maps;
    Vector<MapReference> m_references;
    u32 m_next_reference { 0 };
};

}
