// BPF_MAP_TYPE_HASH: key -> value, max_entries elements, preallocated unless
// BPF_F_NO_PREALLOC. BPF_ANY/BPF_NOEXIST/BPF_EXIST as on Linux; a full map refuses new keys
// with -E2BIG; replacing a value publishes a new element at the bucket head and recycles the
// old one (as on Linux, a program still holding the old value pointer may later see another
// element's data). BPF_F_ZERO_SEED makes iteration
// order reproducible and equal to Linux's. Algorithm and locking: HashTable.h.
#pragma once

#include "bpf/maps/HashTable.h"

namespace bpf::hash_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_HASH);
    return HashTable::try_create(attributes, resolver);
}

}
