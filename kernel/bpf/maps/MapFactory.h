// create_map(): BPF_MAP_CREATE minus the fd. Applies Linux's generic map_create checks
// (map_extra, read/write-only flags, NUMA node), then the type's own validation
// (map_alloc_check) and allocation. Types this kernel does not implement get -EINVAL, as
// on a Linux kernel built without them.
#pragma once

#include "bpf/maps/Map.h"

namespace bpf {

ErrorOr<RefPtr<Map>> create_map(MapAttributes const& attributes, ObjectResolver* resolver = nullptr);
bool is_map_type_supported(u32 map_type);

}
