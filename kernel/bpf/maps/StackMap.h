// BPF_MAP_TYPE_STACK: LIFO of max_entries values (push/pop/peek; BPF_EXIST push on a full
// stack drops the oldest). Shared implementation and locking: QueueStackMap.h.
#pragma once

#include "bpf/maps/QueueStackMap.h"

namespace bpf::stack_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_STACK);
    (void)resolver;
    return QueueStackMap::try_create(attributes);
}

}
