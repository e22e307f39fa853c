// x86_64 implementation of the arch interface (arch/Cpu.h): interrupt flag control, halting,
// CPU identification, and QEMU's isa-debug-exit port for powering off with a status.
#include "arch/Cpu.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Timer.h"
#include "klib/CString.h"

extern "C" u64 arch_irq_save()
{
    u64 flags = x86::read_rflags();
    asm volatile("cli" ::: "memory");
    return flags;
}

extern "C" void arch_irq_restore(u64 state)
{
    if (state & (1 << 9))
        asm volatile("sti" ::: "memory");
}

extern "C" void arch_cpu_relax() { asm volatile("pause"); }

namespace arch {

void enable_interrupts() { asm volatile("sti" ::: "memory"); }
void disable_interrupts() { asm volatile("cli" ::: "memory"); }
bool interrupts_enabled() { return x86::read_rflags() & (1 << 9); }
void wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }

void halt_forever()
{
    for (;;)
        asm volatile("cli; hlt");
}

void power_off(int code)
{
    // isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1.
    x86::outl(0xf4, static_cast<u32>(code));
    // Without the device: ACPI shutdown on QEMU's PIIX4 PM (port 0x604), then halt.
    x86::outw(0x604, 0x2000);
    halt_forever();
}

u32 cpu_count() { return 1; }
u32 current_cpu_id() { return 0; }
char const* machine_name() { return "x86_64"; }
u64 cpu_khz() { return arch_tsc_khz(); }

char const* cpu_model_name()
{
    static char name[49];
    if (!name[0]) {
        u32 regs[12];
        for (u32 i = 0; i < 3; ++i)
            x86::cpuid(0x80000002 + i, 0, regs[i * 4], regs[i * 4 + 1], regs[i * 4 + 2], regs[i * 4 + 3]);
        memcpy(name, regs, 48);
        name[48] = 0;
    }
    return name;
}

char const* cpu_vendor()
{
    static char vendor[13];
    if (!vendor[0]) {
        u32 a, b, c, d;
        x86::cpuid(0, 0, a, b, c, d);
        memcpy(vendor, &b, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
    }
    return vendor;
}

}
