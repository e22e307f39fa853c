// BPF_MAP_TYPE_LRU_PERCPU_HASH: LRU_HASH eviction with PERCPU_HASH values (one slot per
// possible CPU, updated in place). See LruHashMap.h and PercpuHashMap.h; algorithm and locking:
// HashTable.h.
#pragma once

#include "bpf/maps/HashTable.h"

namespace bpf::lru_percpu_hash_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH);
    return HashTable::try_create(attributes, resolver);
}

}
