// Page table interface (implemented per architecture). The kernel half of every address
// space is shared: its top-level entries are created once at boot and copied into each new
// user page table. Leaf frames of the user half belong to the memory manager (mm/), which
// unmaps them before a table is destroyed; intermediate tables belong to this layer.
#pragma once

#include "klib/Error.h"
#include "mm/PhysicalMemory.h"

namespace arch {

constexpr u64 user_space_end = 0x0000800000000000ULL;      // first non-user address
constexpr u64 direct_map_base = 0xffff800000000000ULL;     // all RAM is mapped here
constexpr u64 vmalloc_base = 0xffffc00000000000ULL;        // kernel virtual mappings
constexpr u64 vmalloc_size = 0x0000008000000000ULL;        // 512 GiB
constexpr u64 kernel_image_base = 0xffffffff80000000ULL;

struct PageFlags {
    bool writable { false };
    bool user { false };
    bool executable { false };
    bool uncached { false }; // device memory (MMIO)
};

void paging_initialize(u64 highest_physical_address);
PhysicalAddress kernel_page_table();

ErrorOr<PhysicalAddress> create_user_page_table();
void destroy_user_page_table(PhysicalAddress root);
void activate_page_table(PhysicalAddress root);
PhysicalAddress active_page_table();

ErrorOr<void> map_page(PhysicalAddress root, u64 virtual_address, PhysicalAddress frame, PageFlags flags);
// Removes the mapping; returns the frame that was mapped there (0 if none).
PhysicalAddress unmap_page(PhysicalAddress root, u64 virtual_address);
// The frame mapped at an address and its flags; false if nothing is mapped.
bool translate(PhysicalAddress root, u64 virtual_address, PhysicalAddress& frame, PageFlags& flags);
// Changes the flags of an existing mapping (no-op if unmapped).
void protect_page(PhysicalAddress root, u64 virtual_address, PageFlags flags);
void flush_tlb_page(u64 virtual_address);

}
