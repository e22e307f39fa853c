// The generic syscall-side checks and default operations of bpf::Map (see Map.h), ported
// from Linux's kernel/bpf/syscall.c: map_lookup_elem, map_update_elem, map_delete_elem,
// map_get_next_key, map_lookup_and_delete_elem, map_freeze, bpf_map_do_batch and the
// generic_map_*_batch helpers.
#include "bpf/maps/Map.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/maps/PerfEventSource.h"
#include "klib/CString.h"

namespace bpf {

ErrorOr<RefPtr<Map>> ObjectResolver::map_from_fd(u32) { return Error(EBADF); }
ErrorOr<RefPtr<PerfEventSource>> ObjectResolver::perf_event_from_fd(u32) { return Error(EBADF); }

static ErrorOr<void> copy_or_fault(void* dst, void const* src, u32 size)
{
    if (size && (!dst || !src))
        return Error(EFAULT);
    if (size)
        memcpy(dst, src, size);
    return {};
}

ErrorOr<void> MemoryBatchIo::read_in_batch(void* dst, u32 size) { return copy_or_fault(dst, in_batch, size); }
ErrorOr<void> MemoryBatchIo::write_out_batch(void const* src, u32 size) { return copy_or_fault(out_batch, src, size); }
ErrorOr<void> MemoryBatchIo::read_key(u32 index, void* dst, u32 size)
{
    return copy_or_fault(dst, keys ? static_cast<u8 const*>(keys) + static_cast<u64>(index) * size : nullptr, size);
}
ErrorOr<void> MemoryBatchIo::write_key(u32 index, void const* src, u32 size)
{
    return copy_or_fault(keys ? static_cast<u8*>(keys) + static_cast<u64>(index) * size : nullptr, src, size);
}
ErrorOr<void> MemoryBatchIo::read_value(u32 index, void* dst, u32 size)
{
    return copy_or_fault(dst, values ? static_cast<u8 const*>(values) + static_cast<u64>(index) * size : nullptr, size);
}
ErrorOr<void> MemoryBatchIo::write_value(u32 index, void const* src, u32 size)
{
    return copy_or_fault(values ? static_cast<u8*>(values) + static_cast<u64>(index) * size : nullptr, src, size);
}

Map::Map(MapAttributes const& a)
    : m_type(a.map_type)
    , m_key_size(a.key_size)
    , m_value_size(a.value_size)
    , m_max_entries(a.max_entries)
    , m_flags(a.map_flags)
    , m_map_extra(a.map_extra)
    , m_possible_cpus(helper_environment().possible_cpus())
{
}

bool Map::is_percpu() const
{
    return m_type == BPF_MAP_TYPE_PERCPU_HASH || m_type == BPF_MAP_TYPE_LRU_PERCPU_HASH || m_type == BPF_MAP_TYPE_PERCPU_ARRAY
        || m_type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

u32 Map::syscall_value_size() const
{
    if (is_percpu())
        return static_cast<u32>(klib::align_up(m_value_size, 8)) * m_possible_cpus;
    switch (m_type) {
    case BPF_MAP_TYPE_PROG_ARRAY:
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case BPF_MAP_TYPE_CGROUP_ARRAY:
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
        return sizeof(u32);
    default:
        return m_value_size;
    }
}

bool Map::matches_template(InnerMapTemplate const& meta) const
{
    // bpf_map_meta_equal(): types, sizes and flags must agree (no BTF records here).
    return meta.map_type == m_type && meta.key_size == m_key_size && meta.value_size == m_value_size && meta.map_flags == m_flags;
}

bool Map::inner_map_compatible(Map const& inner) const
{
    return m_has_inner_template && inner.matches_template(m_inner_template);
}

bool Map::may_read(FileAccess access) const
{
    if (access == FileAccess::FromMapFlags)
        return !(m_flags & BPF_F_WRONLY);
    return access != FileAccess::WriteOnly;
}

bool Map::may_write(FileAccess access) const
{
    if (is_frozen())
        return false;
    if (access == FileAccess::FromMapFlags)
        return !(m_flags & BPF_F_RDONLY);
    return access != FileAccess::ReadOnly;
}

ErrorOr<void> Map::sys_lookup(void const* key, void* value, u64 flags, FileAccess access)
{
    if (flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    if (!may_read(access))
        return Error(EPERM);
    if (flags & BPF_F_LOCK) // no map value carries a bpf_spin_lock (no BTF)
        return Error(EINVAL);
    return copy_value(key, value, flags);
}

ErrorOr<void> Map::sys_update(void const* key, void const* value, u64 flags, ObjectResolver* resolver, FileAccess access)
{
    if (!may_write(access))
        return Error(EPERM);
    if (flags & BPF_F_LOCK)
        return Error(EINVAL);
    return update_value(key, value, flags, resolver);
}

ErrorOr<void> Map::sys_delete(void const* key, FileAccess access)
{
    if (!may_write(access))
        return Error(EPERM);
    return delete_value(key);
}

ErrorOr<void> Map::sys_get_next_key(void const* key, void* next, FileAccess access)
{
    if (!may_read(access))
        return Error(EPERM);
    return next_key(key, next);
}

ErrorOr<void> Map::sys_lookup_and_delete(void const* key, void* value, u64 flags, FileAccess access)
{
    if (flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    if (!may_read(access) || !may_write(access))
        return Error(EPERM);
    if (flags && (m_type == BPF_MAP_TYPE_QUEUE || m_type == BPF_MAP_TYPE_STACK))
        return Error(EINVAL);
    if (flags & BPF_F_LOCK)
        return Error(EINVAL);
    return lookup_and_delete_value(key, value, flags);
}

ErrorOr<void> Map::sys_freeze(FileAccess access)
{
    if (!may_write(access))
        return Error(EPERM);
    if (m_writable_mappings.load() != 0)
        return Error(EBUSY);
    bool expected = false;
    if (!m_frozen.compare_exchange(expected, true))
        return Error(EBUSY);
    return {};
}

ErrorOr<void> Map::sys_batch(BatchCommand command, BatchIo& io, ObjectResolver* resolver, FileAccess access)
{
    bool has_read = command == BatchCommand::Lookup || command == BatchCommand::LookupAndDelete;
    bool has_write = command != BatchCommand::Lookup;
    if (has_read && !may_read(access))
        return Error(EPERM);
    if (has_write && !may_write(access))
        return Error(EPERM);
    switch (command) {
    case BatchCommand::Lookup:
        return lookup_batch(io);
    case BatchCommand::LookupAndDelete:
        return lookup_and_delete_batch(io);
    case BatchCommand::Update:
        return update_batch(io, resolver);
    case BatchCommand::Delete:
        return delete_batch(io);
    }
    return Error(EINVAL);
}

ErrorOr<void> Map::mmap_begin(u64 pgoff, u64 pages, bool writable, bool shared)
{
    if (!supports_mmap())
        return Error(ENOTSUPP);
    if (!shared)
        return Error(EINVAL);
    if (writable) {
        if (is_frozen())
            return Error(EPERM);
        if (m_flags & BPF_F_RDONLY_PROG)
            return Error(EACCES);
    }
    TRY(check_mmap(pgoff, pages, writable));
    if (writable)
        m_writable_mappings.fetch_add(1);
    return {};
}

void Map::mmap_end(bool writable)
{
    if (writable)
        m_writable_mappings.fetch_sub(1);
}

u8* Map::mmap_page(u64) { return nullptr; }
ErrorOr<void> Map::check_mmap(u64, u64, bool) { return Error(EINVAL); }

void* Map::lookup_elem(void const*) { return nullptr; }
i64 Map::update_elem(void const*, void const*, u64) { return -EOPNOTSUPP; }
i64 Map::delete_elem(void const*) { return -EOPNOTSUPP; }
i64 Map::push_elem(void const*, u64) { return -EOPNOTSUPP; }
i64 Map::pop_elem(void*) { return -EOPNOTSUPP; }
i64 Map::peek_elem(void*) { return -EOPNOTSUPP; }
void* Map::lookup_percpu_elem(void const*, u32) { return nullptr; }
i64 Map::for_each_elem(u64, u64, u64) { return -ENOTSUPP; }

ErrorOr<void> Map::copy_value(void const* key, void* value, u64)
{
    void* element = lookup_elem(key);
    if (!element)
        return Error(ENOENT);
    memcpy(value, element, m_value_size);
    return {};
}

ErrorOr<void> Map::update_value(void const* key, void const* value, u64 flags, ObjectResolver*)
{
    i64 result = update_elem(key, value, flags);
    if (result < 0)
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> Map::delete_value(void const* key)
{
    i64 result = delete_elem(key);
    if (result < 0)
        return Error(static_cast<int>(-result));
    return {};
}

ErrorOr<void> Map::next_key(void const*, void*) { return Error(ENOTSUPP); }
ErrorOr<void> Map::lookup_and_delete_value(void const*, void*, u64) { return Error(ENOTSUPP); }

// Scratch buffers for batch operations. Batch calls come from process context, so a
// general-heap allocation is fine here (Linux uses kvmalloc).
struct BatchScratch {
    u8* bytes { nullptr };
    explicit BatchScratch(u64 size) { bytes = new (std::nothrow) u8[size ? size : 1]; }
    ~BatchScratch() { delete[] bytes; }
};

ErrorOr<void> Map::generic_lookup_batch(BatchIo& io)
{
    if (io.elem_flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    if (io.elem_flags & BPF_F_LOCK)
        return Error(EINVAL);
    u32 value_size = syscall_value_size();
    u32 max_count = io.count;
    if (!max_count)
        return {};
    TRY(io.write_count(0));
    BatchScratch first(m_key_size);
    BatchScratch second(m_key_size);
    BatchScratch value(value_size);
    if (!first.bytes || !second.bytes || !value.bytes)
        return Error(ENOMEM);
    u8* prev_key = nullptr;
    if (io.has_in_batch()) {
        TRY(io.read_in_batch(first.bytes, m_key_size));
        prev_key = first.bytes;
    }
    u8* key = second.bytes;
    ErrorOr<void> result;
    u32 copied = 0;
    while (copied < max_count) {
        result = next_key(prev_key, key);
        if (result.is_error())
            break;
        result = copy_value(key, value.bytes, io.elem_flags);
        if (result.is_error() && result.error().code() != ENOENT)
            return result;
        if (!result.is_error()) {
            TRY(io.write_key(copied, key, m_key_size));
            TRY(io.write_value(copied, value.bytes, value_size));
            ++copied;
        }
        // The key just returned becomes the cursor (Linux swaps the two buffers).
        if (!prev_key)
            prev_key = first.bytes;
        u8* tmp = prev_key;
        prev_key = key;
        key = tmp;
    }
    TRY(io.write_count(copied));
    if (copied)
        TRY(io.write_out_batch(prev_key, m_key_size));
    return result;
}

ErrorOr<void> Map::generic_update_batch(BatchIo& io, ObjectResolver* resolver)
{
    if (io.elem_flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    if (io.elem_flags & BPF_F_LOCK)
        return Error(EINVAL);
    u32 value_size = syscall_value_size();
    u32 count = io.count;
    if (!count)
        return {};
    BatchScratch key(m_key_size);
    BatchScratch value(value_size);
    if (!key.bytes || !value.bytes)
        return Error(ENOMEM);
    ErrorOr<void> result;
    u32 done = 0;
    for (; done < count; ++done) {
        result = io.read_key(done, key.bytes, m_key_size);
        if (!result.is_error())
            result = io.read_value(done, value.bytes, value_size);
        if (!result.is_error())
            result = update_value(key.bytes, value.bytes, io.elem_flags, resolver);
        if (result.is_error())
            break;
    }
    TRY(io.write_count(done));
    return result;
}

ErrorOr<void> Map::generic_delete_batch(BatchIo& io)
{
    if (io.elem_flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    if (io.elem_flags & BPF_F_LOCK)
        return Error(EINVAL);
    u32 count = io.count;
    if (!count)
        return {};
    BatchScratch key(m_key_size);
    if (!key.bytes)
        return Error(ENOMEM);
    ErrorOr<void> result;
    u32 done = 0;
    for (; done < count; ++done) {
        result = io.read_key(done, key.bytes, m_key_size);
        if (!result.is_error())
            result = delete_value(key.bytes);
        if (result.is_error())
            break;
    }
    TRY(io.write_count(done));
    return result;
}

}
