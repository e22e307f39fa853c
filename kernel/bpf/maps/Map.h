// bpf::Map: the interface every BPF map type implements, with Linux's semantics.
//
// Two faces:
//  - Syscall side (sys_*): what bpf(BPF_MAP_*) does after the fd is resolved and user memory
//    copied into kernel buffers. The generic checks Linux makes in kernel/bpf/syscall.c
//    (frozen maps, read/write permissions of the fd, BPF_F_LOCK without a spin lock, the
//    per-command dispatch of bpf_map_copy_value/bpf_map_update_value) live here, so every
//    map type returns exactly the errno Linux returns. Values use the syscall layout
//    (per-CPU maps: round_up(value_size, 8) * possible CPUs).
//  - Program side (lookup_elem, update_elem, ...): called by helpers from BPF programs in any
//    context. They return pointers into the map or a negative errno, never allocate from
//    the general heap (except BPF_F_NO_PREALLOC element refills, see ElementPool.h) and
//    never block.
//
// Locking: each map type documents its own; the base class only holds the freeze state,
// which is an atomic flag plus a counter of writable mappings (Linux's freeze_mutex is not
// needed because freeze and mmap both run in process context serialised by the caller).
#pragma once

#include "bpf/maps/MapAttributes.h"
#include "klib/Atomic.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Types.h"
#include <linux/bpf.h>

namespace bpf {

enum class BatchCommand : u8 { Lookup, LookupAndDelete, Update, Delete };

class Map : public RefCounted {
public:
    ~Map() override = default;

    u32 type() const { return m_type; }
    u32 key_size() const { return m_key_size; }
    u32 value_size() const { return m_value_size; }
    u32 max_entries() const { return m_max_entries; }
    u32 flags() const { return m_flags; }
    u64 map_extra() const { return m_map_extra; }
    u32 possible_cpus() const { return m_possible_cpus; }
    bool is_frozen() const { return m_frozen.load(MemoryOrder::Acquire); }
    // Size of a value as the bpf() syscall sees it (bpf_map_value_size()).
    u32 syscall_value_size() const;
    bool is_percpu() const;
    // The id bpf(BPF_MAP_GET_NEXT_ID) reports; assigned by the syscall layer.
    u32 id() const { return m_id; }
    void set_id(u32 id) { m_id = id; }
    // For ARRAY_OF_MAPS / HASH_OF_MAPS: the template every inner map must match.
    InnerMapTemplate const* inner_map_template() const { return m_has_inner_template ? &m_inner_template : nullptr; }
    // Whether `inner` may be stored in this map-of-maps (Linux's map_meta_equal).
    bool inner_map_compatible(Map const& inner) const;
    // Linux's map_meta_equal for this map as an inner map, compared with a template.
    virtual bool matches_template(InnerMapTemplate const& meta) const;
    // False for types Linux cannot nest into a map-of-maps (no map_meta_equal): -ENOTSUPP.
    virtual bool can_be_inner_map() const { return true; }

    // ---- Syscall side -------------------------------------------------------------------
    ErrorOr<void> sys_lookup(void const* key, void* value, u64 flags, FileAccess access = FileAccess::FromMapFlags);
    ErrorOr<void> sys_update(void const* key, void const* value, u64 flags, ObjectResolver* resolver = nullptr, FileAccess access = FileAccess::FromMapFlags);
    ErrorOr<void> sys_delete(void const* key, FileAccess access = FileAccess::FromMapFlags);
    // key == nullptr asks for the first key.
    ErrorOr<void> sys_get_next_key(void const* key, void* next_key, FileAccess access = FileAccess::FromMapFlags);
    ErrorOr<void> sys_lookup_and_delete(void const* key, void* value, u64 flags, FileAccess access = FileAccess::FromMapFlags);
    ErrorOr<void> sys_freeze(FileAccess access = FileAccess::FromMapFlags);
    ErrorOr<void> sys_batch(BatchCommand command, BatchIo& io, ObjectResolver* resolver = nullptr, FileAccess access = FileAccess::FromMapFlags);
    // Linux's map_release: the open map file `map_file` (the token ObjectResolver::map_file
    // carried for updates through it) was released by its last close.
    virtual void release_file(void const* map_file) { (void)map_file; }

    // mmap support: validates a mapping of `pages` pages at page offset `pgoff` (Linux's
    // bpf_map_mmap checks) and accounts writable mappings; mmap_page() returns the kernel
    // address backing one page of the mapping. unmap() must pair a successful map.
    ErrorOr<void> mmap_begin(u64 pgoff, u64 pages, bool writable, bool shared);
    void mmap_end(bool writable);
    virtual u8* mmap_page(u64 page_index);

    // ---- Program side (helpers) --------------------------------------------------------
    virtual void* lookup_elem(void const* key);
    virtual i64 update_elem(void const* key, void const* value, u64 flags);
    virtual i64 delete_elem(void const* key);
    virtual i64 push_elem(void const* value, u64 flags);
    virtual i64 pop_elem(void* value);
    virtual i64 peek_elem(void* value);
    virtual void* lookup_percpu_elem(void const* key, u32 cpu);
    // bpf_for_each_map_elem: callback(map, key, value, ctx); returns elements visited.
    virtual i64 for_each_elem(u64 callback, u64 callback_ctx, u64 flags);

protected:
    explicit Map(MapAttributes const& attributes);

    // Hooks behind the syscall side; the defaults are Linux's generic behaviour.
    virtual ErrorOr<void> copy_value(void const* key, void* value, u64 flags);
    virtual ErrorOr<void> update_value(void const* key, void const* value, u64 flags, ObjectResolver* resolver);
    virtual ErrorOr<void> delete_value(void const* key);
    virtual ErrorOr<void> next_key(void const* key, void* next_key);
    virtual ErrorOr<void> lookup_and_delete_value(void const* key, void* value, u64 flags);
    virtual ErrorOr<void> lookup_batch(BatchIo&) { return Error(ENOTSUPP); }
    virtual ErrorOr<void> lookup_and_delete_batch(BatchIo&) { return Error(ENOTSUPP); }
    virtual ErrorOr<void> update_batch(BatchIo&, ObjectResolver*) { return Error(ENOTSUPP); }
    virtual ErrorOr<void> delete_batch(BatchIo&) { return Error(ENOTSUPP); }
    virtual ErrorOr<void> check_mmap(u64 pgoff, u64 pages, bool writable);
    virtual bool supports_mmap() const { return false; }

    // Linux's generic_map_*_batch (kernel/bpf/syscall.c), for types that use them.
    ErrorOr<void> generic_lookup_batch(BatchIo& io);
    ErrorOr<void> generic_update_batch(BatchIo& io, ObjectResolver* resolver);
    ErrorOr<void> generic_delete_batch(BatchIo& io);

    void set_inner_template(InnerMapTemplate const& meta)
    {
        m_inner_template = meta;
        m_has_inner_template = true;
    }
    bool may_read(FileAccess access) const;
    bool may_write(FileAccess access) const;

    u32 m_type;
    u32 m_key_size;
    u32 m_value_size;
    u32 m_max_entries;
    u32 m_flags;
    u64 m_map_extra;
    u32 m_possible_cpus;

private:
    Atomic<bool> m_frozen { false };
    Atomic<u32> m_writable_mappings { 0 };
    u32 m_id { 0 };
    InnerMapTemplate m_inner_template {};
    bool m_has_inner_template { false };
};

// Converts an ErrorOr<void> into Linux's return convention (0 or -errno).
inline i64 to_errno(ErrorOr<void> const& result) { return result.is_error() ? -static_cast<i64>(result.error().code()) : 0; }

}
