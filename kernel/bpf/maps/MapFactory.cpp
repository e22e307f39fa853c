// Map creation dispatch (see MapFactory.h).
#include "bpf/maps/MapFactory.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/ArrayMap.h"
#include "bpf/maps/ArrayOfMapsMap.h"
#include "bpf/maps/BloomFilterMap.h"
#include "bpf/maps/HashMap.h"
#include "bpf/maps/HashOfMapsMap.h"
#include "bpf/maps/LruHashMap.h"
#include "bpf/maps/LruPercpuHashMap.h"
#include "bpf/maps/PercpuHashMap.h"
#include "bpf/maps/QueueMap.h"
#include "bpf/maps/StackMap.h"
#include "bpf/maps/LpmTrieMap.h"
#include "bpf/maps/PercpuArrayMap.h"
#include "bpf/maps/PerfEventArrayMap.h"
#include "bpf/maps/ProgArrayMap.h"
#include "bpf/maps/RingbufMap.h"
#include "bpf/maps/StackTraceMap.h"

namespace bpf {

bool is_map_type_supported(u32 type)
{
    switch (type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PROG_ARRAY:
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_STACK_TRACE:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
    case BPF_MAP_TYPE_RINGBUF:
    case BPF_MAP_TYPE_BLOOM_FILTER:
        return true;
    default:
        return false;
    }
}

ErrorOr<RefPtr<Map>> create_map(MapAttributes const& a, ObjectResolver* resolver)
{
    if (a.map_type != BPF_MAP_TYPE_BLOOM_FILTER && a.map_extra != 0)
        return Error(EINVAL);
    if ((a.map_flags & BPF_F_RDONLY) && (a.map_flags & BPF_F_WRONLY))
        return Error(EINVAL);
    u32 numa_node = a.effective_numa_node();
    if (numa_node != numa_no_node && numa_node >= 1) // one NUMA node
        return Error(EINVAL);
    switch (a.map_type) {
    case BPF_MAP_TYPE_ARRAY:
        return ArrayMap::try_create(a);
    case BPF_MAP_TYPE_PERCPU_ARRAY:
        return PercpuArrayMap::try_create(a);
    case BPF_MAP_TYPE_HASH:
        return hash_map::try_create(a, resolver);
    case BPF_MAP_TYPE_PERCPU_HASH:
        return percpu_hash_map::try_create(a, resolver);
    case BPF_MAP_TYPE_LRU_HASH:
        return lru_hash_map::try_create(a, resolver);
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
        return lru_percpu_hash_map::try_create(a, resolver);
    case BPF_MAP_TYPE_HASH_OF_MAPS:
        return hash_of_maps_map::try_create(a, resolver);
    case BPF_MAP_TYPE_QUEUE:
        return queue_map::try_create(a);
    case BPF_MAP_TYPE_STACK:
        return stack_map::try_create(a);
    case BPF_MAP_TYPE_RINGBUF:
        return RingbufMap::try_create(a);
    case BPF_MAP_TYPE_BLOOM_FILTER:
        return BloomFilterMap::try_create(a);
    case BPF_MAP_TYPE_LPM_TRIE:
        return LpmTrieMap::try_create(a);
    case BPF_MAP_TYPE_STACK_TRACE:
        return StackTraceMap::try_create(a);
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
        return PerfEventArrayMap::try_create(a);
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
        return ArrayOfMapsMap::try_create(a, resolver);
    case BPF_MAP_TYPE_PROG_ARRAY:
        return ProgArrayMap::try_create(a);
    default:
        return Error(EINVAL);
    }
}

}
