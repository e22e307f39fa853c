// IDT setup and interrupt dispatch: exceptions go to the trap handlers (arch/Traps.h),
// legacy PIC IRQs 0..15 (vectors 32..47) to their drivers. Runs with interrupts masked.
#include "arch/Registers.h"
#include "arch/Traps.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Pic.h"
#include "arch/x86_64/Serial.h"
#include "sched/PerCpu.h"

extern "C" {
#define DECLARE_STUB(n) void isr_stub_##n();
DECLARE_STUB(0) DECLARE_STUB(1) DECLARE_STUB(2) DECLARE_STUB(3) DECLARE_STUB(4) DECLARE_STUB(5)
DECLARE_STUB(6) DECLARE_STUB(7) DECLARE_STUB(8) DECLARE_STUB(9) DECLARE_STUB(10) DECLARE_STUB(11)
DECLARE_STUB(12) DECLARE_STUB(13) DECLARE_STUB(14) DECLARE_STUB(15) DECLARE_STUB(16) DECLARE_STUB(17)
DECLARE_STUB(18) DECLARE_STUB(19) DECLARE_STUB(20) DECLARE_STUB(21) DECLARE_STUB(22) DECLARE_STUB(23)
DECLARE_STUB(24) DECLARE_STUB(25) DECLARE_STUB(26) DECLARE_STUB(27) DECLARE_STUB(28) DECLARE_STUB(29)
DECLARE_STUB(30) DECLARE_STUB(31) DECLARE_STUB(32) DECLARE_STUB(33) DECLARE_STUB(34) DECLARE_STUB(35)
DECLARE_STUB(36) DECLARE_STUB(37) DECLARE_STUB(38) DECLARE_STUB(39) DECLARE_STUB(40) DECLARE_STUB(41)
DECLARE_STUB(42) DECLARE_STUB(43) DECLARE_STUB(44) DECLARE_STUB(45) DECLARE_STUB(46) DECLARE_STUB(47)
DECLARE_STUB(255)
#undef DECLARE_STUB
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
        isr_stub_0, isr_stub_1, isr_stub_2, isr_stub_3, isr_stub_4, isr_stub_5, isr_stub_6, isr_stub_7,
        isr_stub_8, isr_stub_9, isr_stub_10, isr_stub_11, isr_stub_12, isr_stub_13, isr_stub_14, isr_stub_15,
        isr_stub_16, isr_stub_17, isr_stub_18, isr_stub_19, isr_stub_20, isr_stub_21, isr_stub_22, isr_stub_23,
        isr_stub_24, isr_stub_25, isr_stub_26, isr_stub_27, isr_stub_28, isr_stub_29, isr_stub_30, isr_stub_31,
        isr_stub_32, isr_stub_33, isr_stub_34, isr_stub_35, isr_stub_36, isr_stub_37, isr_stub_38, isr_stub_39,
        isr_stub_40, isr_stub_41, isr_stub_42, isr_stub_43, isr_stub_44, isr_stub_45, isr_stub_46, isr_stub_47,
    };
    for (u8 v = 0; v < 48; ++v)
        set_gate(v, stubs[v], v == 8 ? 1 : 0, v == 3 ? 3 : 0);
    set_gate(255, isr_stub_255);
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
        if (irq_handlers[irq])
            irq_handlers[irq](*regs);
        --cpu.irq_nesting;
        if (irq == 0)
            handle_timer_tick_exit(*regs);
        return;
    }
}
