// BPF_MAP_TYPE_BLOOM_FILTER: a key-less set of values with false positives but no false
// negatives (Linux's bloom_filter.c). map_extra's low 4 bits give the number of hash
// functions (0 = 5); the bit array has max_entries * k * 7/5 bits rounded up to a power of
// two (capped at 2^32). push adds a value, peek tests membership (0 or -ENOENT); there is
// no delete. With BPF_F_ZERO_SEED the bit positions equal Linux's.
//
// Locking: none; bits are set with atomic OR, so concurrent pushes and peeks are safe.
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"

namespace bpf {

class BloomFilterMap final : public Map {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    u32 hash_function_count() const { return m_hash_functions; }
    u64 bit_count() const { return static_cast<u64>(m_bitset_mask) + 1; }

    void* lookup_elem(void const*) override { return nullptr; }
    i64 update_elem(void const*, void const*, u64) override { return -EINVAL; }
    i64 delete_elem(void const*) override { return -EOPNOTSUPP; }
    i64 push_elem(void const* value, u64 flags) override;
    i64 pop_elem(void*) override { return -EOPNOTSUPP; }
    i64 peek_elem(void* value) override;

protected:
    // The syscall lookup's value buffer carries the value to test (Linux copies it in).
    ErrorOr<void> copy_value(void const*, void* value, u64) override;
    ErrorOr<void> update_value(void const*, void const* value, u64 flags, ObjectResolver*) override;
    ErrorOr<void> next_key(void const*, void*) override { return Error(EOPNOTSUPP); }

private:
    BloomFilterMap(MapAttributes const& attributes, MapMemory bits, u32 mask, u32 hash_functions, u32 seed);
    u32 bit_index(void const* value, u32 index) const;

    MapMemory m_bits;
    u32 m_bitset_mask;
    u32 m_hash_functions;
    u32 m_hash_seed;
    u32 m_aligned_u32_count;
};

}
