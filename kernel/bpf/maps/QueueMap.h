// BPF_MAP_TYPE_QUEUE: FIFO of max_entries values (push/pop/peek; BPF_EXIST push on a full
// queue drops the oldest). Shared implementation and locking: QueueStackMap.h.
#pragma once

#include "bpf/maps/QueueStackMap.h"

namespace bpf::queue_map {

inline ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver = nullptr)
{
    VERIFY(attributes.map_type == BPF_MAP_TYPE_QUEUE);
    (void)resolver;
    return QueueStackMap::try_create(attributes);
}

}
