// The maps of a program being loaded, as the bpf() layer needs them: the verifier resolves
// LD_IMM64 map references through this ObjectResolver (fds, and fds from the fd_array), which
// records the MapObject behind every map it hands out, so the loaded program can hold its
// maps by object (ids for bpf_prog_info.map_ids, the maps kept alive with the program).
// After verification, xlated_dump() turns the verifier's xlated instructions (map and map
// value addresses in LD_IMM64) into what OBJ_GET_INFO_BY_FD reports: BPF_PSEUDO_MAP_FD or
// BPF_PSEUDO_MAP_VALUE with the map id and the value offset (Linux's bpf_insn_prepare_dump).
#pragma once

#include "bpf/isa/Encoding.h"
#include "bpf/syscall/FdResolver.h"
#include "klib/Span.h"

namespace bpf::kernel {

class ProgramMaps final : public FdResolver {
public:
    ErrorOr<RefPtr<Map>> map_from_fd(u32 fd) override;

    // The recorded object of `map`, or null (maps the verifier found on its own, e.g. inner
    // maps of a map-in-map lookup, have none).
    MapObject* object_of(Map const* map) const;
    // The used maps' objects in the verifier's used_maps order (maps without an object skipped).
    ErrorOr<Vector<RefPtr<MapObject>>> objects_in_order(Span<RefPtr<Map> const> used_maps) const;
    ErrorOr<Vector<isa::RawInstruction>> xlated_dump(Span<isa::RawInstruction const> xlated) const;

private:
    Vector<RefPtr<MapObject>> m_objects;
};

}
