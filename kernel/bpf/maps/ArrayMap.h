// BPF_MAP_TYPE_ARRAY: max_entries fixed-size values indexed by a u32 key, all preallocated
// and zeroed at creation; elements can be overwritten but never deleted. BPF_F_MMAPABLE
// places the values in page-aligned memory that user space may mmap.
//
// Locking: none. Like Linux, value updates are plain copies; concurrent writers and readers
// of one element may observe torn values (programs use atomics or spin locks for that).
// The storage never moves, so pointers handed to programs stay valid for the map's life.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"

namespace bpf {

// Linux's array_map_alloc_check(), shared by every array-backed map type.
ErrorOr<void> array_map_alloc_check(MapAttributes const& attributes);

class ArrayMap final : public Map {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    u32 element_size() const { return m_element_size; }
    u8* element(u32 index) const { return m_values.data() + static_cast<u64>(index) * m_element_size; }

    void* lookup_elem(void const* key) override;
    i64 update_elem(void const* key, void const* value, u64 flags) override;
    i64 delete_elem(void const* key) override;
    i64 for_each_elem(u64 callback, u64 callback_ctx, u64 flags) override;
    bool matches_template(InnerMapTemplate const& meta) const override;
    u8* mmap_page(u64 page_index) override;

protected:
    ErrorOr<void> next_key(void const* key, void* next_key) override;
    ErrorOr<void> lookup_batch(BatchIo& io) override { return generic_lookup_batch(io); }
    ErrorOr<void> update_batch(BatchIo& io, ObjectResolver* resolver) override { return generic_update_batch(io, resolver); }
    ErrorOr<void> check_mmap(u64 pgoff, u64 pages, bool writable) override;
    bool supports_mmap() const override { return true; }

private:
    ArrayMap(MapAttributes const& attributes, MapMemory values);

    u32 m_element_size;
    MapMemory m_values;
};

// get_next_key for every array-shaped map (array_map_get_next_key).
ErrorOr<void> array_next_key(u32 max_entries, void const* key, void* next_key);

}
