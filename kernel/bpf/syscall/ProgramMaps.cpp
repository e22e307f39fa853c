// Map references of a program being loaded (see ProgramMaps.h).
#include "bpf/syscall/ProgramMaps.h"
#include "bpf/syscall/BpfFiles.h"
#include "mm/UserBuffer.h"

namespace bpf::kernel {

namespace {

constexpr u8 ld_imm64 = BPF_LD | BPF_IMM | BPF_DW;
constexpr u32 max_value_offset = 1u << 29; // BPF_MAX_VAR_OFF

bool is_map_kind(u8 kind)
{
    return kind == BPF_PSEUDO_MAP_FD || kind == BPF_PSEUDO_MAP_VALUE || kind == BPF_PSEUDO_MAP_IDX || kind == BPF_PSEUDO_MAP_IDX_VALUE;
}

bool is_value_kind(u8 kind) { return kind == BPF_PSEUDO_MAP_VALUE || kind == BPF_PSEUDO_MAP_IDX_VALUE; }

// map_direct_value_addr(): only single-element ARRAY maps give programs their value address.
ErrorOr<u64> direct_value_address(Map& map, u32 offset, BpfLog& log)
{
    if (map.type() != BPF_MAP_TYPE_ARRAY) {
        log.append("no direct value access support for this map type\n");
        return Error(EINVAL);
    }
    if (map.max_entries() != 1 || offset >= map.value_size()) {
        log.append("invalid access to map value pointer, value_size=%u off=%u\n", map.value_size(), offset);
        return Error(map.max_entries() != 1 ? ENOTSUPP : EINVAL);
    }
    u32 key = 0;
    return reinterpret_cast<u64>(map.lookup_elem(&key)) + offset;
}

}

ErrorOr<ProgramMaps> ProgramMaps::collect(Span<isa::RawInstruction const> instructions, u64 fd_array, BpfLog& log)
{
    ProgramMaps result;
    for (u32 i = 0; i < instructions.size(); ++i) {
        auto const& insn = instructions[i];
        if (insn.opcode != ld_imm64)
            continue;
        if (i + 1 == instructions.size()) // the decoder reports the malformed instruction
            break;
        u8 kind = insn.src;
        u32 next_imm = static_cast<u32>(instructions[i + 1].imm);
        ++i;
        if (!is_map_kind(kind))
            continue;
        if ((kind == BPF_PSEUDO_MAP_FD || kind == BPF_PSEUDO_MAP_IDX) && next_imm != 0) {
            log.append("unrecognized bpf_ld_imm64 insn\n");
            return Error(EINVAL);
        }
        i32 fd = insn.imm;
        if (kind == BPF_PSEUDO_MAP_IDX || kind == BPF_PSEUDO_MAP_IDX_VALUE) {
            if (!fd_array) {
                log.append("fd_idx without fd_array is invalid\n");
                return Error(EPROTO);
            }
            TRY(copy_from_user(&fd, fd_array + static_cast<u64>(static_cast<u32>(insn.imm)) * sizeof(u32), sizeof(fd)));
        }
        auto object = map_from_fd(fd);
        if (object.is_error()) {
            log.append("fd %d is not pointing to valid bpf_map\n", insn.imm);
            return object.release_error();
        }
        MapReference reference { i - 1, kind, 0, 0, 0 };
        Map& map = object.value()->map();
        if (is_value_kind(kind)) {
            if (next_imm >= max_value_offset) {
                log.append("direct value offset of %u is not allowed\n", next_imm);
                return Error(EINVAL);
            }
            reference.offset = next_imm;
            reference.address = TRY(direct_value_address(map, next_imm, log));
        } else {
            reference.address = reinterpret_cast<u64>(&map);
        }
        u32 index = 0;
        while (index < result.m_maps.size() && result.m_maps[index].ptr() != object.value().ptr())
            ++index;
        if (index == result.m_maps.size()) {
            if (result.m_maps.size() >= max_used_maps)
                return Error(E2BIG);
            TRY(result.m_maps.try_append(object.release_value()));
        }
        reference.map_index = index;
        TRY(result.m_references.try_append(reference));
    }
    return result;
}

isa::PseudoResolver ProgramMaps::resolver()
{
    m_next_reference = 0;
    return isa::PseudoResolver { resolve, this };
}

ErrorOr<u64> ProgramMaps::resolve(void* context, u8 kind, u32, u32)
{
    auto* self = static_cast<ProgramMaps*>(context);
    if (!is_map_kind(kind) || self->m_next_reference >= self->m_references.size())
        return Error(EINVAL); // BPF_PSEUDO_BTF_ID: no kernel BTF to resolve against
    auto const& reference = self->m_references[self->m_next_reference++];
    if (reference.kind != kind)
        return Error(EINVAL);
    return reference.address;
}

ErrorOr<Vector<isa::RawInstruction>> ProgramMaps::xlated(Span<isa::RawInstruction const> instructions) const
{
    Vector<isa::RawInstruction> copy;
    TRY(copy.try_append(instructions.data(), instructions.size()));
    for (auto const& reference : m_references) {
        auto& first = copy[reference.instruction];
        first.src = is_value_kind(reference.kind) ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
        first.imm = static_cast<i32>(m_maps[reference.map_index]->id());
        copy[reference.instruction + 1].imm = static_cast<i32>(reference.offset);
    }
    return copy;
}

}
