// AddressSpace implementation (see AddressSpace.h for the model and locking).
#include "mm/AddressSpace.h"
#include "fs/File.h"
#include "fs/OpenFileDescription.h"
#include "klib/CString.h"
#include "mm/UserBuffer.h"
#include "trace/uprobes/UprobeHooks.h"
#include <linux/mman.h>

namespace {

constinit Spinlock s_live_lock;
AddressSpace* s_live_first { nullptr };

arch::PageFlags flags_for(int prot)
{
    return { (prot & PROT_WRITE) != 0, true, (prot & PROT_EXEC) != 0 };
}

bool owns_pages(RegionKind kind) { return kind == RegionKind::AnonymousPrivate || kind == RegionKind::FilePrivate; }

}

ErrorOr<RefPtr<SharedMemory>> SharedMemory::try_create(u64 page_count)
{
    auto memory = TRY(try_make_ref_counted<SharedMemory>());
    TRY(memory->m_pages.try_resize(page_count));
    return memory;
}

SharedMemory::~SharedMemory()
{
    for (auto page : m_pages)
        if (page)
            PhysicalMemory::free(page);
}

ErrorOr<PhysicalAddress> SharedMemory::page(u64 index)
{
    SpinlockGuard guard(m_lock);
    if (index >= m_pages.size())
        return Error(EFAULT);
    if (!m_pages[index])
        m_pages[index] = TRY(PhysicalMemory::allocate(1, true));
    return m_pages[index];
}

DeviceMapping::DeviceMapping(RefPtr<OpenFileDescription> file, u64 offset, u64 length, bool writable)
    : m_file(move(file))
    , m_offset(offset)
    , m_length(length)
    , m_writable(writable)
{
}

DeviceMapping::~DeviceMapping()
{
    m_file->file().mmap_closed(*m_file, m_offset, m_length, m_writable);
}

ErrorOr<Region> Region::try_clone() const
{
    Region copy;
    copy.start = start;
    copy.end = end;
    copy.prot = prot;
    copy.kind = kind;
    copy.file = file;
    copy.file_offset = file_offset;
    copy.file_bytes = file_bytes;
    copy.shared = shared;
    copy.shared_first_page = shared_first_page;
    copy.device_mapping = device_mapping;
    copy.name = TRY(name.try_clone());
    return copy;
}

ErrorOr<AddressSpace*> AddressSpace::try_create()
{
    auto* space = new (std::nothrow) AddressSpace;
    if (!space)
        return Error(ENOMEM);
    auto root = arch::create_user_page_table();
    if (root.is_error()) {
        delete space;
        return root.release_error();
    }
    space->m_root = root.value();
    SpinlockGuard guard(s_live_lock);
    space->m_live_next = s_live_first;
    if (s_live_first)
        s_live_first->m_live_previous = space;
    s_live_first = space;
    return space;
}

AddressSpace::~AddressSpace()
{
    {
        SpinlockGuard guard(s_live_lock);
        if (m_live_previous)
            m_live_previous->m_live_next = m_live_next;
        else if (s_live_first == this)
            s_live_first = m_live_next;
        if (m_live_next)
            m_live_next->m_live_previous = m_live_previous;
    }
    if (m_uprobe_state)
        uprobes::address_space_destroyed(*this);
    for (auto const& region : m_regions)
        unmap_region_pages(region, region.start, region.end);
    m_regions.clear();
    if (m_root)
        arch::destroy_user_page_table(m_root);
}

void AddressSpace::activate() { arch::activate_page_table(m_root); }

void AddressSpace::unmap_region_pages(Region const& region, u64 start, u64 end)
{
    for (u64 page = start; page < end; page += PAGE_SIZE) {
        PhysicalAddress frame = arch::unmap_page(m_root, page);
        if (!frame)
            continue;
        --m_resident_pages;
        if (owns_pages(region.kind))
            PhysicalMemory::free(frame);
    }
}

Region* AddressSpace::find_region(u64 address)
{
    for (auto& region : m_regions)
        if (region.contains(address))
            return &region;
    return nullptr;
}

ErrorOr<void> AddressSpace::split_at(u64 address)
{
    for (usize i = 0; i < m_regions.size(); ++i) {
        Region& region = m_regions[i];
        if (address <= region.start || address >= region.end)
            continue;
        Region upper = TRY(region.try_clone());
        upper.start = address;
        u64 delta = address - region.start;
        upper.file_offset = region.file_offset + delta;
        upper.file_bytes = region.file_bytes > delta ? region.file_bytes - delta : 0;
        if (region.kind == RegionKind::AnonymousShared)
            upper.shared_first_page = region.shared_first_page + delta / PAGE_SIZE;
        m_regions[i].end = address;
        TRY(m_regions.try_insert(i + 1, move(upper)));
        return {};
    }
    return {};
}

void AddressSpace::release_range(u64 start, u64 end)
{
    // Callers split at start and end first, so regions are either inside or outside.
    for (usize i = 0; i < m_regions.size();) {
        Region& region = m_regions[i];
        if (region.start >= start && region.end <= end) {
            unmap_region_pages(region, region.start, region.end);
            m_regions.remove(i);
            continue;
        }
        ++i;
    }
}

ErrorOr<void> AddressSpace::insert_region(Region&& region)
{
    usize index = 0;
    while (index < m_regions.size() && m_regions[index].start < region.start)
        ++index;
    return m_regions.try_insert(index, move(region));
}

ErrorOr<void> AddressSpace::add_region(Region&& region)
{
    SpinlockGuard guard(m_lock);
    TRY(split_at(region.start));
    TRY(split_at(region.end));
    release_range(region.start, region.end);
    return insert_region(move(region));
}

ErrorOr<u64> AddressSpace::find_free_range(u64 length, u64 hint) const
{
    auto is_free = [&](u64 start) {
        if (start < user_mmap_bottom || start + length > user_mmap_top || start + length < start)
            return false;
        for (auto const& region : m_regions)
            if (region.start < start + length && start < region.end)
                return false;
        return true;
    };
    if (hint && is_free(align_down(hint, PAGE_SIZE)))
        return align_down(hint, PAGE_SIZE);
    // Top-down: try just below each region (and below the top), highest first.
    u64 candidate = user_mmap_top - length;
    for (usize i = m_regions.size(); ; --i) {
        if (is_free(candidate))
            return candidate;
        if (i == 0)
            break;
        Region const& region = m_regions[i - 1];
        if (region.start >= length && region.start - length < candidate)
            candidate = align_down(region.start - length, PAGE_SIZE);
    }
    for (u64 top = user_mmap_top; top >= user_mmap_bottom + length; top -= PAGE_SIZE * 256) {
        if (is_free(top - length))
            return top - length;
    }
    return Error(ENOMEM);
}

ErrorOr<u64> AddressSpace::map(u64 hint, u64 length, int prot, int flags, RefPtr<OpenFileDescription> file, u64 offset)
{
    if (length == 0 || (offset & (PAGE_SIZE - 1)))
        return Error(EINVAL);
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return Error(EINVAL);
    bool shared = type != MAP_PRIVATE;
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed && (hint & (PAGE_SIZE - 1)))
        return Error(EINVAL);
    u64 aligned_length = align_up(length, PAGE_SIZE);
    if (aligned_length < length || aligned_length >= arch::user_space_end)
        return Error(ENOMEM);
    if (offset + aligned_length < offset)
        return Error(EOVERFLOW);

    Region region;
    region.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    if (flags & MAP_ANONYMOUS) {
        if (shared) {
            region.kind = RegionKind::AnonymousShared;
            region.shared = TRY(SharedMemory::try_create(aligned_length / PAGE_SIZE));
        } else {
            region.kind = RegionKind::AnonymousPrivate;
        }
    } else {
        if (!file)
            return Error(EBADF);
        if (!file->is_readable())
            return Error(EACCES);
        if (file->file().is_directory())
            return Error(ENODEV);
        if (file->file().is_regular()) {
            if (shared && (prot & PROT_WRITE))
                return Error(ENODEV); // shared writable file mappings are not supported
            if (shared && !file->is_writable() && (prot & PROT_WRITE))
                return Error(EACCES);
            region.kind = RegionKind::FilePrivate;
            region.file_bytes = ~0ULL;
        } else {
            if (!shared)
                return Error(EINVAL);
            if ((prot & PROT_WRITE) && !file->is_writable())
                return Error(EACCES);
            // The device validates the whole mapping now (range, permissions, frozen maps...).
            bool writable = (prot & PROT_WRITE) != 0;
            TRY(file->file().mmap_opened(*file, offset, aligned_length, writable));
            auto* mapping = new (std::nothrow) DeviceMapping(file, offset, aligned_length, writable);
            if (!mapping) {
                file->file().mmap_closed(*file, offset, aligned_length, writable);
                return Error(ENOMEM);
            }
            region.device_mapping = RefPtr<DeviceMapping>::adopt(mapping);
            region.kind = RegionKind::Device;
        }
        region.file = file;
        region.file_offset = offset;
        if (auto path = file->absolute_path(); !path.is_error())
            region.name = path.release_value();
    }

    SpinlockGuard guard(m_lock);
    u64 address;
    if (fixed) {
        address = hint;
        if (address + aligned_length > arch::user_space_end || address + aligned_length < address)
            return Error(ENOMEM);
        if (flags & MAP_FIXED_NOREPLACE) {
            for (auto const& existing : m_regions)
                if (existing.start < address + aligned_length && address < existing.end)
                    return Error(EEXIST);
        }
        TRY(split_at(address));
        TRY(split_at(address + aligned_length));
        release_range(address, address + aligned_length);
    } else {
        address = TRY(find_free_range(aligned_length, hint));
    }
    region.start = address;
    region.end = address + aligned_length;
    TRY(insert_region(move(region)));
    return address;
}

ErrorOr<void> AddressSpace::unmap(u64 address, u64 length)
{
    if ((address & (PAGE_SIZE - 1)) || length == 0)
        return Error(EINVAL);
    u64 end = align_up(address + length, PAGE_SIZE);
    if (end < address || end > arch::user_space_end)
        return Error(EINVAL);
    SpinlockGuard guard(m_lock);
    TRY(split_at(address));
    TRY(split_at(end));
    release_range(address, end);
    return {};
}

ErrorOr<void> AddressSpace::protect(u64 address, u64 length, int prot)
{
    if (address & (PAGE_SIZE - 1))
        return Error(EINVAL);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
        return Error(EINVAL);
    u64 end = align_up(address + length, PAGE_SIZE);
    if (end < address)
        return Error(ENOMEM);
    if (length == 0)
        return {};
    SpinlockGuard guard(m_lock);
    // The whole range must be mapped.
    for (u64 cursor = address; cursor < end;) {
        Region* region = find_region(cursor);
        if (!region)
            return Error(ENOMEM);
        cursor = region->end;
    }
    for (auto const& region : m_regions) {
        if (region.kind == RegionKind::Device && region.start < end && address < region.end && (prot & PROT_WRITE)
            && (!region.file->is_writable() || !region.device_mapping->writable()))
            return Error(EACCES);
    }
    TRY(split_at(address));
    TRY(split_at(end));
    for (auto& region : m_regions) {
        if (region.start < address || region.end > end)
            continue;
        region.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
        for (u64 page = region.start; page < region.end; page += PAGE_SIZE) {
            PhysicalAddress frame;
            arch::PageFlags old_flags;
            if (!arch::translate(m_root, page, frame, old_flags))
                continue;
            if (region.prot == 0)
                arch::protect_page(m_root, page, { false, false, false });
            else
                arch::protect_page(m_root, page, flags_for(region.prot));
        }
    }
    return {};
}

ErrorOr<u64> AddressSpace::remap(u64 old_address, u64 old_size, u64 new_size, int flags, u64 new_address)
{
    if (old_address & (PAGE_SIZE - 1))
        return Error(EINVAL);
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
        return Error(EINVAL);
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return Error(EINVAL);
    old_size = align_up(old_size, PAGE_SIZE);
    new_size = align_up(new_size, PAGE_SIZE);
    if (new_size == 0 || old_size == 0)
        return Error(EINVAL);
    if (flags & MREMAP_FIXED)
        return Error(EINVAL); // moving to a caller-chosen address is not supported
    SpinlockGuard guard(m_lock);
    Region* region = find_region(old_address);
    if (!region || old_address + old_size > region->end)
        return Error(EFAULT);
    if (new_size <= old_size) {
        TRY(split_at(old_address + new_size));
        TRY(split_at(old_address + old_size));
        release_range(old_address + new_size, old_address + old_size);
        return old_address;
    }
    bool can_grow_in_place = old_address + old_size == region->end;
    if (can_grow_in_place) {
        u64 grow_end = old_address + new_size;
        if (grow_end > arch::user_space_end)
            can_grow_in_place = false;
        for (auto const& other : m_regions)
            if (&other != region && other.start < grow_end && old_address + old_size < other.end)
                can_grow_in_place = false;
        if (can_grow_in_place && region->kind != RegionKind::Device && region->kind != RegionKind::AnonymousShared) {
            region->end = grow_end;
            return old_address;
        }
    }
    if (!(flags & MREMAP_MAYMOVE))
        return Error(ENOMEM);
    if (region->kind == RegionKind::AnonymousShared || region->kind == RegionKind::Device)
        return Error(EINVAL);
    TRY(split_at(old_address));
    TRY(split_at(old_address + old_size));
    region = find_region(old_address);
    u64 destination = TRY(find_free_range(new_size, 0));
    Region moved = TRY(region->try_clone());
    moved.start = destination;
    moved.end = destination + new_size;
    // Move the present pages' mappings to the new place.
    for (u64 offset = 0; offset < old_size; offset += PAGE_SIZE) {
        PhysicalAddress frame = arch::unmap_page(m_root, old_address + offset);
        if (!frame)
            continue;
        if (auto mapped = arch::map_page(m_root, destination + offset, frame, flags_for(moved.prot)); mapped.is_error()) {
            PhysicalMemory::free(frame);
            --m_resident_pages;
        }
    }
    for (usize i = 0; i < m_regions.size(); ++i) {
        if (m_regions[i].start == old_address) {
            m_regions.remove(i);
            break;
        }
    }
    TRY(insert_region(move(moved)));
    return destination;
}

ErrorOr<u64> AddressSpace::set_break(u64 new_break)
{
    SpinlockGuard guard(m_lock);
    if (new_break < m_break_base)
        return m_break;
    u64 old_end = align_up(m_break, PAGE_SIZE);
    u64 new_end = align_up(new_break, PAGE_SIZE);
    if (new_end > old_end) {
        for (auto const& region : m_regions)
            if (region.start < new_end && old_end < region.end)
                return m_break; // would collide: Linux returns the unchanged break
        Region heap;
        heap.start = old_end;
        heap.end = new_end;
        heap.prot = PROT_READ | PROT_WRITE;
        heap.kind = RegionKind::AnonymousPrivate;
        auto name = String::try_create("[heap]");
        if (name.is_error())
            return m_break;
        heap.name = name.release_value();
        // Extend the previous heap region when adjacent.
        bool merged = false;
        for (auto& region : m_regions) {
            if (region.end == old_end && region.name == StringView("[heap]")) {
                region.end = new_end;
                merged = true;
                break;
            }
        }
        if (!merged && insert_region(move(heap)).is_error())
            return m_break;
    } else if (new_end < old_end) {
        if (split_at(new_end).is_error())
            return m_break;
        release_range(new_end, old_end);
    }
    m_break = new_break;
    return m_break;
}

ErrorOr<void> AddressSpace::discard(u64 address, u64 length)
{
    u64 end = align_up(address + length, PAGE_SIZE);
    if (end < address)
        return Error(EINVAL);
    SpinlockGuard guard(m_lock);
    for (auto const& region : m_regions) {
        if (region.kind != RegionKind::AnonymousPrivate || region.end <= address || region.start >= end)
            continue;
        unmap_region_pages(region, max(region.start, address), min(region.end, end));
    }
    return {};
}

PageFaultResult AddressSpace::handle_fault(u64 address, PageFaultAccess access)
{
    u64 page = align_down(address, PAGE_SIZE);
    Region snapshot;
    {
        SpinlockGuard guard(m_lock);
        Region* region = find_region(address);
        if (!region)
            return PageFaultResult::BadAccess;
        if (access.present)
            return PageFaultResult::BadAccess; // protection violation (no copy-on-write)
        if (access.write && !(region->prot & PROT_WRITE))
            return PageFaultResult::BadAccess;
        if (access.instruction_fetch && !(region->prot & PROT_EXEC))
            return PageFaultResult::BadAccess;
        if (!access.write && !access.instruction_fetch && !(region->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
            return PageFaultResult::BadAccess;
        arch::PageFlags flags = flags_for(region->prot);
        switch (region->kind) {
        case RegionKind::AnonymousPrivate: {
            auto frame = PhysicalMemory::allocate(1, true);
            if (frame.is_error() || arch::map_page(m_root, page, frame.value(), flags).is_error()) {
                if (!frame.is_error())
                    PhysicalMemory::free(frame.value());
                return PageFaultResult::BadAccess;
            }
            ++m_resident_pages;
            return PageFaultResult::Resolved;
        }
        case RegionKind::AnonymousShared: {
            auto frame = region->shared->page(region->shared_first_page + (page - region->start) / PAGE_SIZE);
            if (frame.is_error() || arch::map_page(m_root, page, frame.value(), flags).is_error())
                return PageFaultResult::BadAccess;
            ++m_resident_pages;
            return PageFaultResult::Resolved;
        }
        case RegionKind::FilePrivate:
        case RegionKind::Device: {
            auto copy = region->try_clone();
            if (copy.is_error())
                return PageFaultResult::BadAccess;
            snapshot = copy.release_value();
            break;
        }
        }
    }
    // File-backed: get the page without holding the lock (reads may take other locks).
    arch::PageFlags flags = flags_for(snapshot.prot);
    u64 delta = page - snapshot.start;
    PhysicalAddress frame;
    bool owned = snapshot.kind == RegionKind::FilePrivate;
    if (owned) {
        auto allocated = PhysicalMemory::allocate(1, true);
        if (allocated.is_error())
            return PageFaultResult::BadAccess;
        frame = allocated.value();
        if (snapshot.file_bytes > delta) {
            usize wanted = static_cast<usize>(min<u64>(PAGE_SIZE, snapshot.file_bytes - delta));
            auto read = snapshot.file->read_at(snapshot.file_offset + delta, UserBuffer::kernel(phys_to_virt(frame), wanted), wanted);
            if (read.is_error()) {
                PhysicalMemory::free(frame);
                return PageFaultResult::BadAccess;
            }
        }
    } else {
        auto provided = snapshot.file->file().mmap_page(*snapshot.file, snapshot.file_offset + delta, (snapshot.prot & PROT_WRITE) != 0);
        if (provided.is_error())
            return PageFaultResult::BadAccess;
        frame = provided.value();
    }
    SpinlockGuard guard(m_lock);
    PhysicalAddress existing;
    arch::PageFlags existing_flags;
    Region* region = find_region(address);
    if (!region || arch::translate(m_root, page, existing, existing_flags)) {
        if (owned)
            PhysicalMemory::free(frame);
        return region ? PageFaultResult::Resolved : PageFaultResult::BadAccess;
    }
    if (owned && !(snapshot.prot & PROT_WRITE) && snapshot.file->inode()) {
        // Breakpoints of user probes on this file page (Linux's uprobe_mmap).
        u64 valid = snapshot.file_bytes > delta ? min<u64>(PAGE_SIZE, snapshot.file_bytes - delta) : 0;
        uprobes::arm_new_file_page(*snapshot.file->inode(), snapshot.file_offset + delta, valid, static_cast<u8*>(phys_to_virt(frame)));
    }
    if (arch::map_page(m_root, page, frame, flags).is_error()) {
        if (owned)
            PhysicalMemory::free(frame);
        return PageFaultResult::BadAccess;
    }
    ++m_resident_pages;
    return PageFaultResult::Resolved;
}

ErrorOr<void> AddressSpace::populate(u64 address, u64 length, bool write)
{
    for (u64 page = align_down(address, PAGE_SIZE); page < address + length; page += PAGE_SIZE) {
        PhysicalAddress frame;
        arch::PageFlags flags;
        {
            SpinlockGuard guard(m_lock);
            if (arch::translate(m_root, page, frame, flags))
                continue;
        }
        if (handle_fault(page, { false, write, true, false }) != PageFaultResult::Resolved)
            return Error(EFAULT);
    }
    return {};
}

ErrorOr<void> AddressSpace::write_bytes(u64 address, void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    while (length > 0) {
        u64 page = align_down(address, PAGE_SIZE);
        usize in_page = static_cast<usize>(min<u64>(length, page + PAGE_SIZE - address));
        TRY(populate(page, PAGE_SIZE, true));
        PhysicalAddress frame;
        arch::PageFlags flags;
        {
            SpinlockGuard guard(m_lock);
            if (!arch::translate(m_root, page, frame, flags))
                return Error(EFAULT);
        }
        memcpy(static_cast<u8*>(phys_to_virt(frame)) + (address - page), bytes, in_page);
        address += in_page;
        bytes += in_page;
        length -= in_page;
    }
    return {};
}

ErrorOr<AddressSpace*> AddressSpace::try_clone()
{
    auto* child = TRY(AddressSpace::try_create());
    SpinlockGuard guard(m_lock);
    child->m_break_base = m_break_base;
    child->m_break = m_break;
    for (auto const& region : m_regions) {
        auto copy = region.try_clone();
        if (copy.is_error() || child->m_regions.try_append(copy.release_value()).is_error()) {
            delete child;
            return Error(ENOMEM);
        }
        for (u64 page = region.start; page < region.end; page += PAGE_SIZE) {
            PhysicalAddress frame;
            arch::PageFlags flags;
            if (!arch::translate(m_root, page, frame, flags))
                continue;
            PhysicalAddress child_frame = frame;
            if (owns_pages(region.kind)) {
                auto allocated = PhysicalMemory::allocate(1, false);
                if (allocated.is_error()) {
                    delete child;
                    return Error(ENOMEM);
                }
                child_frame = allocated.value();
                memcpy(phys_to_virt(child_frame), phys_to_virt(frame), PAGE_SIZE);
            }
            if (arch::map_page(child->m_root, page, child_frame, flags).is_error()) {
                if (owns_pages(region.kind))
                    PhysicalMemory::free(child_frame);
                delete child;
                return Error(ENOMEM);
            }
            ++child->m_resident_pages;
        }
    }
    if (m_uprobe_state && uprobes::address_space_forked(*this, *child).is_error()) {
        delete child;
        return Error(ENOMEM);
    }
    return child;
}

void AddressSpace::collect_regions(Vector<RegionInfo>& infos, Vector<String>& names) const
{
    SpinlockGuard guard(m_lock);
    for (auto const& region : m_regions) {
        u64 inode = 0;
        if (region.file) {
            if (auto metadata = region.file->metadata(); !metadata.is_error())
                inode = metadata.value().ino;
        }
        auto name = region.name.try_clone();
        if (name.is_error() || names.try_append(name.release_value()).is_error())
            return;
        (void)infos.try_append(RegionInfo {
            region.start, region.end, (region.prot & PROT_READ) != 0, (region.prot & PROT_WRITE) != 0,
            (region.prot & PROT_EXEC) != 0, region.kind == RegionKind::AnonymousShared || region.kind == RegionKind::Device,
            region.file_offset, names.last().view(), inode });
    }
}

bool AddressSpace::has_region_at(u64 address) const
{
    SpinlockGuard guard(m_lock);
    for (auto const& region : m_regions)
        if (region.contains(address))
            return true;
    return false;
}

u64 AddressSpace::virtual_size() const
{
    SpinlockGuard guard(m_lock);
    u64 total = 0;
    for (auto const& region : m_regions)
        total += region.end - region.start;
    return total;
}

void AddressSpace::for_each_live(void (*visit)(AddressSpace&, void* context), void* context)
{
    SpinlockGuard guard(s_live_lock);
    for (AddressSpace* space = s_live_first; space; space = space->m_live_next)
        visit(*space, context);
}

bool AddressSpace::file_mapping_at(u64 address, FileMapping& out) const
{
    SpinlockGuard guard(m_lock);
    for (auto const& region : m_regions) {
        if (!region.contains(address))
            continue;
        if (region.kind != RegionKind::FilePrivate || !region.file || !region.file->inode())
            return false;
        out = { region.file->inode(), region.start, region.end, region.file_offset, region.file_bytes, region.prot };
        return true;
    }
    return false;
}

ErrorOr<void> AddressSpace::file_mappings_of(Inode const& inode, Vector<FileMapping>& out) const
{
    SpinlockGuard guard(m_lock);
    for (auto const& region : m_regions) {
        if (region.kind != RegionKind::FilePrivate || !region.file || region.file->inode() != &inode)
            continue;
        TRY(out.try_append({ region.file->inode(), region.start, region.end, region.file_offset, region.file_bytes, region.prot }));
    }
    return {};
}

bool AddressSpace::replace_byte_if_present(u64 address, u8 expected, u8 value)
{
    SpinlockGuard guard(m_lock);
    Region const* region = nullptr;
    for (auto const& candidate : m_regions)
        if (candidate.contains(address))
            region = &candidate;
    if (!region || !owns_pages(region->kind))
        return false;
    PhysicalAddress frame;
    arch::PageFlags flags;
    if (!arch::translate(m_root, align_down(address, PAGE_SIZE), frame, flags))
        return false;
    auto* byte = static_cast<u8 volatile*>(phys_to_virt(frame)) + (address & (PAGE_SIZE - 1));
    if (*byte != expected)
        return false;
    *byte = value;
    return true;
}

ErrorOr<void> AddressSpace::write_private(u64 address, void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    while (length > 0) {
        u64 page = align_down(address, PAGE_SIZE);
        usize in_page = static_cast<usize>(min<u64>(length, page + PAGE_SIZE - address));
        TRY(populate(page, PAGE_SIZE, false));
        SpinlockGuard guard(m_lock);
        Region* region = find_region(address);
        PhysicalAddress frame;
        arch::PageFlags flags;
        if (!region || !owns_pages(region->kind) || !arch::translate(m_root, page, frame, flags))
            return Error(EFAULT);
        memcpy(static_cast<u8*>(phys_to_virt(frame)) + (address - page), bytes, in_page);
        address += in_page;
        bytes += in_page;
        length -= in_page;
    }
    return {};
}

ErrorOr<u64> AddressSpace::map_near(u64 near, u64 reach, u64 length, int prot, StringView name)
{
    length = align_up(length, PAGE_SIZE);
    u64 low = near > reach ? near - reach : 0;
    low = max(align_up(low, PAGE_SIZE), user_mmap_bottom);
    u64 high = near + reach < near ? ~0ULL : near + reach;
    high = min(align_down(high, PAGE_SIZE), user_mmap_top);
    Region region;
    region.prot = prot;
    region.kind = RegionKind::AnonymousPrivate;
    region.name = TRY(String::try_create(name));
    SpinlockGuard guard(m_lock);
    // Highest first: below each region that overlaps the candidate.
    u64 candidate = high >= length ? high - length : 0;
    while (candidate >= low && candidate + length <= high) {
        Region const* overlap = nullptr;
        for (auto const& existing : m_regions)
            if (existing.start < candidate + length && candidate < existing.end)
                overlap = &existing;
        if (!overlap) {
            region.start = candidate;
            region.end = candidate + length;
            TRY(insert_region(move(region)));
            return candidate;
        }
        if (overlap->start < length)
            break;
        candidate = overlap->start - length;
    }
    return Error(ENOMEM);
}
