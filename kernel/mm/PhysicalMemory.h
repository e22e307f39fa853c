// Physical page frames: a bitmap allocator over the usable RAM reported by the boot loader,
// plus one PageInfo word per frame (used by the heap to remember what a frame holds). All
// physical memory is also mapped at a fixed kernel virtual offset (the direct map), so a
// frame is reachable as phys_to_virt(address). Thread- and interrupt-safe (one spinlock).
#pragma once

#include "klib/Error.h"

constexpr u64 PAGE_SIZE = 4096;
constexpr u64 PAGE_SHIFT = 12;

using PhysicalAddress = u64;

namespace PhysicalMemory {

// Contiguous frames; ENOMEM when no run of `count` free frames exists. Zero-filled when asked.
ErrorOr<PhysicalAddress> allocate(usize count = 1, bool zero = true);
void free(PhysicalAddress, usize count = 1);

u64 total_frames();
// Frames covered by the allocator (the highest usable address / PAGE_SIZE).
u64 frame_count();
u64 free_frames();
// Frames handed out at boot that never come back (kernel image, boot structures, page info).
u64 reserved_frames();

// Per-frame word for the owner's bookkeeping.
u32& page_info(PhysicalAddress);

}

void* phys_to_virt(PhysicalAddress);
PhysicalAddress virt_to_phys(void const*);
