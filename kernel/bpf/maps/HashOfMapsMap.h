// BPF_MAP_TYPE_HASH_OF_MAPS: a hash map whose values are maps (one level deep). User space
// stores inner map fds (resolved through ObjectResolver; they must match the template from
// inner_map_fd), reads back inner map ids; programs' lookups return the inner bpf::Map
// pointer. Values are replaced in place and the replaced map's reference is dropped.
// Algorithm and locking: HashTable.h.
#pragma once

#include "bpf/maps/HashTable.h"

namespace bpf::hash_of_maps_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_HASH_OF_MAPS);
    return HashTable::try_create(attributes, resolver);
}

}
