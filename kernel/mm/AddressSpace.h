// AddressSpace: a process's user memory — a page table plus a sorted list of non-overlapping
// regions (Linux's VMAs). Pages are allocated on first touch (page fault). Region kinds:
//  - anonymous private: zero-filled pages owned by this address space;
//  - anonymous shared: pages owned by a SharedMemory object shared across fork;
//  - file private: pages filled from a file at fault time (then owned like anonymous ones);
//  - device: pages provided by File::mmap_page (BPF/perf rings); never freed here.
// fork copies private pages eagerly and shares the rest. m_lock guards the region list and
// the page table; it is dropped around file reads during faults.
//
// User probes (kernel/trace/uprobes) patch breakpoints into private file pages: every live
// address space is on one list (for_each_live), freshly read file pages pass through
// uprobes::arm_new_file_page before they are mapped, and a per-address-space probe state
// (XOL area, return instances) is cloned by fork and freed with the address space.
// Lock order: the live list lock, then an address space's m_lock, then the probe registry.
#pragma once

#include "arch/Paging.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Spinlock.h"
#include "klib/String.h"
#include "klib/Vector.h"
#include "mm/PageFault.h"

class Inode;
class OpenFileDescription;
namespace uprobes {
struct MmState;
}

constexpr u64 user_stack_top = 0x00007ffffffff000ULL;
constexpr u64 user_stack_size = 8ULL * 1024 * 1024;
constexpr u64 user_mmap_top = 0x00007f0000000000ULL;
constexpr u64 user_mmap_bottom = 0x0000000010000000ULL;

// Pages of a MAP_SHARED|MAP_ANONYMOUS mapping, shared by every address space mapping it.
class SharedMemory : public RefCounted {
public:
    static ErrorOr<RefPtr<SharedMemory>> try_create(u64 page_count);
    ~SharedMemory() override;
    ErrorOr<PhysicalAddress> page(u64 index);
    u64 page_count() const { return m_pages.size(); }

private:
    Spinlock m_lock;
    Vector<PhysicalAddress> m_pages;
};

// One mmap() of a device file (Linux's vma->vm_file + vm_ops): shared by every piece of the
// mapping that splits and forks create; when the last piece goes, File::mmap_closed() runs,
// balancing the File::mmap_opened() that accepted the mapping.
class DeviceMapping : public RefCounted {
public:
    DeviceMapping(RefPtr<OpenFileDescription> file, u64 offset, u64 length, bool writable);
    ~DeviceMapping() override;
    // Whether the mapping was created writable (else mprotect cannot add PROT_WRITE, like
    // Linux's VM_MAYWRITE).
    bool writable() const { return m_writable; }

private:
    RefPtr<OpenFileDescription> m_file;
    u64 m_offset;
    u64 m_length;
    bool m_writable;
};

enum class RegionKind : u8 {
    AnonymousPrivate,
    AnonymousShared,
    FilePrivate,
    Device,
};

struct Region {
    u64 start { 0 };
    u64 end { 0 };
    int prot { 0 };          // PROT_READ | PROT_WRITE | PROT_EXEC
    RegionKind kind { RegionKind::AnonymousPrivate };
    RefPtr<OpenFileDescription> file;
    u64 file_offset { 0 };   // file offset of `start` (FilePrivate, Device)
    u64 file_bytes { ~0ULL }; // FilePrivate: bytes of file data from `start`; the rest is zero
    RefPtr<SharedMemory> shared;
    u64 shared_first_page { 0 };
    RefPtr<DeviceMapping> device_mapping; // Device regions
    String name;             // "[heap]", "[stack]", a path, or empty

    bool contains(u64 address) const { return address >= start && address < end; }
    ErrorOr<Region> try_clone() const;
};

struct RegionInfo {
    u64 start;
    u64 end;
    bool readable, writable, executable, shared;
    u64 file_offset;
    StringView name;
    u64 inode;
};

class AddressSpace {
public:
    static ErrorOr<AddressSpace*> try_create();
    ErrorOr<AddressSpace*> try_clone();
    ~AddressSpace();

    void activate();
    PhysicalAddress page_table() const { return m_root; }

    // mmap semantics (Linux): returns the chosen address. `fixed` replaces what was there.
    ErrorOr<u64> map(u64 hint, u64 length, int prot, int flags, RefPtr<OpenFileDescription> file, u64 offset);
    ErrorOr<void> unmap(u64 address, u64 length);
    ErrorOr<void> protect(u64 address, u64 length, int prot);
    ErrorOr<u64> remap(u64 old_address, u64 old_size, u64 new_size, int flags, u64 new_address);
    ErrorOr<u64> set_break(u64 new_break);
    // MADV_DONTNEED/MADV_FREE: private anonymous pages in the range are dropped (they read
    // back as zero); other kinds keep their pages.
    ErrorOr<void> discard(u64 address, u64 length);
    void set_break_base(u64 base) { m_break_base = m_break = base; }

    // Inserts a fully described region (ELF segments, the stack), replacing any overlap.
    ErrorOr<void> add_region(Region&& region);
    PageFaultResult handle_fault(u64 address, PageFaultAccess access);
    // Makes sure the range is mapped and accessible as asked (used before the kernel writes
    // the initial stack of a new program).
    ErrorOr<void> populate(u64 address, u64 length, bool write);
    // Writes kernel data into this (possibly inactive) address space through the direct map,
    // faulting pages in as needed. Used by execve to build the new program's stack.
    ErrorOr<void> write_bytes(u64 address, void const* data, usize length);

    template<typename Callback>
    void for_each_region(Callback callback) const
    {
        Vector<RegionInfo> infos;
        Vector<String> names; // keeps the names the infos point into alive
        collect_regions(infos, names);
        for (auto const& info : infos)
            callback(info);
    }
    u64 resident_pages() const { return m_resident_pages; }
    bool has_region_at(u64 address) const;
    u64 virtual_size() const;

    // ---- For user probes (see the top of this file) -------------------------------------
    // Calls visit(space, context) for every live address space with the list lock held
    // (interrupts masked): the visitor must not sleep, nor create or destroy address spaces.
    static void for_each_live(void (*visit)(AddressSpace&, void* context), void* context);
    // A private file mapping (Linux's file-backed VMA) as probes see it.
    struct FileMapping {
        Inode* inode { nullptr };
        u64 start { 0 }, end { 0 };
        u64 file_offset { 0 }; // file offset of `start`
        u64 file_bytes { 0 };  // bytes of file data from `start`
        int prot { 0 };
    };
    // The private file mapping containing `address`.
    bool file_mapping_at(u64 address, FileMapping&) const;
    // Every private file mapping of `inode`.
    ErrorOr<void> file_mappings_of(Inode const&, Vector<FileMapping>&) const;
    // In this address space's own copy of the page at `address` (private pages only, file or
    // anonymous, whatever the protection), replaces the byte with `value` if the page is
    // present and the byte equals `expected`. Private pages are never shared (file pages are
    // read into a frame of their own, fork copies them), so neither the file nor another
    // process sees the change. Returns whether the byte was replaced.
    bool replace_byte_if_present(u64 address, u8 expected, u8 value);
    // Writes into this address space's own copy of private pages whatever their protection,
    // faulting them in first (XOL slots of a read-only, executable area).
    ErrorOr<void> write_private(u64 address, void const* data, usize length);
    // Maps a private anonymous region named `name` of `length` bytes whose every byte lies
    // within `reach` bytes of `near` (the highest such free range; ENOMEM if none).
    ErrorOr<u64> map_near(u64 near, u64 reach, u64 length, int prot, StringView name);
    uprobes::MmState* uprobe_state() const { return m_uprobe_state; }
    void set_uprobe_state(uprobes::MmState* state) { m_uprobe_state = state; }

private:
    AddressSpace() = default;
    void collect_regions(Vector<RegionInfo>&, Vector<String>& names) const;
    ErrorOr<u64> find_free_range(u64 length, u64 hint) const;
    ErrorOr<void> split_at(u64 address);
    void release_range(u64 start, u64 end);
    void unmap_region_pages(Region const&, u64 start, u64 end);
    Region* find_region(u64 address);
    ErrorOr<void> insert_region(Region&& region);

    mutable Spinlock m_lock;
    PhysicalAddress m_root { 0 };
    Vector<Region> m_regions;
    u64 m_break_base { 0 };
    u64 m_break { 0 };
    u64 m_resident_pages { 0 };
    uprobes::MmState* m_uprobe_state { nullptr };
    AddressSpace* m_live_previous { nullptr };
    AddressSpace* m_live_next { nullptr };
};
