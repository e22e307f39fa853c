// Kernel implementation of the ramfs page allocator: single physical frames reached through
// the direct map.
#include "fs/RamPages.h"
#include "klib/Atomic.h"
#include "mm/PhysicalMemory.h"

namespace {
Atomic<u64> pages_in_use { 0 };
}

u8* ram_page_allocate()
{
    auto frame = PhysicalMemory::allocate(1, true);
    if (frame.is_error())
        return nullptr;
    pages_in_use.fetch_add(1, MemoryOrder::Relaxed);
    return static_cast<u8*>(phys_to_virt(frame.value()));
}

void ram_page_free(u8* page)
{
    if (!page)
        return;
    pages_in_use.fetch_sub(1, MemoryOrder::Relaxed);
    PhysicalMemory::free(virt_to_phys(page), 1);
}

u64 ram_pages_in_use() { return pages_in_use.load(MemoryOrder::Relaxed); }
