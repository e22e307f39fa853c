// Inputs shared by every map type: the creation attributes (the BPF_MAP_CREATE part of
// union bpf_attr that the core needs), how the syscall layer resolves fds stored in fd maps,
// the fd access mode, and the I/O channel for batch operations. Plain data + interfaces.
#pragma once

#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Types.h"
#include <linux/bpf.h>

namespace bpf {

class Map;
class Program;
class PerfEventSource;

// Linux constants that the UAPI headers do not export (x86_64 values).
constexpr u32 page_size = 4096;
constexpr u64 kmalloc_max_size = 1ull << 22;  // KMALLOC_MAX_SIZE
constexpr u32 percpu_min_unit_size = 32768;   // PCPU_MIN_UNIT_SIZE
constexpr u32 numa_no_node = 0xffffffffu;     // NUMA_NO_NODE as u32
constexpr u32 bpf_f_access_mask = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;

struct MapAttributes {
    u32 map_type { 0 };
    u32 key_size { 0 };
    u32 value_size { 0 };
    u32 max_entries { 0 };
    u32 map_flags { 0 };
    u32 inner_map_fd { 0 };
    u32 numa_node { 0 };
    u64 map_extra { 0 };

    static MapAttributes from_bpf_attr(union bpf_attr const& attr)
    {
        MapAttributes a;
        a.map_type = attr.map_type;
        a.key_size = attr.key_size;
        a.value_size = attr.value_size;
        a.max_entries = attr.max_entries;
        a.map_flags = attr.map_flags;
        a.inner_map_fd = attr.inner_map_fd;
        a.numa_node = attr.numa_node;
        a.map_extra = attr.map_extra;
        return a;
    }
    // bpf_map_attr_numa_node()
    u32 effective_numa_node() const { return (map_flags & BPF_F_NUMA_NODE) ? numa_node : numa_no_node; }
};

// What a map-of-maps remembers about the inner map it was created with (bpf_map_meta_alloc).
struct InnerMapTemplate {
    u32 map_type;
    u32 key_size;
    u32 value_size;
    u32 map_flags;
    u32 max_entries;
};

// How the fd passed to bpf() was opened. FromMapFlags = the fd BPF_MAP_CREATE returned
// (read-only for BPF_F_RDONLY, write-only for BPF_F_WRONLY).
enum class FileAccess : u8 { FromMapFlags, ReadWrite, ReadOnly, WriteOnly };

// Resolves fds that user space stores into fd maps (and inner_map_fd at create time).
// The syscall layer implements it over the caller's fd table; tests implement it directly.
// Each method returns a new reference or Linux's error: map_from_fd and program_from_fd give
// EBADF for a closed fd and EINVAL for an open fd of another kind (__bpf_map_get,
// __bpf_prog_get); perf_event_from_fd gives EBADF for both (perf_event_get).
class ObjectResolver {
public:
    virtual ~ObjectResolver() = default;
    virtual ErrorOr<RefPtr<Map>> map_from_fd(u32 fd);
    virtual ErrorOr<RefPtr<PerfEventSource>> perf_event_from_fd(u32 fd);
    // Defined in ProgArrayMap.cpp (which sees bpf::Program).
    virtual ErrorOr<RefPtr<Program>> program_from_fd(u32 fd);
    // The id bpf(BPF_MAP_LOOKUP_ELEM) reports for a program stored in a PROG_ARRAY.
    virtual u32 program_id(Program const& program);

    // Identifies the open map file the update came through (Linux's map_file argument of
    // map_fd_get_ptr), or null. PERF_EVENT_ARRAY remembers it per entry and drops those
    // entries when that file is released (Map::release_file).
    void const* map_file { nullptr };
};

// Batch operations read and write user memory element by element, like Linux; this
// interface hides whether that memory is user memory (syscall glue) or a kernel buffer.
// Every method returns EFAULT when the copy fails.
class BatchIo {
public:
    virtual ~BatchIo() = default;
    u32 count { 0 };       // attr->batch.count on entry
    u64 elem_flags { 0 };  // attr->batch.elem_flags
    u64 flags { 0 };       // attr->batch.flags
    virtual bool has_in_batch() const = 0;
    virtual ErrorOr<void> read_in_batch(void* dst, u32 size) = 0;
    virtual ErrorOr<void> write_out_batch(void const* src, u32 size) = 0;
    virtual ErrorOr<void> read_key(u32 index, void* dst, u32 key_size) = 0;
    virtual ErrorOr<void> write_key(u32 index, void const* src, u32 key_size) = 0;
    virtual ErrorOr<void> read_value(u32 index, void* dst, u32 value_size) = 0;
    virtual ErrorOr<void> write_value(u32 index, void const* src, u32 value_size) = 0;
    virtual ErrorOr<void> write_count(u32 count) = 0;
};

// BatchIo over kernel-resident buffers (tests, in-kernel users). out_count receives count.
class MemoryBatchIo final : public BatchIo {
public:
    void const* in_batch { nullptr };
    void* out_batch { nullptr };
    void* keys { nullptr };
    void* values { nullptr };
    u32 out_count { 0 };

    bool has_in_batch() const override { return in_batch != nullptr; }
    ErrorOr<void> read_in_batch(void* dst, u32 size) override;
    ErrorOr<void> write_out_batch(void const* src, u32 size) override;
    ErrorOr<void> read_key(u32 index, void* dst, u32 key_size) override;
    ErrorOr<void> write_key(u32 index, void const* src, u32 key_size) override;
    ErrorOr<void> read_value(u32 index, void* dst, u32 value_size) override;
    ErrorOr<void> write_value(u32 index, void const* src, u32 value_size) override;
    ErrorOr<void> write_count(u32 value) override
    {
        out_count = value;
        return {};
    }
};

}
