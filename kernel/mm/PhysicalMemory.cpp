// Bitmap frame allocator (see PhysicalMemory.h). One bit per frame (1 = used) plus a u32
// PageInfo per frame, both carved out of the first usable RAM above the kernel and the boot
// loader's data. Allocation is first-fit from a rotating hint; contiguous runs are found by
// scanning. Everything below 1 MiB stays reserved.
#include "mm/PhysicalMemory.h"
#include "arch/BootInfo.h"
#include "arch/Paging.h"
#include "klib/CString.h"
#include "klib/Spinlock.h"

namespace {

Spinlock lock;
u64* bitmap;
u32* page_infos;
u64 frame_count;
u64 free_count;
u64 usable_count;
u64 reserved_at_boot;
u64 hint;

bool is_used(u64 frame) { return bitmap[frame / 64] & (1ULL << (frame % 64)); }
void set_used(u64 frame) { bitmap[frame / 64] |= 1ULL << (frame % 64); }
void set_free(u64 frame) { bitmap[frame / 64] &= ~(1ULL << (frame % 64)); }

}

void physical_memory_release_boot_modules()
{
    BootInfo& info = boot_info();
    for (usize i = 0; i < info.module_count; ++i) {
        u64 first = align_up(info.modules[i].base, PAGE_SIZE);
        u64 end = align_down(info.modules[i].base + info.modules[i].length, PAGE_SIZE);
        if (end > first) {
            PhysicalMemory::free(first, (end - first) / PAGE_SIZE);
            reserved_at_boot -= (end - first) / PAGE_SIZE;
        }
    }
    info.module_count = 0;
}

void physical_memory_initialize()
{
    BootInfo& info = boot_info();
    frame_count = info.highest_address / PAGE_SIZE;
    u64 bitmap_bytes = align_up((frame_count + 63) / 64 * 8, PAGE_SIZE);
    u64 info_bytes = align_up(frame_count * sizeof(u32), PAGE_SIZE);
    u64 metadata_start = align_up(max(info.kernel_phys_end, info.boot_structures_end), PAGE_SIZE);
    for (usize i = 0; i < info.module_count; ++i)
        metadata_start = max(metadata_start, align_up(info.modules[i].base + info.modules[i].length, PAGE_SIZE));
    u64 metadata_end = metadata_start + bitmap_bytes + info_bytes;

    bitmap = static_cast<u64*>(phys_to_virt(metadata_start));
    page_infos = static_cast<u32*>(phys_to_virt(metadata_start + bitmap_bytes));
    memset(bitmap, 0xff, bitmap_bytes);
    memset(page_infos, 0, info_bytes);

    for (usize r = 0; r < info.usable_count; ++r) {
        u64 start = align_up(info.usable[r].base, PAGE_SIZE) / PAGE_SIZE;
        u64 end = align_down(info.usable[r].base + info.usable[r].length, PAGE_SIZE) / PAGE_SIZE;
        for (u64 frame = start; frame < end && frame < frame_count; ++frame) {
            set_free(frame);
            ++free_count;
            ++usable_count;
        }
    }
    auto reserve = [](u64 start_address, u64 end_address) {
        for (u64 frame = start_address / PAGE_SIZE; frame < align_up(end_address, PAGE_SIZE) / PAGE_SIZE && frame < frame_count; ++frame) {
            if (!is_used(frame)) {
                set_used(frame);
                --free_count;
                ++reserved_at_boot;
            }
        }
    };
    reserve(0, 0x100000);
    reserve(info.kernel_phys_start, info.kernel_phys_end);
    reserve(0x100000, info.boot_structures_end);
    for (usize i = 0; i < info.module_count; ++i)
        reserve(info.modules[i].base, info.modules[i].base + info.modules[i].length);
    reserve(metadata_start, metadata_end);
    hint = 0;
}

namespace PhysicalMemory {

ErrorOr<PhysicalAddress> allocate(usize count, bool zero)
{
    if (count == 0)
        return Error(EINVAL);
    PhysicalAddress result = 0;
    {
        SpinlockGuard guard(lock);
        if (free_count < count)
            return Error(ENOMEM);
        for (u64 pass = 0; pass < 2 && !result; ++pass) {
            u64 start = pass == 0 ? hint : 0;
            u64 limit = pass == 0 ? frame_count : min(hint + count, frame_count);
            u64 run = 0;
            for (u64 frame = start; frame < limit; ++frame) {
                if (count == 1 && (frame % 64) == 0 && bitmap[frame / 64] == ~0ULL) {
                    frame += 63;
                    run = 0;
                    continue;
                }
                if (is_used(frame)) {
                    run = 0;
                    continue;
                }
                if (++run == count) {
                    u64 first = frame + 1 - count;
                    for (u64 f = first; f <= frame; ++f) {
                        set_used(f);
                        page_infos[f] = 0;
                    }
                    free_count -= count;
                    hint = frame + 1;
                    result = first * PAGE_SIZE;
                    break;
                }
            }
        }
        if (!result)
            return Error(ENOMEM);
    }
    if (zero)
        memset(phys_to_virt(result), 0, count * PAGE_SIZE);
    return result;
}

void free(PhysicalAddress address, usize count)
{
    SpinlockGuard guard(lock);
    u64 first = address / PAGE_SIZE;
    for (u64 frame = first; frame < first + count; ++frame) {
        VERIFY(frame < frame_count && is_used(frame));
        set_free(frame);
        page_infos[frame] = 0;
    }
    free_count += count;
    if (first < hint)
        hint = first;
}

u64 total_frames() { return usable_count; }
u64 free_frames() { return free_count; }
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
