// Local APIC in virtual-wire mode: the legacy PIC's output arrives through LINT0 as ExtINT,
// NMIs through LINT1. Some firmware (SeaBIOS) leaves it that way, others (qboot) do not, so
// we program it ourselves. The LAPIC page is mapped uncached in the kernel's vmalloc area.
#include "arch/Paging.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Lapic.h"

namespace {

constexpr u32 MSR_APIC_BASE = 0x1B;
constexpr u64 lapic_virtual = arch::vmalloc_base;
volatile u32* lapic;

void write_register(u32 offset, u32 value) { lapic[offset / 4] = value; }

}

void lapic_initialize_virtual_wire()
{
    u64 base_msr = x86::rdmsr(MSR_APIC_BASE);
    PhysicalAddress base = base_msr & 0xfffff000ULL;
    x86::wrmsr(MSR_APIC_BASE, base_msr | (1 << 11)); // global enable
    MUST(arch::map_page(arch::kernel_page_table(), lapic_virtual, base, { .writable = true, .uncached = true }));
    lapic = reinterpret_cast<volatile u32*>(lapic_virtual);
    write_register(0xF0, 0x100 | 0xFF);  // spurious vector 255, software enable
    write_register(0x350, 0x700);        // LINT0: ExtINT, unmasked
    write_register(0x360, 0x400);        // LINT1: NMI
    write_register(0x80, 0);             // task priority: accept everything
}
