// BPF_MAP_TYPE_STACK_TRACE (see StackTraceMap.h); ported from Linux's kernel/bpf/stackmap.c.
#include "bpf/maps/StackTraceMap.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/Jhash.h"
#include "klib/CString.h"

namespace bpf {

ErrorOr<RefPtr<Map>> StackTraceMap::try_create(MapAttributes const& a)
{
    constexpr u32 create_flag_mask = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID;
    constexpr u32 build_id_entry_size = sizeof(struct bpf_stack_build_id);
    u32 max_stack = helper_environment().max_stack_depth();
    if (a.map_flags & ~create_flag_mask)
        return Error(EINVAL);
    if (a.max_entries == 0 || a.key_size != 4 || a.value_size < 8 || a.value_size % 8)
        return Error(EINVAL);
    if (a.map_flags & BPF_F_STACK_BUILD_ID) {
        if (a.value_size % build_id_entry_size || a.value_size / build_id_entry_size > max_stack)
            return Error(EINVAL);
    } else if (a.value_size / 8 > max_stack) {
        return Error(EINVAL);
    }
    if (a.max_entries > (1u << 31))
        return Error(E2BIG);
    u32 n_buckets = round_up_pow2(a.max_entries);
    u64 bucket_size = sizeof(Bucket) + klib::align_up(a.value_size, 8);
    auto table = TRY(MapMemory::try_allocate(static_cast<u64>(n_buckets) * sizeof(Bucket*)));
    auto storage = TRY(MapMemory::try_allocate(bucket_size * a.max_entries));
    return adopt_ref_or_enomem<Map>(new (std::nothrow) StackTraceMap(a, n_buckets, move(table), move(storage)));
}

StackTraceMap::StackTraceMap(MapAttributes const& a, u32 n_buckets, MapMemory table, MapMemory storage)
    : Map(a)
    , m_n_buckets(n_buckets)
    , m_bucket_size(static_cast<u32>(sizeof(Bucket) + klib::align_up(a.value_size, 8)))
    , m_table(move(table))
    , m_storage(move(storage))
{
    for (u32 i = a.max_entries; i > 0; --i) {
        auto* bucket = reinterpret_cast<Bucket*>(m_storage.data() + static_cast<u64>(i - 1) * m_bucket_size);
        bucket->next_free = m_free;
        m_free = bucket;
    }
}

i64 StackTraceMap::store_stack(u64 const* ips, u32 count, u64 flags)
{
    u32 trace_len = count * 8;
    u32 hash = jhash2(ips, trace_len / 4, 0);
    u32 id = hash & (m_n_buckets - 1);
    auto** table = reinterpret_cast<Bucket**>(m_table.data());
    SpinlockGuard guard(m_lock);
    Bucket* bucket = table[id];
    bool hash_matches = bucket && bucket->hash == hash;
    if (hash_matches && (flags & BPF_F_FAST_STACK_CMP))
        return id;
    if (hash_matches && bucket->nr == count && memcmp(ips_of(bucket), ips, trace_len) == 0)
        return id;
    if (bucket && !(flags & BPF_F_REUSE_STACKID))
        return -EEXIST;
    Bucket* fresh = m_free;
    if (!fresh)
        return -ENOMEM;
    m_free = fresh->next_free;
    fresh->hash = hash;
    fresh->nr = count;
    memcpy(ips_of(fresh), ips, trace_len);
    table[id] = fresh;
    if (bucket) {
        bucket->next_free = m_free;
        m_free = bucket;
    }
    return id;
}

// bpf_stackmap_extract(): copies the trace (zero-padded) and, for lookup_and_delete,
// returns the bucket to the free list.
ErrorOr<void> StackTraceMap::extract(void const* key, void* value, bool remove)
{
    u32 id = *static_cast<u32 const*>(key);
    if (id >= m_n_buckets)
        return Error(ENOENT);
    auto** table = reinterpret_cast<Bucket**>(m_table.data());
    SpinlockGuard guard(m_lock);
    Bucket* bucket = table[id];
    if (!bucket)
        return Error(ENOENT);
    u32 trace_len = bucket->nr * 8;
    memcpy(value, ips_of(bucket), trace_len);
    memset(static_cast<u8*>(value) + trace_len, 0, m_value_size - trace_len);
    if (remove) {
        table[id] = nullptr;
        bucket->next_free = m_free;
        m_free = bucket;
    }
    return {};
}

ErrorOr<void> StackTraceMap::copy_value(void const* key, void* value, u64) { return extract(key, value, false); }

ErrorOr<void> StackTraceMap::lookup_and_delete_value(void const* key, void* value, u64) { return extract(key, value, true); }

i64 StackTraceMap::delete_elem(void const* key)
{
    u32 id = *static_cast<u32 const*>(key);
    if (id >= m_n_buckets)
        return -E2BIG;
    auto** table = reinterpret_cast<Bucket**>(m_table.data());
    SpinlockGuard guard(m_lock);
    Bucket* bucket = table[id];
    if (!bucket)
        return -ENOENT;
    table[id] = nullptr;
    bucket->next_free = m_free;
    m_free = bucket;
    return 0;
}

ErrorOr<void> StackTraceMap::next_key(void const* key, void* next)
{
    u32 id = key ? *static_cast<u32 const*>(key) : 0xffffffffu;
    auto** table = reinterpret_cast<Bucket**>(m_table.data());
    SpinlockGuard guard(m_lock);
    if (id >= m_n_buckets || !table[id])
        id = 0;
    else
        id++;
    while (id < m_n_buckets && !table[id])
        id++;
    if (id >= m_n_buckets)
        return Error(ENOENT);
    *static_cast<u32*>(next) = id;
    return {};
}

}
