// BPF_MAP_TYPE_LRU_HASH: a hash map that never refuses a new key: when it is full, older
// entries are evicted by Linux's LRU algorithm (LruList.h: active/inactive lists, reference
// bits set by program lookups, per-CPU free lists refilled target_free nodes at a time, so a
// "full" map may hold fewer than max_entries keys, exactly as on Linux). BPF_F_NO_COMMON_LRU
// gives every CPU its own LRU list (max_entries rounded to a multiple of the CPU count).
// Always preallocated (BPF_F_NO_PREALLOC is -ENOTSUPP). Algorithm and locking: HashTable.h.
#pragma once

#include "bpf/maps/HashTable.h"

namespace bpf::lru_hash_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_LRU_HASH);
    return HashTable::try_create(attributes, resolver);
}

}
