// Backing pages for ramfs file data and pipe buffers: whole 4 KiB pages, zero-filled. The
// kernel takes them from the physical frame allocator (so file data shows up as used memory
// and as Cached/Shmem in /proc/meminfo); host tests use the C heap. Thread-safe.
#pragma once

#include "klib/Types.h"

constexpr usize ram_page_size = 4096;

// nullptr when memory is exhausted.
u8* ram_page_allocate();
void ram_page_free(u8*);
// Pages currently allocated through this interface.
u64 ram_pages_in_use();
