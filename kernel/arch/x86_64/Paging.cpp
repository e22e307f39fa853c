// x86_64 4-level page tables. At boot we build the final kernel table: the direct map of all
// RAM with 2 MiB pages at direct_map_base, the kernel image at kernel_image_base, and empty
// lower-level tables for every kernel top-level slot we will ever use (direct map, vmalloc,
// image), so user tables can copy the kernel half once and never go stale.
#include "arch/Paging.h"
#include "arch/x86_64/Asm.h"
#include "klib/CString.h"

namespace arch {

namespace {

constexpr u64 PTE_PRESENT = 1ULL << 0;
constexpr u64 PTE_WRITABLE = 1ULL << 1;
constexpr u64 PTE_USER = 1ULL << 2;
constexpr u64 PTE_WRITE_THROUGH = 1ULL << 3;
constexpr u64 PTE_CACHE_DISABLE = 1ULL << 4;
constexpr u64 PTE_HUGE = 1ULL << 7;
constexpr u64 PTE_GLOBAL = 1ULL << 8;
constexpr u64 PTE_NX = 1ULL << 63;
constexpr u64 PTE_ADDRESS_MASK = 0x000ffffffffff000ULL;

PhysicalAddress kernel_root;

u64* table_at(PhysicalAddress address) { return static_cast<u64*>(phys_to_virt(address)); }

usize index_at(u64 virtual_address, int level) { return (virtual_address >> (12 + 9 * level)) & 0x1ff; }

// Returns the level-0 entry (PTE) for the address, creating intermediate tables if asked.
ErrorOr<u64*> walk(PhysicalAddress root, u64 virtual_address, bool create)
{
    u64* table = table_at(root);
    for (int level = 3; level > 0; --level) {
        u64& entry = table[index_at(virtual_address, level)];
        if (!(entry & PTE_PRESENT)) {
            if (!create)
                return Error(ENOENT);
            auto frame = TRY(PhysicalMemory::allocate(1, true));
            entry = frame | PTE_PRESENT | PTE_WRITABLE | (virtual_address < user_space_end ? PTE_USER : 0);
        }
        if (entry & PTE_HUGE)
            return Error(EINVAL);
        table = table_at(entry & PTE_ADDRESS_MASK);
    }
    return &table[index_at(virtual_address, 0)];
}

u64 leaf_bits(PageFlags flags)
{
    u64 bits = PTE_PRESENT;
    if (flags.writable)
        bits |= PTE_WRITABLE;
    if (flags.user)
        bits |= PTE_USER;
    if (!flags.executable)
        bits |= PTE_NX;
    if (flags.uncached)
        bits |= PTE_WRITE_THROUGH | PTE_CACHE_DISABLE;
    return bits;
}

void free_table_tree(PhysicalAddress table, int level)
{
    if (level > 0) {
        u64* entries = table_at(table);
        for (usize i = 0; i < 512; ++i)
            if ((entries[i] & PTE_PRESENT) && !(entries[i] & PTE_HUGE))
                free_table_tree(entries[i] & PTE_ADDRESS_MASK, level - 1);
    }
    PhysicalMemory::free(table);
}

}

void paging_initialize(u64 highest_physical_address)
{
    kernel_root = MUST(PhysicalMemory::allocate(1, true));
    u64* pml4 = table_at(kernel_root);
    // Pre-create every kernel-half PDPT we use: direct map (up to 512 GiB per slot), vmalloc, image.
    auto ensure_pdpt = [&](usize slot) {
        if (!(pml4[slot] & PTE_PRESENT))
            pml4[slot] = MUST(PhysicalMemory::allocate(1, true)) | PTE_PRESENT | PTE_WRITABLE;
        return table_at(pml4[slot] & PTE_ADDRESS_MASK);
    };
    for (usize slot = 256; slot < 256 + 4; ++slot)
        ensure_pdpt(slot);
    for (usize slot = index_at(vmalloc_base, 3); slot < index_at(vmalloc_base, 3) + 1; ++slot)
        ensure_pdpt(slot);
    ensure_pdpt(511);

    // Direct map with 2 MiB pages.
    u64 end = align_up(highest_physical_address, 1ULL << 21);
    for (u64 phys = 0; phys < end; phys += 1ULL << 21) {
        u64 virt = direct_map_base + phys;
        u64* pdpt = table_at(pml4[index_at(virt, 3)] & PTE_ADDRESS_MASK);
        u64& pdpte = pdpt[index_at(virt, 2)];
        if (!(pdpte & PTE_PRESENT))
            pdpte = MUST(PhysicalMemory::allocate(1, true)) | PTE_PRESENT | PTE_WRITABLE;
        table_at(pdpte & PTE_ADDRESS_MASK)[index_at(virt, 1)] = phys | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_GLOBAL | PTE_NX;
    }
    // Kernel image: the first 1 GiB of physical memory at kernel_image_base (2 MiB pages,
    // executable; simple and enough for the image, its bss and boot structures).
    u64* image_pdpt = table_at(pml4[511] & PTE_ADDRESS_MASK);
    PhysicalAddress image_pd = MUST(PhysicalMemory::allocate(1, true));
    image_pdpt[index_at(kernel_image_base, 2)] = image_pd | PTE_PRESENT | PTE_WRITABLE;
    for (u64 i = 0; i < 512; ++i)
        table_at(image_pd)[i] = (i << 21) | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_GLOBAL;
    x86::write_cr3(kernel_root);
}

PhysicalAddress kernel_page_table() { return kernel_root; }

ErrorOr<PhysicalAddress> create_user_page_table()
{
    PhysicalAddress root = TRY(PhysicalMemory::allocate(1, true));
    memcpy(table_at(root) + 256, table_at(kernel_root) + 256, 256 * sizeof(u64));
    return root;
}

void destroy_user_page_table(PhysicalAddress root)
{
    u64* pml4 = table_at(root);
    for (usize i = 0; i < 256; ++i)
        if (pml4[i] & PTE_PRESENT)
            free_table_tree(pml4[i] & PTE_ADDRESS_MASK, 2);
    PhysicalMemory::free(root);
}

void activate_page_table(PhysicalAddress root)
{
    if (x86::read_cr3() != root)
        x86::write_cr3(root);
}

PhysicalAddress active_page_table() { return x86::read_cr3() & PTE_ADDRESS_MASK; }

ErrorOr<void> map_page(PhysicalAddress root, u64 virtual_address, PhysicalAddress frame, PageFlags flags)
{
    u64* pte = TRY(walk(root, virtual_address, true));
    *pte = frame | leaf_bits(flags);
    flush_tlb_page(virtual_address);
    return {};
}

PhysicalAddress unmap_page(PhysicalAddress root, u64 virtual_address)
{
    auto pte = walk(root, virtual_address, false);
    if (pte.is_error() || !(*pte.value() & PTE_PRESENT))
        return 0;
    PhysicalAddress frame = *pte.value() & PTE_ADDRESS_MASK;
    *pte.value() = 0;
    flush_tlb_page(virtual_address);
    return frame;
}

bool translate(PhysicalAddress root, u64 virtual_address, PhysicalAddress& frame, PageFlags& flags)
{
    auto pte = walk(root, virtual_address, false);
    if (pte.is_error() || !(*pte.value() & PTE_PRESENT))
        return false;
    u64 entry = *pte.value();
    frame = entry & PTE_ADDRESS_MASK;
    flags = { (entry & PTE_WRITABLE) != 0, (entry & PTE_USER) != 0, !(entry & PTE_NX) };
    return true;
}

void protect_page(PhysicalAddress root, u64 virtual_address, PageFlags flags)
{
    auto pte = walk(root, virtual_address, false);
    if (pte.is_error() || !(*pte.value() & PTE_PRESENT))
        return;
    *pte.value() = (*pte.value() & PTE_ADDRESS_MASK) | leaf_bits(flags);
    flush_tlb_page(virtual_address);
}

void flush_tlb_page(u64 virtual_address) { x86::invlpg(virtual_address); }

}
