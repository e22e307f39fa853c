// What the boot loader told us, in an architecture-neutral form (filled by the arch entry).
#pragma once

#include "klib/Types.h"

struct MemoryRegion {
    u64 base;
    u64 length;
};

struct BootInfo {
    static constexpr usize max_regions = 32;
    MemoryRegion usable[max_regions];
    usize usable_count { 0 };
    u64 highest_address { 0 };
    char command_line[1024] {};
    // Every boot module is an initramfs (cpio newc), unpacked in order: the build's image,
    // then any overlay (scripts/run -c / --add).
    static constexpr usize max_modules = 8;
    MemoryRegion modules[max_modules];
    usize module_count { 0 };
    u64 kernel_phys_start { 0 };
    u64 kernel_phys_end { 0 };
    u64 boot_structures_end { 0 }; // highest physical byte used by loader data
};

BootInfo& boot_info();
