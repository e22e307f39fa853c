// BPF_MAP_TYPE_PERCPU_HASH: a hash map whose elements carry one value slot per possible CPU.
// Programs read and write the current CPU's slot; the syscall side uses Linux's layout
// (round_up(value_size, 8) per CPU). Updates of an existing key are done in place. A program
// inserting a key zeroes the other CPUs' slots. Algorithm and locking: HashTable.h.
#pragma once

#include "bpf/maps/HashTable.h"

namespace bpf::percpu_hash_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_PERCPU_HASH);
    return HashTable::try_create(attributes, resolver);
}

}
