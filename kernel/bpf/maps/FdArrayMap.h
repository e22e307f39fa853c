// FdArrayMap: the shared shape of the array maps whose values are kernel objects named by
// file descriptors on the syscall side (Linux's fd_array_map_* in arraymap.c):
// PERF_EVENT_ARRAY, PROG_ARRAY and ARRAY_OF_MAPS. Each slot holds one counted reference.
// User space writes an fd (u32) with BPF_ANY only; deleting clears the slot; reading back
// gives an object id where Linux has one (maps and programs) and -ENOTSUPP otherwise.
//
// Locking: slots are swapped with atomic exchange (like Linux's xchg), so programs read
// them without locks; the reference of an object swapped out is dropped after the swap.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"

namespace bpf {

class FdArrayMap : public Map {
public:
    // fd_array_map_alloc_check
    static ErrorOr<void> alloc_check(MapAttributes const& attributes);

    void* slot(u32 index) const { return __atomic_load_n(&slots()[index], __ATOMIC_ACQUIRE); }
    // Replaces slot `index` with `object` (already referenced); drops the old reference.
    void exchange_slot(u32 index, void* object);

    i64 update_elem(void const*, void const*, u64) override { return -EOPNOTSUPP; }
    i64 delete_elem(void const* key) override;

protected:
    FdArrayMap(MapAttributes const& attributes, MapMemory slots);
    ~FdArrayMap() override;
    // Resolves the fd user space stored into a referenced object (map_fd_get_ptr).
    virtual ErrorOr<void*> get_object(u32 fd, ObjectResolver* resolver) = 0;
    virtual void put_object(void* object) = 0;
    // The id bpf(BPF_MAP_LOOKUP_ELEM) returns (map_fd_sys_lookup_elem); ENOTSUPP if none.
    virtual ErrorOr<u32> object_id(void* object) { (void)object; return Error(ENOTSUPP); }
    // Call from the most-derived destructor: drops every slot's reference.
    void release_all_slots();
    // Replaces slot `index` with `object` and returns the old object, still referenced.
    void* swap_slot(u32 index, void* object) { return __atomic_exchange_n(&slots()[index], object, __ATOMIC_ACQ_REL); }

    ErrorOr<void> copy_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver) override;
    ErrorOr<void> next_key(void const* key, void* next_key) override;

    void** slots() const { return reinterpret_cast<void**>(m_slots.data()); }

private:
    MapMemory m_slots;
};

}
