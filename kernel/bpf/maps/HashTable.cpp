// Shared hash table algorithm for the hash map types (see HashTable.h); ported from Linux's
// kernel/bpf/hashtab.c. Function names follow Linux's where the logic is Linux's.
#include "bpf/maps/HashTable.h"
#include "bpf/maps/ArrayOfMapsMap.h"
#include "bpf/Runtime.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/Jhash.h"
#include "klib/CString.h"

namespace bpf {

namespace {
constexpr u32 htab_create_flag_mask = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | bpf_f_access_mask | BPF_F_ZERO_SEED;
constexpr u64 linux_htab_elem_size = 48; // sizeof(struct htab_elem) on x86_64
}

ErrorOr<void> HashTable::alloc_check(MapAttributes const& a)
{
    bool percpu = a.map_type == BPF_MAP_TYPE_PERCPU_HASH || a.map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    bool lru = a.map_type == BPF_MAP_TYPE_LRU_HASH || a.map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    bool percpu_lru = a.map_flags & BPF_F_NO_COMMON_LRU;
    bool prealloc = !(a.map_flags & BPF_F_NO_PREALLOC);
    bool access_ok = (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    if (a.map_type == BPF_MAP_TYPE_HASH_OF_MAPS && a.value_size != sizeof(u32))
        return Error(EINVAL);
    if ((a.map_flags & ~htab_create_flag_mask) || !access_ok)
        return Error(EINVAL);
    if (!lru && percpu_lru)
        return Error(EINVAL);
    if (lru && !prealloc)
        return Error(ENOTSUPP);
    if (a.effective_numa_node() != numa_no_node && (percpu || percpu_lru))
        return Error(EINVAL);
    if (a.max_entries == 0 || a.key_size == 0 || a.value_size == 0)
        return Error(EINVAL);
    if (static_cast<u64>(a.key_size) + a.value_size >= kmalloc_max_size - linux_htab_elem_size)
        return Error(E2BIG);
    if (percpu && klib::align_up(a.value_size, 8) > percpu_min_unit_size)
        return Error(E2BIG);
    return {};
}

ErrorOr<RefPtr<Map>> HashTable::try_create(MapAttributes const& a, ObjectResolver* resolver)
{
    TRY(alloc_check(a));
    InnerMapTemplate meta {};
    if (a.map_type == BPF_MAP_TYPE_HASH_OF_MAPS)
        meta = TRY(inner_map_template_from_fd(a.inner_map_fd, resolver));
    auto* table = new (std::nothrow) HashTable(a);
    if (!table)
        return Error(ENOMEM);
    auto ref = RefPtr<Map>::adopt(table);
    TRY(table->initialise(a));
    if (a.map_type == BPF_MAP_TYPE_HASH_OF_MAPS)
        table->set_inner_template(meta);
    return ref;
}

HashTable::HashTable(MapAttributes const& a)
    : Map(a)
{
}

HashTable::~HashTable()
{
    if (is_of_maps() && m_buckets) {
        for (u32 i = 0; i < m_n_buckets; ++i)
            for (Element* e = m_buckets[i].head; e; e = e->next)
                if (Map* inner = inner_of(e))
                    inner->unref();
    }
    delete[] m_buckets;
}

ErrorOr<void> HashTable::initialise(MapAttributes const& a)
{
    bool prealloc = !(a.map_flags & BPF_F_NO_PREALLOC);
    if (a.map_flags & BPF_F_NO_COMMON_LRU) {
        // Every CPU's LRU list gets the same, non-zero number of elements.
        u32 cpus = m_possible_cpus;
        u64 rounded = (static_cast<u64>(a.max_entries) + cpus - 1) / cpus * cpus;
        m_max_entries = rounded > 0xffffffffu ? a.max_entries / cpus * cpus : static_cast<u32>(rounded);
    }
    if (m_max_entries > (1u << 31))
        return Error(E2BIG);
    m_n_buckets = round_up_pow2(m_max_entries);
    m_round_key_size = static_cast<u32>(klib::align_up(m_key_size, 8));
    m_round_value_size = static_cast<u32>(klib::align_up(m_value_size, 8));
    u64 value_area = is_percpu_values() ? static_cast<u64>(m_round_value_size) * m_possible_cpus
        : is_of_maps()                  ? sizeof(Map*)
                                        : m_round_value_size;
    u64 element_size = sizeof(Element) + m_round_key_size + value_area;
    if (element_size > 0xffffffffu)
        return Error(E2BIG);
    m_element_size = static_cast<u32>(element_size);
    m_buckets = new (std::nothrow) Bucket[m_n_buckets];
    if (!m_buckets)
        return Error(ENOMEM);
    for (u32 i = 0; i < m_n_buckets; ++i) {
        m_buckets[i].head = nullptr;
        m_buckets[i].sequence = 0;
    }
    m_hash_seed = (a.map_flags & BPF_F_ZERO_SEED) ? 0 : helper_environment().prandom_u32();

    if (is_lru()) {
        TRY(m_pool.init(m_element_size, m_max_entries, false));
        TRY(m_lru.init(a.map_flags & BPF_F_NO_COMMON_LRU, m_possible_cpus, lru_delete_node, this));
        m_lru.populate(m_pool.first_chunk_elements(), __builtin_offsetof(Element, lru), m_element_size, m_max_entries);
        return {};
    }
    // Preallocated tables keep one spare element per CPU for replacing updates (Linux's
    // extra_elems); lazy tables grow on demand.
    u64 preallocated = prealloc ? static_cast<u64>(m_max_entries) + m_possible_cpus : 0;
    TRY(m_pool.init(m_element_size, preallocated, !prealloc));
    return {};
}

u32 HashTable::hash_of(void const* key) const
{
    if ((m_key_size & 3) == 0)
        return jhash2(key, m_key_size / 4, m_hash_seed);
    return jhash(key, m_key_size, m_hash_seed);
}

HashTable::BucketWriteGuard::BucketWriteGuard(Bucket& b)
    : bucket(b)
    , state(b.lock.lock())
{
    __atomic_store_n(&bucket.sequence, bucket.sequence + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

HashTable::BucketWriteGuard::~BucketWriteGuard()
{
    __atomic_store_n(&bucket.sequence, bucket.sequence + 1, __ATOMIC_RELEASE);
    bucket.lock.unlock(state);
}

HashTable::Element* HashTable::find_lockless(Bucket& bucket, u32 hash, void const* key) const
{
    // A chain never holds more than every element of the map; a longer walk means the reader
    // followed a recycled element and must retry.
    u64 limit = static_cast<u64>(m_max_entries) + m_possible_cpus + 1;
    for (int attempt = 0; attempt < 4; ++attempt) {
        u32 before = __atomic_load_n(&bucket.sequence, __ATOMIC_ACQUIRE);
        if (before & 1)
            continue;
        Element* found = nullptr;
        u64 steps = 0;
        for (Element* e = __atomic_load_n(&bucket.head, __ATOMIC_ACQUIRE); e && steps < limit; e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE), ++steps) {
            if (__atomic_load_n(&e->hash, __ATOMIC_RELAXED) == hash && memcmp(key_of(e), key, m_key_size) == 0) {
                found = e;
                break;
            }
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&bucket.sequence, __ATOMIC_RELAXED) == before)
            return found;
    }
    SpinlockGuard guard(bucket.lock);
    return find(bucket, hash, key);
}

HashTable::Element* HashTable::find(Bucket& bucket, u32 hash, void const* key) const
{
    for (Element* e = bucket.head; e; e = e->next)
        if (e->hash == hash && memcmp(key_of(e), key, m_key_size) == 0)
            return e;
    return nullptr;
}

void HashTable::unlink(Bucket& bucket, Element* e)
{
    for (Element** link = &bucket.head; *link; link = &(*link)->next) {
        if (*link == e) {
            *link = e->next;
            return;
        }
    }
}

i64 HashTable::check_flags(Element* old, u64 flags) const
{
    u64 op = flags & ~static_cast<u64>(BPF_F_LOCK);
    if (old && op == BPF_NOEXIST)
        return -EEXIST;
    if (!old && op == BPF_EXIST)
        return -ENOENT;
    return 0;
}

HashTable::Element* HashTable::alloc_element(bool replacing)
{
    if (!replacing) {
        u32 count = m_count.fetch_add(1);
        if (count >= m_max_entries) {
            m_count.fetch_sub(1);
            return nullptr;
        }
    }
    auto* e = reinterpret_cast<Element*>(m_pool.allocate());
    if (!e && !replacing)
        m_count.fetch_sub(1);
    return e;
}

void HashTable::release_element(Element* e)
{
    if (is_of_maps()) {
        if (Map* inner = inner_of(e))
            inner->unref();
        inner_of(e) = nullptr;
    }
    if (is_lru()) {
        m_lru.push_free(&e->lru);
        return;
    }
    m_count.fetch_sub(1);
    m_pool.free(reinterpret_cast<u8*>(e));
}

void HashTable::set_values(Element* e, void const* value, bool onallcpus, bool init)
{
    if (is_of_maps()) {
        inner_of(e) = *static_cast<Map* const*>(value);
        return;
    }
    if (!is_percpu_values()) {
        memcpy(value_of(e), value, m_value_size);
        return;
    }
    if (onallcpus) {
        auto const* in = static_cast<u8 const*>(value);
        for (u32 cpu = 0; cpu < m_possible_cpus; ++cpu)
            memcpy(percpu_slot(e, cpu), in + static_cast<u64>(cpu) * m_round_value_size, m_round_value_size);
        return;
    }
    u32 current = helper_environment().current_cpu();
    if (!init) {
        memcpy(percpu_slot(e, current), value, m_value_size);
        return;
    }
    for (u32 cpu = 0; cpu < m_possible_cpus; ++cpu) {
        memset(percpu_slot(e, cpu), 0, m_round_value_size);
        if (cpu == current)
            memcpy(percpu_slot(e, cpu), value, m_value_size);
    }
}

u32 HashTable::batch_value_size() const
{
    return is_percpu_values() ? m_round_value_size * m_possible_cpus : m_value_size;
}

void HashTable::copy_out(Element* e, void* value) const
{
    if (is_of_maps()) {
        Map* inner = inner_of(e);
        *static_cast<u32*>(value) = inner ? inner->id() : 0;
        return;
    }
    if (is_percpu_values()) {
        memcpy(value, value_of(e), static_cast<u64>(m_round_value_size) * m_possible_cpus);
        return;
    }
    memcpy(value, value_of(e), m_value_size);
}

// ---- Program side ------------------------------------------------------------------------

void* HashTable::lookup_elem(void const* key)
{
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Element* e = find_lockless(bucket, hash, key);
    if (!e)
        return nullptr;
    if (is_lru())
        Lru::set_ref(&e->lru);
    if (is_of_maps())
        return inner_of(e);
    if (is_percpu_values())
        return percpu_slot(e, helper_environment().current_cpu());
    return value_of(e);
}

void* HashTable::lookup_percpu_elem(void const* key, u32 cpu)
{
    if (!is_percpu_values() || cpu >= m_possible_cpus)
        return nullptr;
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Element* e = find_lockless(bucket, hash, key);
    if (!e)
        return nullptr;
    if (is_lru())
        Lru::set_ref(&e->lru);
    return percpu_slot(e, cpu);
}

i64 HashTable::update_elem(void const* key, void const* value, u64 flags)
{
    if (is_of_maps())
        return -EOPNOTSUPP; // the verifier only lets programs look up maps-of-maps
    return update(key, value, flags, false);
}

i64 HashTable::update(void const* key, void const* value, u64 flags, bool onallcpus)
{
    if (m_type == BPF_MAP_TYPE_LRU_HASH)
        return update_lru(key, value, flags);
    if (m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
        return update_lru_percpu(key, value, flags, onallcpus);
    if (m_type == BPF_MAP_TYPE_PERCPU_HASH || is_of_maps())
        return update_in_place(key, value, flags, onallcpus);

    // htab_map_update_elem
    if ((flags & ~static_cast<u64>(BPF_F_LOCK)) > BPF_EXIST)
        return -EINVAL;
    if (flags & BPF_F_LOCK)
        return -EINVAL;
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Element* old;
    {
        BucketWriteGuard guard(bucket);
        old = find(bucket, hash, key);
        if (i64 error = check_flags(old, flags))
            return error;
        Element* fresh = alloc_element(old != nullptr);
        if (!fresh)
            return old || m_count.load() < m_max_entries ? -ENOMEM : -E2BIG;
        fresh->hash = hash;
        memcpy(key_of(fresh), key, m_key_size);
        set_values(fresh, value, onallcpus, true);
        fresh->next = bucket.head;
        bucket.head = fresh;
        if (old)
            unlink(bucket, old);
    }
    if (old)
        m_pool.free(reinterpret_cast<u8*>(old)); // replaced: the element count is unchanged
    return 0;
}

i64 HashTable::update_in_place(void const* key, void const* value, u64 flags, bool onallcpus)
{
    if (flags > BPF_EXIST)
        return -EINVAL;
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Map* replaced_inner = nullptr;
    {
        BucketWriteGuard guard(bucket);
        Element* old = find(bucket, hash, key);
        if (i64 error = check_flags(old, flags))
            return error;
        if (old) {
            if (is_of_maps()) {
                replaced_inner = inner_of(old);
                inner_of(old) = *static_cast<Map* const*>(value);
            } else {
                set_values(old, value, onallcpus, false);
            }
        } else {
            Element* fresh = alloc_element(false);
            if (!fresh)
                return m_count.load() < m_max_entries ? -ENOMEM : -E2BIG;
            fresh->hash = hash;
            memcpy(key_of(fresh), key, m_key_size);
            set_values(fresh, value, onallcpus, true);
            fresh->next = bucket.head;
            bucket.head = fresh;
        }
    }
    if (replaced_inner)
        replaced_inner->unref();
    return 0;
}

i64 HashTable::update_lru(void const* key, void const* value, u64 flags)
{
    if (flags > BPF_EXIST)
        return -EINVAL;
    u32 hash = hash_of(key);
    // Take a node before the bucket lock: evicting may need other buckets' locks.
    LruNode* node = m_lru.pop_free(helper_environment().current_cpu());
    if (!node)
        return -ENOMEM;
    Element* fresh = element_of(node);
    fresh->hash = hash;
    memcpy(key_of(fresh), key, m_key_size);
    memcpy(value_of(fresh), value, m_value_size);
    Bucket& bucket = bucket_for(hash);
    Element* old;
    i64 result;
    {
        BucketWriteGuard guard(bucket);
        old = find(bucket, hash, key);
        result = check_flags(old, flags);
        if (!result) {
            fresh->next = bucket.head;
            bucket.head = fresh;
            if (old) {
                Lru::set_ref(&fresh->lru);
                unlink(bucket, old);
            }
        }
    }
    if (result)
        m_lru.push_free(&fresh->lru);
    else if (old)
        m_lru.push_free(&old->lru);
    return result;
}

i64 HashTable::update_lru_percpu(void const* key, void const* value, u64 flags, bool onallcpus)
{
    if (flags > BPF_EXIST)
        return -EINVAL;
    u32 hash = hash_of(key);
    Element* fresh = nullptr;
    if (flags != BPF_EXIST) {
        LruNode* node = m_lru.pop_free(helper_environment().current_cpu());
        if (!node)
            return -ENOMEM;
        fresh = element_of(node);
        fresh->hash = hash;
        memcpy(key_of(fresh), key, m_key_size);
    }
    Bucket& bucket = bucket_for(hash);
    i64 result;
    {
        BucketWriteGuard guard(bucket);
        Element* old = find(bucket, hash, key);
        result = check_flags(old, flags);
        if (!result) {
            if (old) {
                Lru::set_ref(&old->lru);
                set_values(old, value, onallcpus, false);
            } else {
                set_values(fresh, value, onallcpus, true);
                fresh->next = bucket.head;
                bucket.head = fresh;
                fresh = nullptr;
            }
        }
    }
    if (fresh)
        m_lru.push_free(&fresh->lru);
    return result;
}

i64 HashTable::delete_elem(void const* key)
{
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Element* e;
    {
        BucketWriteGuard guard(bucket);
        e = find(bucket, hash, key);
        if (!e)
            return -ENOENT;
        unlink(bucket, e);
    }
    release_element(e);
    return 0;
}

bool HashTable::lru_delete_node(void* owner, LruNode* node)
{
    auto* table = static_cast<HashTable*>(owner);
    Element* target = element_of(node);
    Bucket& bucket = table->bucket_for(target->hash);
    BucketWriteGuard guard(bucket);
    for (Element* e = bucket.head; e; e = e->next) {
        if (e == target) {
            unlink(bucket, e);
            return true;
        }
    }
    return false;
}

i64 HashTable::for_each_elem(u64 callback, u64 callback_ctx, u64 flags)
{
    if (flags)
        return -EINVAL;
    u32 cpu = helper_environment().current_cpu();
    i64 visited = 0;
    // The callback may modify the map, so no lock is held while it runs. Each bucket is
    // visited from a snapshot taken under its lock; an element deleted by an earlier
    // callback is skipped (Linux's RCU walk may still show it; either is allowed).
    constexpr u32 snapshot_capacity = 32;
    for (u32 i = 0; i < m_n_buckets; ++i) {
        Bucket& bucket = m_buckets[i];
        u32 done = 0;
        for (;;) {
            Element* snapshot[snapshot_capacity];
            u32 taken = 0;
            {
                SpinlockGuard guard(bucket.lock);
                u32 position = 0;
                for (Element* e = bucket.head; e && taken < snapshot_capacity; e = e->next, ++position)
                    if (position >= done)
                        snapshot[taken++] = e;
            }
            if (!taken)
                break;
            for (u32 k = 0; k < taken; ++k) {
                Element* e = snapshot[k];
                bool still_linked = false;
                {
                    SpinlockGuard guard(bucket.lock);
                    for (Element* walk = bucket.head; walk; walk = walk->next)
                        still_linked |= walk == e;
                }
                if (!still_linked)
                    continue;
                void* value = is_percpu_values() ? static_cast<void*>(percpu_slot(e, cpu))
                    : is_of_maps()               ? static_cast<void*>(inner_of(e))
                                                 : static_cast<void*>(value_of(e));
                ++visited;
                if (call_bpf_function(callback, reinterpret_cast<u64>(this), reinterpret_cast<u64>(key_of(e)), reinterpret_cast<u64>(value), callback_ctx, 0))
                    return visited;
            }
            done += taken;
            if (taken < snapshot_capacity)
                break;
        }
    }
    return visited;
}

// ---- Syscall side ------------------------------------------------------------------------

ErrorOr<void> HashTable::copy_value(void const* key, void* value, u64)
{
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    SpinlockGuard guard(bucket.lock);
    Element* e = find(bucket, hash, key); // syscall lookups do not mark LRU references
    if (!e)
        return Error(ENOENT);
    copy_out(e, value);
    return {};
}

ErrorOr<void> HashTable::update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver)
{
    i64 result;
    if (is_of_maps()) {
        // bpf_fd_htab_map_update_elem: resolve the fd first, then insert in place.
        if (!resolver)
            return Error(EBADF);
        auto inner = TRY(resolver->map_from_fd(*static_cast<u32 const*>(value)));
        if (!inner_map_compatible(*inner))
            return Error(EINVAL);
        Map* pointer = inner.leak_ref();
        result = update_in_place(key, &pointer, flags, true);
        if (result)
            pointer->unref();
    } else {
        result = update(key, value, flags, true);
    }
    if (result < 0)
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> HashTable::delete_value(void const* key)
{
    i64 result = delete_elem(key);
    if (result < 0)
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> HashTable::next_key(void const* key, void* next)
{
    u32 i = 0;
    if (key) {
        u32 hash = hash_of(key);
        Bucket& bucket = bucket_for(hash);
        SpinlockGuard guard(bucket.lock);
        Element* e = find(bucket, hash, key);
        if (e) {
            if (e->next) {
                memcpy(next, key_of(e->next), m_key_size);
                return {};
            }
            i = (hash & (m_n_buckets - 1)) + 1;
        }
    }
    for (; i < m_n_buckets; ++i) {
        Bucket& bucket = m_buckets[i];
        SpinlockGuard guard(bucket.lock);
        if (bucket.head) {
            memcpy(next, key_of(bucket.head), m_key_size);
            return {};
        }
    }
    return Error(ENOENT);
}

ErrorOr<void> HashTable::lookup_and_delete_value(void const* key, void* value, u64 flags)
{
    if (is_of_maps())
        return Error(ENOTSUPP);
    if (flags & BPF_F_LOCK)
        return Error(EINVAL);
    u32 hash = hash_of(key);
    Bucket& bucket = bucket_for(hash);
    Element* e;
    {
        BucketWriteGuard guard(bucket);
        e = find(bucket, hash, key);
        if (!e)
            return Error(ENOENT);
        copy_out(e, value);
        unlink(bucket, e);
    }
    release_element(e);
    return {};
}

ErrorOr<void> HashTable::update_batch(BatchIo& io, ObjectResolver* resolver)
{
    return generic_update_batch(io, resolver);
}

ErrorOr<void> HashTable::delete_batch(BatchIo& io)
{
    return generic_delete_batch(io);
}

// __htab_map_lookup_and_delete_batch: walks whole buckets; in_batch/out_batch hold a
// bucket index; a bucket that does not fit into the remaining count ends the batch
// (-ENOSPC when nothing was copied yet); -ENOENT once the last bucket is done.
ErrorOr<void> HashTable::batch(BatchIo& io, bool do_delete)
{
    if ((io.elem_flags & ~static_cast<u64>(BPF_F_LOCK)) || (io.elem_flags & BPF_F_LOCK))
        return Error(EINVAL);
    if (io.flags)
        return Error(EINVAL);
    u32 max_count = io.count;
    if (!max_count)
        return {};
    TRY(io.write_count(0));
    u32 batch = 0;
    if (io.has_in_batch())
        TRY(io.read_in_batch(&batch, sizeof(batch)));
    if (batch >= m_n_buckets)
        return Error(ENOENT);

    u32 value_size = batch_value_size();
    u32 total = 0;
    ErrorOr<void> result;
    u32 bucket_size = 5;
    u8* keys = nullptr;
    u8* values = nullptr;
    auto free_buffers = [&] {
        delete[] keys;
        delete[] values;
        keys = values = nullptr;
    };
    auto allocate_buffers = [&]() -> bool {
        free_buffers();
        keys = new (std::nothrow) u8[static_cast<u64>(m_key_size) * bucket_size];
        values = new (std::nothrow) u8[static_cast<u64>(value_size) * bucket_size];
        return keys && values;
    };
    if (!allocate_buffers()) {
        free_buffers();
        return Error(ENOMEM);
    }
    for (;;) {
        Bucket& bucket = m_buckets[batch];
        Element* to_release = nullptr;
        u32 bucket_count = 0;
        bool grow = false;
        bool stop = false;
        {
            BucketWriteGuard guard(bucket);
            for (Element* e = bucket.head; e; e = e->next)
                ++bucket_count;
            if (bucket_count > max_count - total) {
                if (total == 0)
                    result = Error(ENOSPC);
                stop = true;
            } else if (bucket_count > bucket_size) {
                bucket_size = bucket_count;
                grow = true;
            } else {
                u32 k = 0;
                Element* e = bucket.head;
                while (e) {
                    Element* next = e->next;
                    memcpy(keys + static_cast<u64>(k) * m_key_size, key_of(e), m_key_size);
                    copy_out(e, values + static_cast<u64>(k) * value_size);
                    if (do_delete) {
                        unlink(bucket, e);
                        e->next = to_release; // released after the lock, last deleted first
                        to_release = e;
                    }
                    ++k;
                    e = next;
                }
            }
        }
        if (stop)
            break;
        if (grow) {
            if (!allocate_buffers()) {
                free_buffers();
                return Error(ENOMEM);
            }
            continue;
        }
        while (to_release) {
            Element* next = to_release->next;
            release_element(to_release);
            to_release = next;
        }
        for (u32 k = 0; k < bucket_count; ++k) {
            auto key_copy = io.write_key(total + k, keys + static_cast<u64>(k) * m_key_size, m_key_size);
            auto value_copy = key_copy.is_error() ? move(key_copy) : io.write_value(total + k, values + static_cast<u64>(k) * value_size, value_size);
            if (value_copy.is_error()) {
                free_buffers();
                return Error(EFAULT);
            }
        }
        total += bucket_count;
        batch++;
        if (batch >= m_n_buckets) {
            result = Error(ENOENT);
            break;
        }
    }
    free_buffers();
    auto out = io.write_out_batch(&batch, sizeof(batch));
    auto count = out.is_error() ? move(out) : io.write_count(total);
    if (count.is_error())
        return Error(EFAULT);
    return result;
}

}
