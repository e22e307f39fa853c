// Kernel heap (see Heap.cpp). kmalloc returns nullptr on exhaustion.
#pragma once

#include "klib/Types.h"

struct HeapStats {
    u64 slab_pages;
    u64 large_pages;
    u64 bytes_in_use;
};

// Sets up the per-frame slab table; call once after the frame allocator exists.
void heap_initialize(u64 frame_count);
void* kmalloc(usize size);
void kfree(void* pointer);
HeapStats heap_stats();
