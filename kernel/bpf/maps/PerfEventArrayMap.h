// BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf event per slot (usually one per CPU), written by
// bpf_perf_event_output() and read by bpf_perf_event_read_value(). Slots hold
// PerfEventSource references supplied by the perf subsystem. Syscall-side lookup is
// -ENOTSUPP (Linux has no id for perf events).
//
// Each entry also remembers the open map file it was stored through (Linux's
// bpf_event_entry.map_file, from ObjectResolver::map_file); when that file is released
// (release_file), every entry stored through it is removed, unless the map was created with
// BPF_F_PRESERVE_ELEMS (perf_event_fd_array_release). So an event stored in a map whose
// program is attached to that same event does not keep itself alive.
//
// Locking: programs read the event slots lock-free (see FdArrayMap.h). The syscall-side
// writers (update, delete, release) pair a slot with its owner file under m_owner_lock,
// which only covers the swaps; dropped references are released after unlocking.
#pragma once

#include "bpf/maps/FdArrayMap.h"
#include "bpf/maps/PerfEventSource.h"
#include "klib/Spinlock.h"

namespace bpf {

class PerfEventArrayMap final : public FdArrayMap {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);
    ~PerfEventArrayMap() override { release_all_slots(); }

    PerfEventSource* event(u32 index) const { return static_cast<PerfEventSource*>(slot(index)); }
    // __bpf_perf_event_output: flags select the slot (BPF_F_INDEX_MASK, BPF_F_CURRENT_CPU).
    i64 output(u64 regs, u64 flags, void const* data, u64 size);
    // get_map_perf_counter + bpf_perf_event_read_value.
    i64 read_value(u64 flags, struct bpf_perf_event_value* value);

    i64 delete_elem(void const* key) override;
    void release_file(void const* map_file) override;

protected:
    ErrorOr<void*> get_object(u32 fd, ObjectResolver* resolver) override;
    ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver) override;
    void put_object(void* object) override { static_cast<PerfEventSource*>(object)->unref(); }

private:
    PerfEventArrayMap(MapAttributes const& attributes, MapMemory slots, MapMemory owners)
        : FdArrayMap(attributes, move(slots))
        , m_owners(move(owners))
    {
    }
    i64 select(u64 flags, PerfEventSource*& event) const;
    void const** owners() const { return reinterpret_cast<void const**>(m_owners.data()); }

    MapMemory m_owners; // owners()[i]: the map file slot i was stored through
    Spinlock m_owner_lock;
};

}
