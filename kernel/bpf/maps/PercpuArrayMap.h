// BPF_MAP_TYPE_PERCPU_ARRAY: like ARRAY, but every element has one value slot per possible
// CPU. Programs see the slot of the CPU they run on; the syscall side reads and writes all
// slots at once in Linux's layout (round_up(value_size, 8) bytes per CPU, CPU order).
//
// Storage is CPU-major (all elements of CPU 0, then CPU 1, ...), preallocated and zeroed.
// Locking: none needed for a CPU's own slot (a program does not migrate while it runs);
// syscall-side copies of other CPUs' slots may race with programs, as on Linux.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"

namespace bpf {

class PercpuArrayMap final : public Map {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    u8* slot(u32 index, u32 cpu) const
    {
        return m_values.data() + (static_cast<u64>(cpu) * m_max_entries + index) * m_element_size;
    }

    void* lookup_elem(void const* key) override;
    i64 update_elem(void const* key, void const* value, u64 flags) override;
    i64 delete_elem(void const* key) override;
    void* lookup_percpu_elem(void const* key, u32 cpu) override;
    i64 for_each_elem(u64 callback, u64 callback_ctx, u64 flags) override;
    bool matches_template(InnerMapTemplate const& meta) const override;

protected:
    ErrorOr<void> copy_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver*) override;
    ErrorOr<void> next_key(void const* key, void* next_key) override;
    ErrorOr<void> lookup_batch(BatchIo& io) override { return generic_lookup_batch(io); }
    ErrorOr<void> update_batch(BatchIo& io, ObjectResolver* resolver) override { return generic_update_batch(io, resolver); }

private:
    PercpuArrayMap(MapAttributes const& attributes, MapMemory values);

    u32 m_element_size;
    MapMemory m_values;
};

}
