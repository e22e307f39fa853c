// The LRU lists behind LRU_HASH and LRU_PERCPU_HASH: a port of Linux's
// kernel/bpf/bpf_lru_list.c, so that which keys a full map evicts matches Linux.
//
// Common LRU (default): one global list set (active, inactive, free) plus, per CPU, a local
// free list and a pending list. A CPU takes free nodes in batches of target_free
// (= clamp(nodes / CPUs / 2, 1, 128)); when the global free list is empty it shrinks the
// inactive list (evicting unreferenced nodes through the owner's delete callback) and, as a
// last resort, steals from other CPUs' local lists. New elements sit on the pending list
// until the next batch refill flushes them into the global lists.
// Per-CPU LRU (BPF_F_NO_COMMON_LRU): every CPU has its own list set and node share.
//
// Locking (same order as Linux): local list lock, then global list lock, then (inside the
// delete callback) the owner's bucket lock. All are klib Spinlocks (interrupts masked).
// Nodes are never allocated or freed here: they live inside the owner's preallocated elements.
#pragma once

#include "klib/Error.h"
#include "klib/Spinlock.h"
#include "klib/Types.h"

namespace bpf {

struct ListHead {
    ListHead* next;
    ListHead* prev;
};

struct LruNode {
    ListHead list;
    u16 cpu;
    u8 type;
    u8 ref;
};

class Lru {
public:
    // Returns true when the node was still in the table and has been unlinked from it.
    using DeleteFromTable = bool (*)(void* owner, LruNode* node);

    Lru() = default;
    Lru(Lru const&) = delete;
    ~Lru();

    ErrorOr<void> init(bool percpu, u32 possible_cpus, DeleteFromTable delete_from_table, void* owner);
    // Puts nr_elements nodes (at buffer + node_offset, stride element_size) on the free lists.
    void populate(u8* buffer, u32 node_offset, u32 element_size, u32 nr_elements);
    // A free node for a new element of the calling CPU, evicting if needed; nullptr = none.
    LruNode* pop_free(u32 cpu);
    // Returns a node whose element left the table.
    void push_free(LruNode* node);
    // Lookups mark nodes referenced (bpf_lru_node_set_ref).
    static void set_ref(LruNode* node)
    {
        if (!__atomic_load_n(&node->ref, __ATOMIC_RELAXED))
            __atomic_store_n(&node->ref, 1, __ATOMIC_RELAXED);
    }
    u32 target_free() const { return m_target_free; }

    enum ListType : u8 { Active = 0, Inactive = 1, Free = 2, LocalFree = 3, LocalPending = 4 };

private:
    struct ListSet {
        ListHead lists[3];
        u32 counts[2];
        ListHead* next_inactive_rotation;
        Spinlock lock;
    };
    struct LocalList {
        ListHead lists[2]; // LocalFree, LocalPending
        u32 next_steal;
        Spinlock lock;
    };

    static void init_list_set(ListSet& set);
    void move_to_free(ListSet& l, LruNode* node, ListHead* free_list, u8 target_type);
    void move_in(ListSet& l, LruNode* node, u8 target_type);
    void move(ListSet& l, LruNode* node, u8 target_type);
    void rotate_active(ListSet& l);
    void rotate_inactive(ListSet& l);
    u32 shrink_inactive(ListSet& l, u32 target, ListHead* free_list, u8 target_type);
    void rotate(ListSet& l);
    u32 shrink(ListSet& l, u32 target, ListHead* free_list, u8 target_type);
    void local_flush(ListSet& l, LocalList& local);
    void pop_free_to_local(LocalList& local);
    void local_add_pending(LocalList& local, u32 cpu, LruNode* node);
    LruNode* local_pop_free(LocalList& local);
    LruNode* local_pop_pending(LocalList& local);
    LruNode* percpu_pop_free(u32 cpu);
    LruNode* common_pop_free(u32 cpu);

    bool m_percpu { false };
    u32 m_cpus { 1 };
    u32 m_nr_scans { 0 };
    u32 m_target_free { 1 };
    DeleteFromTable m_delete_from_table { nullptr };
    void* m_owner { nullptr };
    ListSet m_common;
    LocalList* m_local { nullptr };  // common LRU: one per CPU
    ListSet* m_percpu_sets { nullptr }; // per-CPU LRU: one per CPU
};

}
