// The physical frame allocator (see PhysicalMemory.h): a FrameBitmap plus one u32 PageInfo
// per frame, both carved out of the first RAM above the kernel, the boot loader's data and
// the boot modules. Everything below 1 MiB stays reserved. One spinlock guards it all.
#include "mm/PhysicalMemory.h"
#include "arch/BootInfo.h"
#include "arch/Paging.h"
#include "klib/CString.h"
#include "klib/Spinlock.h"
#include "mm/FrameBitmap.h"

namespace {

Spinlock lock;
FrameBitmap bitmap;
u32* page_infos;
u64 usable_count;
u64 reserved_at_boot;

void reserve(u64 start_address, u64 end_address)
{
    u64 first = start_address / PAGE_SIZE;
    u64 end = align_up(end_address, PAGE_SIZE) / PAGE_SIZE;
    if (end > first)
        reserved_at_boot += bitmap.mark_used(first, end - first);
}

}

void physical_memory_initialize()
{
    BootInfo& info = boot_info();
    u64 frame_count = info.highest_address / PAGE_SIZE;
    u64 bitmap_bytes = align_up((frame_count + 63) / 64 * 8, PAGE_SIZE);
    u64 info_bytes = align_up(frame_count * sizeof(u32), PAGE_SIZE);
    u64 metadata_start = align_up(max(info.kernel_phys_end, info.boot_structures_end), PAGE_SIZE);
    for (usize i = 0; i < info.module_count; ++i)
        metadata_start = max(metadata_start, align_up(info.modules[i].base + info.modules[i].length, PAGE_SIZE));

    auto* words = static_cast<u64*>(phys_to_virt(metadata_start));
    page_infos = static_cast<u32*>(phys_to_virt(metadata_start + bitmap_bytes));
    memset(words, 0xff, bitmap_bytes);
    memset(page_infos, 0, info_bytes);
    bitmap = FrameBitmap(words, frame_count);

    for (usize r = 0; r < info.usable_count; ++r) {
        u64 start = align_up(info.usable[r].base, PAGE_SIZE) / PAGE_SIZE;
        u64 end = align_down(info.usable[r].base + info.usable[r].length, PAGE_SIZE) / PAGE_SIZE;
        if (end > start)
            usable_count += bitmap.mark_free(start, end - start);
    }
    reserve(0, 0x100000);
    reserve(info.kernel_phys_start, info.kernel_phys_end);
    reserve(0x100000, info.boot_structures_end);
    for (usize i = 0; i < info.module_count; ++i)
        reserve(info.modules[i].base, info.modules[i].base + info.modules[i].length);
    reserve(metadata_start, metadata_start + bitmap_bytes + info_bytes);
}

void physical_memory_release_boot_modules()
{
    BootInfo& info = boot_info();
    SpinlockGuard guard(lock);
    for (usize i = 0; i < info.module_count; ++i) {
        u64 first = align_up(info.modules[i].base, PAGE_SIZE) / PAGE_SIZE;
        u64 end = align_down(info.modules[i].base + info.modules[i].length, PAGE_SIZE) / PAGE_SIZE;
        if (end > first)
            reserved_at_boot -= bitmap.mark_free(first, end - first);
    }
    info.module_count = 0;
}

namespace PhysicalMemory {

ErrorOr<PhysicalAddress> allocate(usize count, bool zero)
{
    if (count == 0)
        return Error(EINVAL);
    FrameRun run;
    {
        SpinlockGuard guard(lock);
        run = bitmap.allocate(count);
        if (!run.has_value)
            return Error(ENOMEM);
        for (u64 f = run.value; f < run.value + count; ++f)
            page_infos[f] = 0;
    }
    PhysicalAddress result = run.value * PAGE_SIZE;
    if (zero)
        memset(phys_to_virt(result), 0, count * PAGE_SIZE);
    return result;
}

void free(PhysicalAddress address, usize count)
{
    SpinlockGuard guard(lock);
    u64 first = address / PAGE_SIZE;
    for (u64 f = first; f < first + count; ++f)
        page_infos[f] = 0;
    bitmap.release(first, count);
}

u64 total_frames() { return usable_count; }
u64 frame_count() { return bitmap.frame_count(); }
u64 free_frames() { return bitmap.free_count(); }
u64 reserved_frames() { return reserved_at_boot; }

u32& page_info(PhysicalAddress address) { return page_infos[address / PAGE_SIZE]; }

}

void* phys_to_virt(PhysicalAddress address) { return reinterpret_cast<void*>(address + arch::direct_map_base); }

PhysicalAddress virt_to_phys(void const* pointer)
{
    u64 address = reinterpret_cast<u64>(pointer);
    if (address >= arch::kernel_image_base)
        return address - arch::kernel_image_base;
    return address - arch::direct_map_base;
}
