// BPF_MAP_TYPE_BLOOM_FILTER (see BloomFilterMap.h); ported from Linux's bloom_filter.c.
#include "bpf/maps/BloomFilterMap.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/Jhash.h"

namespace bpf {

ErrorOr<RefPtr<Map>> BloomFilterMap::try_create(MapAttributes const& a)
{
    constexpr u32 create_flag_mask = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | bpf_f_access_mask;
    // bloom_map_alloc_check
    if (a.value_size > kmalloc_max_size)
        return Error(E2BIG);
    bool access_ok = (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    if (a.key_size != 0 || a.value_size == 0 || a.max_entries == 0 || (a.map_flags & ~create_flag_mask) || !access_ok || (a.map_extra & ~0xfull))
        return Error(EINVAL);
    u32 hash_functions = static_cast<u32>(a.map_extra) ? static_cast<u32>(a.map_extra) : 5;
    u32 bits;
    u64 bitset_bytes;
    u32 mask;
    if (!klib::checked_mul<u32>(a.max_entries, hash_functions, bits) || !klib::checked_mul<u32>(bits / 5, 7u, bits) || bits > (1u << 31)) {
        bitset_bytes = (0xffffffffull + 7) / 8;
        mask = 0xffffffffu;
    } else {
        bits = bits <= 64 ? 64 : round_up_pow2(bits);
        bitset_bytes = (bits + 7) / 8;
        mask = bits - 1;
    }
    bitset_bytes = klib::align_up(bitset_bytes, 8);
    auto memory = TRY(MapMemory::try_allocate(bitset_bytes, 8));
    u32 seed = (a.map_flags & BPF_F_ZERO_SEED) ? 0 : helper_environment().prandom_u32();
    return adopt_ref_or_enomem<Map>(new (std::nothrow) BloomFilterMap(a, move(memory), mask, hash_functions, seed));
}

BloomFilterMap::BloomFilterMap(MapAttributes const& a, MapMemory bits, u32 mask, u32 hash_functions, u32 seed)
    : Map(a)
    , m_bits(move(bits))
    , m_bitset_mask(mask)
    , m_hash_functions(hash_functions)
    , m_hash_seed(seed)
    , m_aligned_u32_count((a.value_size & 3) == 0 ? a.value_size / 4 : 0)
{
}

u32 BloomFilterMap::bit_index(void const* value, u32 index) const
{
    u32 h = m_aligned_u32_count ? jhash2(value, m_aligned_u32_count, m_hash_seed + index) : jhash(value, m_value_size, m_hash_seed + index);
    return h & m_bitset_mask;
}

i64 BloomFilterMap::push_elem(void const* value, u64 flags)
{
    if (flags != BPF_ANY)
        return -EINVAL;
    auto* words = reinterpret_cast<u64*>(m_bits.data());
    for (u32 i = 0; i < m_hash_functions; ++i) {
        u32 bit = bit_index(value, i);
        __atomic_fetch_or(&words[bit / 64], 1ull << (bit % 64), __ATOMIC_RELAXED);
    }
    return 0;
}

i64 BloomFilterMap::peek_elem(void* value)
{
    auto const* words = reinterpret_cast<u64 const*>(m_bits.data());
    for (u32 i = 0; i < m_hash_functions; ++i) {
        u32 bit = bit_index(value, i);
        if (!(__atomic_load_n(&words[bit / 64], __ATOMIC_RELAXED) & (1ull << (bit % 64))))
            return -ENOENT;
    }
    return 0;
}

ErrorOr<void> BloomFilterMap::copy_value(void const*, void* value, u64)
{
    if (i64 result = peek_elem(value))
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> BloomFilterMap::update_value(void const*, void const* value, u64 flags, ObjectResolver*)
{
    if (i64 result = push_elem(value, flags))
        return Error(static_cast<int>(-result));
    return {};
}

}
