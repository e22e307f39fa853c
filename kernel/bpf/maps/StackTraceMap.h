// BPF_MAP_TYPE_STACK_TRACE: stack traces stored by bpf_get_stackid(), keyed by a u32 id
// (Linux's kernel/bpf/stackmap.c). The id is jhash2(ips) & (n_buckets - 1), so equal stacks
// get equal ids; a different stack hashing to an occupied id gives -EEXIST unless
// BPF_F_REUSE_STACKID. Values are arrays of u64 instruction pointers (value_size / 8 deep),
// zero-padded on syscall lookup. User space can only look up, delete (also both at once)
// and iterate.
// BPF_F_STACK_BUILD_ID maps are accepted with Linux's checks but store plain addresses
// (there is no build-id parser here; see docs/bpf/maps.md).
//
// Locking: a spinlock (interrupts masked) guards the bucket table and the free list of
// preallocated buckets (max_entries buckets, like Linux).
#pragma once

#include "bpf/maps/Map.h"
#include "bpf/maps/MapMemory.h"
#include "klib/Spinlock.h"

namespace bpf {

class StackTraceMap final : public Map {
public:
    static ErrorOr<RefPtr<Map>> try_create(MapAttributes const& attributes);

    // __bpf_get_stackid: stores `count` ips (after the caller skipped frames) and returns the
    // id, or -EEXIST / -ENOMEM / -EFAULT.
    i64 store_stack(u64 const* ips, u32 count, u64 flags);
    u32 max_depth() const { return m_value_size / 8; }
    u32 bucket_count() const { return m_n_buckets; }

    void* lookup_elem(void const*) override { return nullptr; } // ERR_PTR(-EOPNOTSUPP) on Linux
    i64 update_elem(void const*, void const*, u64) override { return -EINVAL; }
    i64 delete_elem(void const* key) override;

protected:
    ErrorOr<void> copy_value(void const* key, void* value, u64 flags) override;
    ErrorOr<void> next_key(void const* key, void* next_key) override;
    ErrorOr<void> lookup_and_delete_value(void const* key, void* value, u64 flags) override;

private:
    struct Bucket {
        Bucket* next_free;
        u32 hash;
        u32 nr;
        // u64 ips[value_size / 8]
    };
    StackTraceMap(MapAttributes const& attributes, u32 n_buckets, MapMemory table, MapMemory storage);
    ErrorOr<void> extract(void const* key, void* value, bool remove);
    u64* ips_of(Bucket* bucket) const { return reinterpret_cast<u64*>(reinterpret_cast<u8*>(bucket) + sizeof(Bucket)); }

    Spinlock m_lock;
    u32 m_n_buckets;
    u32 m_bucket_size;
    MapMemory m_table;   // Bucket* [n_buckets]
    MapMemory m_storage; // max_entries buckets
    Bucket* m_free { nullptr };
};

}
