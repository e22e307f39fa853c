// What a Program needs from the world around it: the helper table (indexed by Linux helper id),
// the packet accessor used by the legacy LD_ABS/LD_IND instructions, and the resolver that turns
// LD_IMM64 pseudo forms (map fd/index, map value, BTF id) into 64-bit values. The kernel's program
// types and the host tools each provide one; none of it is owned by the Program.
#pragma once

#include "bpf/Runtime.h"
#include "klib/Error.h"

namespace bpf::isa {

// Copies `size` (1, 2 or 4) bytes at packet offset `offset` of the context `context` (the value
// of r6) to `out`; false when the range is outside the packet, which ends the program with r0 = 0.
using PacketLoader = bool (*)(u64 context, u32 offset, u32 size, void* out);

struct ExecutionEnvironment {
    HelperFunction const* helpers { nullptr }; // helpers[id], nullptr = no such helper
    u32 helper_count { 0 };
    // A helper that, when it returns 0, ends the whole program with r0 = 0 (the conformance
    // suite's "unwind" helper); -1 = none.
    i32 unwind_helper_id { -1 };
    PacketLoader load_packet { nullptr };
};

// Resolves LD_IMM64 with src_reg = MAP_FD, MAP_VALUE, BTF_ID, MAP_IDX or MAP_IDX_VALUE. `imm` is
// the first half's imm (fd, index or BTF id), `next_imm` the second half's (value offset or
// BTF object fd). Returns the value the register receives (an address), or an errno.
struct PseudoResolver {
    ErrorOr<u64> (*resolve)(void* context, u8 kind, u32 imm, u32 next_imm) { nullptr };
    void* context { nullptr };
};

}
