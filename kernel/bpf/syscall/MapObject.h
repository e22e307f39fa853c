// MapObject: a map as the bpf() syscall knows it — the bpf::Map from kernel/bpf/maps plus
// what Linux keeps in struct bpf_map beyond the data structure: the id, the name, the BTF
// (btf_fd and key/value type ids), the PROG_ARRAY owner program type, and the map files
// watching it (ringbuf readiness for poll/epoll).
//
// Lifetime: referenced by every map file (fd), pin, program that uses the map and mapping
// (through its file). The id is released when the last reference goes; the bpf::Map itself
// may live on inside a map-of-maps (then its id reads 0, see docs/bpf/syscall.md).
//
// Locking: m_lock guards the owner type and the watcher list (taken from program context by
// the ringbuf wakeup, so interrupts are masked while it is held).
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/syscall/BpfObject.h"
#include "bpf/syscall/BtfObject.h"
#include "bpf/syscall/IdRegistry.h"
#include "klib/Spinlock.h"

class File;

namespace bpf::kernel {

struct MapMetadata {
    char name[BPF_OBJ_NAME_LEN] {};
    RefPtr<BtfObject> btf;
    u32 btf_key_type_id { 0 };
    u32 btf_value_type_id { 0 };
    u32 btf_vmlinux_value_type_id { 0 };
};

class MapObject final : public BpfObject {
public:
    // Registers an id (ENOSPC when none is left) and hooks ringbuf wakeups.
    static ErrorOr<RefPtr<MapObject>> create(RefPtr<Map> map, MapMetadata&& metadata);
    ~MapObject() override;

    Map& map() const { return *m_map; }
    RefPtr<Map> map_ref() const { return m_map; }
    u32 id() const { return m_id; }
    MapMetadata const& metadata() const { return m_metadata; }
    // Linux 6.1's bpf_map_memory_footprint(): the "memlock" of fdinfo.
    u64 memory_footprint() const;

    // PROG_ARRAY ownership (bpf_prog_map_compatible): the first program type wins; later
    // programs must have the same type. Returns false on a mismatch.
    bool claim_owner(u32 program_type);
    u32 owner_program_type() const;

    // Files that report this map's readiness (ringbuf maps).
    ErrorOr<void> add_watcher(File* file);
    void remove_watcher(File* file);

    static IdRegistry<MapObject>& registry();

private:
    MapObject(RefPtr<Map> map, MapMetadata&& metadata);
    static void ringbuf_wakeup(void* context);

    RefPtr<Map> m_map;
    MapMetadata m_metadata;
    u32 m_id { 0 };
    mutable Spinlock m_lock;
    u32 m_owner_type { 0 };
    Vector<File*> m_watchers;
};

}
