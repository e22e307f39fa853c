// IDT setup and interrupt dispatch: exceptions go to the trap handlers (arch/Traps.h),
// legacy PIC IRQs 0..15 (vectors 32..47) to their drivers. Runs with interrupts masked.
#include "arch/Registers.h"
#include "arch/Traps.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Pic.h"
#include "arch/x86_64/Serial.h"
#include "sched/PerCpu.h"
#include "trace/events/Events.h"

extern "C" {
#define DECLARE_ISR_ENTRY(n) void isr_entry_##n();
DECLARE_ISR_ENTRY(0) DECLARE_ISR_ENTRY(1) DECLARE_ISR_ENTRY(2) DECLARE_ISR_ENTRY(3) DECLARE_ISR_ENTRY(4) DECLARE_ISR_ENTRY(5)
DECLARE_ISR_ENTRY(6) DECLARE_ISR_ENTRY(7) DECLARE_ISR_ENTRY(8) DECLARE_ISR_ENTRY(9) DECLARE_ISR_ENTRY(10) DECLARE_ISR_ENTRY(11)
DECLARE_ISR_ENTRY(12) DECLARE_ISR_ENTRY(13) DECLARE_ISR_ENTRY(14) DECLARE_ISR_ENTRY(15) DECLARE_ISR_ENTRY(16) DECLARE_ISR_ENTRY(17)
DECLARE_ISR_ENTRY(18) DECLARE_ISR_ENTRY(19) DECLARE_ISR_ENTRY(20) DECLARE_ISR_ENTRY(21) DECLARE_ISR_ENTRY(22) DECLARE_ISR_ENTRY(23)
DECLARE_ISR_ENTRY(24) DECLARE_ISR_ENTRY(25) DECLARE_ISR_ENTRY(26) DECLARE_ISR_ENTRY(27) DECLARE_ISR_ENTRY(28) DECLARE_ISR_ENTRY(29)
DECLARE_ISR_ENTRY(30) DECLARE_ISR_ENTRY(31) DECLARE_ISR_ENTRY(32) DECLARE_ISR_ENTRY(33) DECLARE_ISR_ENTRY(34) DECLARE_ISR_ENTRY(35)
DECLARE_ISR_ENTRY(36) DECLARE_ISR_ENTRY(37) DECLARE_ISR_ENTRY(38) DECLARE_ISR_ENTRY(39) DECLARE_ISR_ENTRY(40) DECLARE_ISR_ENTRY(41)
DECLARE_ISR_ENTRY(42) DECLARE_ISR_ENTRY(43) DECLARE_ISR_ENTRY(44) DECLARE_ISR_ENTRY(45) DECLARE_ISR_ENTRY(46) DECLARE_ISR_ENTRY(47)
DECLARE_ISR_ENTRY(255)
#undef DECLARE_ISR_ENTRY
void interrupt_dispatch(u64 vector, Registers* regs);
}

namespace {

struct [[gnu::packed]] IdtEntry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};

struct [[gnu::packed]] IdtPointer {
    u16 limit;
    u64 base;
};

alignas(16) IdtEntry idt[256];

void set_gate(u8 vector, void (*stub)(), u8 ist = 0, u8 dpl = 0)
{
    u64 address = reinterpret_cast<u64>(stub);
    idt[vector] = {
        static_cast<u16>(address & 0xffff),
        x86::KERNEL_CS,
        ist,
        static_cast<u8>(0x8E | (dpl << 5)), // present, interrupt gate
        static_cast<u16>((address >> 16) & 0xffff),
        static_cast<u32>(address >> 32),
        0,
    };
}

IrqHandler irq_handlers[16];

}

void idt_initialize()
{
    void (*stubs[])() = {
        isr_entry_0, isr_entry_1, isr_entry_2, isr_entry_3, isr_entry_4, isr_entry_5, isr_entry_6, isr_entry_7,
        isr_entry_8, isr_entry_9, isr_entry_10, isr_entry_11, isr_entry_12, isr_entry_13, isr_entry_14, isr_entry_15,
        isr_entry_16, isr_entry_17, isr_entry_18, isr_entry_19, isr_entry_20, isr_entry_21, isr_entry_22, isr_entry_23,
        isr_entry_24, isr_entry_25, isr_entry_26, isr_entry_27, isr_entry_28, isr_entry_29, isr_entry_30, isr_entry_31,
        isr_entry_32, isr_entry_33, isr_entry_34, isr_entry_35, isr_entry_36, isr_entry_37, isr_entry_38, isr_entry_39,
        isr_entry_40, isr_entry_41, isr_entry_42, isr_entry_43, isr_entry_44, isr_entry_45, isr_entry_46, isr_entry_47,
    };
    for (u8 v = 0; v < 48; ++v)
        set_gate(v, stubs[v], v == 8 ? 1 : 0, v == 3 ? 3 : 0);
    set_gate(255, isr_entry_255);
    IdtPointer pointer { sizeof(idt) - 1, reinterpret_cast<u64>(idt) };
    asm volatile("lidt %0" : : "m"(pointer));
}

void register_irq_handler(u8 irq, IrqHandler handler) { irq_handlers[irq] = handler; }

void interrupt_dispatch(u64 vector, Registers* regs)
{
    if (vector < 32) {
        handle_exception(static_cast<u32>(vector), *regs);
        return;
    }
    if (vector >= 32 && vector < 48) {
        u8 irq = static_cast<u8>(vector - 32);
        if (pic_is_spurious(irq))
            return;
        PerCpu& cpu = this_cpu();
        ++cpu.irq_nesting;
        pic_send_eoi(irq);
        if (irq_handlers[irq]) {
            // Linux's names in /proc/interrupts for the legacy IRQs this kernel uses.
            char const* name = irq == 0 ? "timer" : irq == 4 ? "ttyS0" : "irq";
            trace::trace_irq_handler_entry(irq, name);
            irq_handlers[irq](*regs);
            trace::trace_irq_handler_exit(irq, name, 1 /* IRQ_HANDLED */);
        }
        --cpu.irq_nesting;
        if (irq == 0)
            handle_timer_tick_exit(*regs);
        return;
    }
}
