// The kernel heap behind operator new/delete: power-of-two size classes from 16 to 2048 bytes
// carved out of whole pages (slabs), and page runs from the frame allocator for anything
// larger. The frame's PageInfo word says which: bit 31 = slab page (bits 0..3 = class),
// bit 30 = first frame of a large run (bits 0..29 = frame count). Only the nothrow forms of
// operator new exist, so every allocation site must handle failure (ENOMEM).
#include "mm/Heap.h"
#include "klib/CString.h"
#include "klib/Spinlock.h"
#include "mm/PhysicalMemory.h"
#include <new>

namespace std {
const nothrow_t nothrow {};
}

namespace {

constexpr usize class_count = 8;
constexpr usize class_sizes[class_count] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };
constexpr u32 SLAB_PAGE = 1U << 31;
constexpr u32 LARGE_RUN = 1U << 30;

struct FreeObject {
    FreeObject* next;
};

Spinlock lock;
FreeObject* free_lists[class_count];
HeapStats stats;

usize class_for(usize size)
{
    for (usize i = 0; i < class_count; ++i)
        if (size <= class_sizes[i])
            return i;
    return class_count;
}

bool refill(usize cls)
{
    auto frame = PhysicalMemory::allocate(1, false);
    if (frame.is_error())
        return false;
    PhysicalMemory::page_info(frame.value()) = SLAB_PAGE | static_cast<u32>(cls);
    auto* base = static_cast<u8*>(phys_to_virt(frame.value()));
    usize size = class_sizes[cls];
    for (usize offset = 0; offset + size <= PAGE_SIZE; offset += size) {
        auto* object = reinterpret_cast<FreeObject*>(base + offset);
        object->next = free_lists[cls];
        free_lists[cls] = object;
    }
    ++stats.slab_pages;
    return true;
}

}

void* kmalloc(usize size)
{
    if (size == 0)
        size = 1;
    usize cls = class_for(size);
    if (cls == class_count) {
        usize pages = align_up(size, PAGE_SIZE) / PAGE_SIZE;
        if (pages >= (1U << 30))
            return nullptr;
        auto frames = PhysicalMemory::allocate(pages, false);
        if (frames.is_error())
            return nullptr;
        PhysicalMemory::page_info(frames.value()) = LARGE_RUN | static_cast<u32>(pages);
        SpinlockGuard guard(lock);
        stats.large_pages += pages;
        stats.bytes_in_use += pages * PAGE_SIZE;
        return phys_to_virt(frames.value());
    }
    SpinlockGuard guard(lock);
    if (!free_lists[cls] && !refill(cls))
        return nullptr;
    FreeObject* object = free_lists[cls];
    free_lists[cls] = object->next;
    stats.bytes_in_use += class_sizes[cls];
    return object;
}

void kfree(void* pointer)
{
    if (!pointer)
        return;
    PhysicalAddress frame = align_down(virt_to_phys(pointer), PAGE_SIZE);
    u32 info = PhysicalMemory::page_info(frame);
    if (info & SLAB_PAGE) {
        usize cls = info & 0xf;
        VERIFY(cls < class_count);
        SpinlockGuard guard(lock);
        auto* object = static_cast<FreeObject*>(pointer);
        object->next = free_lists[cls];
        free_lists[cls] = object;
        stats.bytes_in_use -= class_sizes[cls];
        return;
    }
    VERIFY(info & LARGE_RUN);
    usize pages = info & ~LARGE_RUN;
    {
        SpinlockGuard guard(lock);
        stats.large_pages -= pages;
        stats.bytes_in_use -= pages * PAGE_SIZE;
    }
    PhysicalMemory::free(frame, pages);
}

HeapStats heap_stats()
{
    SpinlockGuard guard(lock);
    return stats;
}

void* operator new(usize size, std::nothrow_t const&) noexcept { return kmalloc(size); }
void* operator new[](usize size, std::nothrow_t const&) noexcept { return kmalloc(size); }
void operator delete(void* pointer) noexcept { kfree(pointer); }
void operator delete(void* pointer, usize) noexcept { kfree(pointer); }
void operator delete[](void* pointer) noexcept { kfree(pointer); }
void operator delete[](void* pointer, usize) noexcept { kfree(pointer); }
