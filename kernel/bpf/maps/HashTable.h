// The hash table behind BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and
// HASH_OF_MAPS, ported from Linux's kernel/bpf/hashtab.c. Each map type has its own file
// (HashMap.h, PercpuHashMap.h, LruHashMap.h, LruPercpuHashMap.h, HashOfMapsMap.h) that
// documents the type; this class holds the shared algorithm.
//
// Layout: n_buckets = roundup_pow_of_two(max_entries) singly linked chains; new elements
// are inserted at the chain head and replacing an element puts the new copy at the head
// (per-CPU and map-of-maps values are updated in place), which together with Linux's jhash
// and a zero seed (BPF_F_ZERO_SEED) reproduces Linux's get_next_key order exactly.
// Elements: [Element header][key, rounded to 8][value(s)] from an ElementPool (or, for LRU
// types, a preallocated array managed by Lru).
//
// Locking: one spinlock per bucket (interrupts masked) guards its chain; the pool and the
// LRU have their own locks (order: LRU locks, then bucket lock, as on Linux). Program-side
// lookups do not lock: writers bump a per-bucket sequence around every chain change and a
// reader retries (or finally locks) when the sequence moved, which replaces Linux's RCU +
// nulls-list restart. Elements are recycled, never freed while the map lives, so a reader
// racing with a writer only ever dereferences map memory. Returned value pointers stay valid
// for the map's life, with Linux's caveat that a concurrently deleted element may be reused.
#pragma once

#include "bpf/maps/ElementPool.h"
#include "bpf/maps/LruList.h"
#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"

namespace bpf {

class HashTable final : public Map {
public:
    // Linux's htab_map_alloc_check (+ fd_htab_map_alloc_check for HASH_OF_MAPS).
    static ErrorOr<void> alloc_check(MapAttributes const& attributes);
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes, ObjectResolver* resolver);
    ~HashTable() override;

    u32 bucket_count() const { return m_n_buckets; }
    u32 element_count() const { return m_count.load(MemoryOrder::Relaxed); }
    u32 hash_of(void const* key) const;

    void* lookup_elem(void const* key) override;
    i64 update_elem(void const* key, void const* value, u64 flags) override;
    i64 delete_elem(void const* key) override;
    void* lookup_percpu_elem(void const* key, u32 cpu) override;
    i64 for_each_elem(u64 callback, u64 callback_ctx, u64 flags) override;

protected:
    ErrorOr<void> copy_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver) override;
    ErrorOr<void> delete_value(void const* key) override;
    ErrorOr<void> next_key(void const* key, void* next_key) override;
    ErrorOr<void> lookup_and_delete_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> lookup_batch(BatchIo& io) override { return batch(io, false); }
    ErrorOr<void> lookup_and_delete_batch(BatchIo& io) override { return batch(io, true); }
    ErrorOr<void> update_batch(BatchIo& io, ObjectResolver* resolver) override;
    ErrorOr<void> delete_batch(BatchIo& io) override;

private:
    struct Element {
        Element* next;
        LruNode lru;
        u32 hash;
        u32 reserved;
    };
    struct Bucket {
        Element* head;
        Spinlock lock;
        u32 sequence; // odd while a writer changes the chain (seqlock for lockless lookups)
    };
    // Takes the bucket lock and marks the chain as changing for lockless readers.
    struct BucketWriteGuard {
        Bucket& bucket;
        u64 state;
        explicit BucketWriteGuard(Bucket& b);
        ~BucketWriteGuard();
    };

    explicit HashTable(MapAttributes const& attributes);
    ErrorOr<void> initialise(MapAttributes const& attributes);

    bool is_lru() const { return m_type == BPF_MAP_TYPE_LRU_HASH || m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH; }
    bool is_percpu_values() const { return m_type == BPF_MAP_TYPE_PERCPU_HASH || m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH; }
    bool is_of_maps() const { return m_type == BPF_MAP_TYPE_HASH_OF_MAPS; }

    u8* key_of(Element* e) const { return reinterpret_cast<u8*>(e) + sizeof(Element); }
    u8* value_of(Element* e) const { return key_of(e) + m_round_key_size; }
    u8* percpu_slot(Element* e, u32 cpu) const { return value_of(e) + static_cast<u64>(cpu) * m_round_value_size; }
    Map*& inner_of(Element* e) const { return *reinterpret_cast<Map**>(value_of(e)); }
    static Element* element_of(LruNode* node) { return reinterpret_cast<Element*>(reinterpret_cast<u8*>(node) - __builtin_offsetof(Element, lru)); }

    Bucket& bucket_for(u32 hash) const { return m_buckets[hash & (m_n_buckets - 1)]; }
    Element* find(Bucket& bucket, u32 hash, void const* key) const;
    // Program-side lookup without taking the lock (validated by the bucket's sequence).
    Element* find_lockless(Bucket& bucket, u32 hash, void const* key) const;
    static void unlink(Bucket& bucket, Element* e);
    i64 check_flags(Element* old, u64 flags) const;

    Element* alloc_element(bool replacing);
    void release_element(Element* e); // back to the pool or LRU; drops map-of-maps references
    void set_values(Element* e, void const* value, bool onallcpus, bool init);
    void copy_out(Element* e, void* value) const; // syscall layout
    u32 batch_value_size() const;

    i64 update(void const* key, void const* value, u64 flags, bool onallcpus);
    i64 update_lru(void const* key, void const* value, u64 flags);
    i64 update_lru_percpu(void const* key, void const* value, u64 flags, bool onallcpus);
    i64 update_in_place(void const* key, void const* value, u64 flags, bool onallcpus);
    ErrorOr<void> batch(BatchIo& io, bool do_delete);
    static bool lru_delete_node(void* owner, LruNode* node);

    u32 m_n_buckets { 0 };
    u32 m_hash_seed { 0 };
    u32 m_round_key_size { 0 };
    u32 m_round_value_size { 0 };
    u32 m_element_size { 0 };
    Atomic<u32> m_count { 0 };
    Bucket* m_buckets { nullptr };
    ElementPool m_pool;
    Lru m_lru;
};

}
