// Programs the syscall MSRs: STAR selects kernel CS/SS on entry and user CS/SS on sysret
// (see the GDT layout in Gdt.cpp), LSTAR is the entry point, SFMASK clears IF, DF, TF and AC
// on entry so the entry code starts with interrupts masked.
#include "arch/x86_64/Asm.h"
#include "arch/Traps.h"
#include "arch/x86_64/Pic.h"
#include "arch/x86_64/Serial.h"

extern "C" void syscall_entry();

namespace {
void serial_irq(Registers&) { serial_handle_interrupt(); }
}

void syscall_initialize()
{
    x86::wrmsr(x86::MSR_STAR, (static_cast<u64>(0x18 | 3) << 48) | (static_cast<u64>(x86::KERNEL_CS) << 32));
    x86::wrmsr(x86::MSR_LSTAR, reinterpret_cast<u64>(syscall_entry));
    x86::wrmsr(x86::MSR_SFMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18));
    register_irq_handler(4, serial_irq);
    pic_unmask(4);
}
