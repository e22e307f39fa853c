// BPF_MAP_TYPE_LPM_TRIE: longest-prefix-match map (Linux's kernel/bpf/lpm_trie.c). Keys
// are struct bpf_lpm_trie_key_u8 { u32 prefixlen; u8 data[]; } with data in network
// order; lookup returns the value of the most specific stored prefix covering the key.
// A binary Patricia trie: intermediate nodes (flag IM) have exactly two children; stored
// data bits past the prefix are kept as given (get_next_key returns them unchanged).
// get_next_key walks in post order (more specific prefixes first). Requires
// BPF_F_NO_PREALLOC, like Linux: nodes come from a lazy ElementPool.
//
// Locking: one spinlock (interrupts masked) around every operation, lookups included.
#pragma once

#include "bpf/maps/ElementPool.h"
#include "bpf/maps/Map.h"
#include "klib/Spinlock.h"

namespace bpf {

class LpmTrieMap final : public Map {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    u32 entry_count() const { return m_entries; }

    void* lookup_elem(void const* key) override;
    i64 update_elem(void const* key, void const* value, u64 flags) override;
    i64 delete_elem(void const* key) override;

protected:
    ErrorOr<void> next_key(void const* key, void* next_key) override;
    ErrorOr<void> lookup_batch(BatchIo& io) override { return generic_lookup_batch(io); }
    ErrorOr<void> update_batch(BatchIo& io, ObjectResolver* resolver) override { return generic_update_batch(io, resolver); }
    ErrorOr<void> delete_batch(BatchIo& io) override { return generic_delete_batch(io); }

private:
    struct Node {
        Node* child[2];
        u32 prefixlen;
        u32 flags;
        // data[data_size], then value[value_size]
    };
    static constexpr u32 flag_intermediate = 1;

    explicit LpmTrieMap(MapAttributes const& attributes);
    u8* data_of(Node* node) const { return reinterpret_cast<u8*>(node) + sizeof(Node); }
    u8* value_of(Node* node) const { return data_of(node) + m_data_size; }
    u32 longest_prefix_match(Node* node, u32 key_prefixlen, u8 const* key_data) const;
    static u32 extract_bit(u8 const* data, u32 index) { return !!(data[index / 8] & (1 << (7 - (index % 8)))); }
    Node* allocate_node(void const* value);
    void free_node(Node* node) { m_pool.free(reinterpret_cast<u8*>(node)); }
    i64 check_add_element(u64 flags);

    Spinlock m_lock;
    Node* m_root { nullptr };
    u32 m_data_size;
    u32 m_max_prefixlen;
    u32 m_entries { 0 };
    ElementPool m_pool;
};

}
