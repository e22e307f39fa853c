// The kernel heap behind operator new/delete: power-of-two size classes from 16 to 2048 bytes
// carved out of whole pages (slabs), and page runs from the frame allocator for anything
// larger. Each slab page has its own free list and use count in a side table indexed by
// frame number (like Linux's struct page); a class keeps its pages with free objects on a
// list. A slab page whose last object is freed goes straight back to the frame allocator,
// so MemFree returns to its old value once the objects are gone (no hidden caches).
// The frame's PageInfo word says what a frame holds: SLAB_PAGE, or LARGE_RUN | frame count.
// Only the nothrow forms of operator new exist, so every allocation site handles ENOMEM.
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

struct SlabPage {
    FreeObject* free;
    SlabPage* previous;
    SlabPage* next;
    u16 in_use;
    u8 size_class;
    bool listed; // on its class's list of pages with free objects
};

Spinlock lock;
SlabPage* slab_pages;        // one entry per physical frame
SlabPage* partial[class_count];
HeapStats stats;

SlabPage& slab_for(PhysicalAddress frame) { return slab_pages[frame / PAGE_SIZE]; }
PhysicalAddress frame_of(SlabPage const& page) { return static_cast<u64>(&page - slab_pages) * PAGE_SIZE; }
usize objects_per_page(usize cls) { return PAGE_SIZE / class_sizes[cls]; }

void list_add(SlabPage& page)
{
    page.previous = nullptr;
    page.next = partial[page.size_class];
    if (page.next)
        page.next->previous = &page;
    partial[page.size_class] = &page;
    page.listed = true;
}

void list_remove(SlabPage& page)
{
    if (page.previous)
        page.previous->next = page.next;
    else
        partial[page.size_class] = page.next;
    if (page.next)
        page.next->previous = page.previous;
    page.previous = page.next = nullptr;
    page.listed = false;
}

bool add_slab_page(usize cls)
{
    auto frame = PhysicalMemory::allocate(1, false);
    if (frame.is_error())
        return false;
    PhysicalMemory::page_info(frame.value()) = SLAB_PAGE | static_cast<u32>(cls);
    SlabPage& page = slab_for(frame.value());
    page = SlabPage {};
    page.size_class = static_cast<u8>(cls);
    auto* base = static_cast<u8*>(phys_to_virt(frame.value()));
    usize size = class_sizes[cls];
    for (usize offset = PAGE_SIZE; offset >= size; offset -= size) {
        auto* object = reinterpret_cast<FreeObject*>(base + offset - size);
        object->next = page.free;
        page.free = object;
    }
    list_add(page);
    ++stats.slab_pages;
    return true;
}

}

void heap_initialize(u64 frame_count)
{
    usize bytes = align_up(frame_count * sizeof(SlabPage), PAGE_SIZE);
    PhysicalAddress table = MUST(PhysicalMemory::allocate(bytes / PAGE_SIZE, true));
    slab_pages = static_cast<SlabPage*>(phys_to_virt(table));
}

void* kmalloc(usize size)
{
    if (size == 0)
        size = 1;
    usize cls = 0;
    while (cls < class_count && size > class_sizes[cls])
        ++cls;
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
    if (!partial[cls] && !add_slab_page(cls))
        return nullptr;
    SlabPage& page = *partial[cls];
    FreeObject* object = page.free;
    page.free = object->next;
    ++page.in_use;
    if (!page.free)
        list_remove(page);
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
        bool release = false;
        {
            SpinlockGuard guard(lock);
            SlabPage& page = slab_for(frame);
            VERIFY(page.in_use > 0);
            auto* object = static_cast<FreeObject*>(pointer);
            object->next = page.free;
            page.free = object;
            --page.in_use;
            stats.bytes_in_use -= class_sizes[page.size_class];
            if (page.in_use == 0) {
                if (page.listed)
                    list_remove(page);
                page = SlabPage {};
                --stats.slab_pages;
                release = true;
            } else if (!page.listed) {
                list_add(page);
            }
        }
        if (release)
            PhysicalMemory::free(frame);
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
