// Map references of a program being loaded (see ProgramMaps.h).
#include "bpf/syscall/ProgramMaps.h"
#include "bpf/syscall/BpfFiles.h"

namespace bpf::kernel {

ErrorOr<RefPtr<Map>> ProgramMaps::map_from_fd(u32 fd)
{
    auto object = TRY(kernel::map_from_fd(static_cast<int>(fd)));
    if (!object_of(&object->map()))
        TRY(m_objects.try_append(object));
    return object->map_ref();
}

MapObject* ProgramMaps::object_of(Map const* map) const
{
    for (auto const& object : m_objects)
        if (&object->map() == map)
            return object.ptr();
    return nullptr;
}

ErrorOr<Vector<RefPtr<MapObject>>> ProgramMaps::objects_in_order(Span<RefPtr<Map> const> used_maps) const
{
    Vector<RefPtr<MapObject>> objects;
    for (auto const& map : used_maps)
        if (auto* object = object_of(map.ptr()))
            TRY(objects.try_append(RefPtr<MapObject>(object)));
    return objects;
}

ErrorOr<Vector<isa::RawInstruction>> ProgramMaps::xlated_dump(Span<isa::RawInstruction const> xlated) const
{
    Vector<isa::RawInstruction> copy;
    TRY(copy.try_append(xlated.data(), xlated.size()));
    for (u32 i = 0; i + 1 < copy.size(); ++i) {
        auto& first = copy[i];
        if (first.opcode != (BPF_LD | BPF_IMM | BPF_DW))
            continue;
        auto& second = copy[i + 1];
        ++i;
        if (first.src != BPF_PSEUDO_MAP_FD && first.src != BPF_PSEUDO_MAP_IDX && first.src != BPF_PSEUDO_MAP_VALUE
            && first.src != BPF_PSEUDO_MAP_IDX_VALUE)
            continue;
        u64 address = static_cast<u64>(static_cast<u32>(first.imm)) | static_cast<u64>(static_cast<u32>(second.imm)) << 32;
        // bpf_map_from_imm(): the map itself, or a value address inside a direct-access map.
        for (auto const& object : m_objects) {
            Map& map = object->map();
            u32 key = 0;
            u64 value = map.type() == BPF_MAP_TYPE_ARRAY && map.max_entries() == 1 ? reinterpret_cast<u64>(map.lookup_elem(&key)) : 0;
            if (address == reinterpret_cast<u64>(&map)) {
                first.src = BPF_PSEUDO_MAP_FD;
                first.imm = static_cast<i32>(object->id());
                second.imm = 0;
                break;
            }
            if (value && address >= value && address < value + map.value_size()) {
                first.src = BPF_PSEUDO_MAP_VALUE;
                first.imm = static_cast<i32>(object->id());
                second.imm = static_cast<i32>(address - value);
                break;
            }
        }
    }
    return copy;
}

}
