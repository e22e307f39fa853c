// Reads the Multiboot 1 information block (memory map, command line, modules) into BootInfo.
// The first module, if any, is the initramfs.
#include "arch/BootInfo.h"
#include "klib/CString.h"
#include "mm/PhysicalMemory.h"

namespace {

struct [[gnu::packed]] MultibootInfo {
    u32 flags;
    u32 mem_lower, mem_upper;
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
};

struct [[gnu::packed]] MultibootModule {
    u32 start, end, string, reserved;
};

struct [[gnu::packed]] MultibootMmapEntry {
    u32 size;
    u64 base;
    u64 length;
    u32 type;
};

BootInfo info;

void note_structure(u64 end)
{
    if (end > info.boot_structures_end)
        info.boot_structures_end = end;
}

}

BootInfo& boot_info() { return info; }

extern "C" char __kernel_start[], __kernel_end[];

void parse_multiboot(u64 info_phys)
{
    auto const* mbi = static_cast<MultibootInfo const*>(phys_to_virt(info_phys));
    note_structure(info_phys + sizeof(MultibootInfo));
    info.kernel_phys_start = reinterpret_cast<u64>(__kernel_start) - 0xffffffff80000000ULL;
    info.kernel_phys_end = reinterpret_cast<u64>(__kernel_end) - 0xffffffff80000000ULL;
    if (mbi->flags & (1 << 2)) {
        auto const* cmdline = static_cast<char const*>(phys_to_virt(mbi->cmdline));
        usize n = strnlen(cmdline, sizeof(info.command_line) - 1);
        memcpy(info.command_line, cmdline, n);
        note_structure(mbi->cmdline + n + 1);
    }
    if ((mbi->flags & (1 << 3)) && mbi->mods_count > 0) {
        auto const* modules = static_cast<MultibootModule const*>(phys_to_virt(mbi->mods_addr));
        for (u32 i = 0; i < mbi->mods_count; ++i) {
            if (info.module_count < BootInfo::max_modules)
                info.modules[info.module_count++] = { modules[i].start, modules[i].end - modules[i].start };
            note_structure(modules[i].end);
        }
        note_structure(mbi->mods_addr + mbi->mods_count * sizeof(MultibootModule));
    }
    if (mbi->flags & (1 << 6)) {
        u64 cursor = mbi->mmap_addr;
        u64 end = cursor + mbi->mmap_length;
        note_structure(end);
        while (cursor < end) {
            auto const* entry = static_cast<MultibootMmapEntry const*>(phys_to_virt(cursor));
            if (entry->type == 1 && info.usable_count < BootInfo::max_regions) {
                info.usable[info.usable_count++] = { entry->base, entry->length };
                if (entry->base + entry->length > info.highest_address)
                    info.highest_address = entry->base + entry->length;
            }
            cursor += entry->size + 4;
        }
    }
}
