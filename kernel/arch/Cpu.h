// The architecture interface used by the rest of the kernel. Each architecture directory
// (kernel/arch/x86_64, a future kernel/arch/riscv64) implements exactly these functions;
// nothing outside kernel/arch includes architecture headers.
#pragma once

#include "klib/Types.h"

extern "C" u64 arch_irq_save();
extern "C" void arch_irq_restore(u64 state);
extern "C" void arch_cpu_relax();

namespace arch {

void enable_interrupts();
void disable_interrupts();
bool interrupts_enabled();
[[noreturn]] void halt_forever();
void wait_for_interrupt();
// Exits the machine (QEMU isa-debug-exit); the emulator's exit status is (code << 1) | 1.
[[noreturn]] void power_off(int code);

u32 cpu_count();
u32 current_cpu_id();
char const* cpu_model_name();
char const* cpu_vendor();
u64 cpu_khz();
char const* machine_name(); // uname -m: "x86_64"
// The polled early console (serial on x86_64): usable from any context, before interrupts.
void console_write_byte(u8 byte);

}
