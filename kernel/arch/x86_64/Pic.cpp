// The legacy 8259 PIC pair, remapped to vectors 32..47. IRQ 0 is the PIT timer, IRQ 4 COM1.
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Pic.h"

namespace {
constexpr u16 PIC1_CMD = 0x20, PIC1_DATA = 0x21, PIC2_CMD = 0xA0, PIC2_DATA = 0xA1;
}

void pic_initialize()
{
    x86::outb(PIC1_CMD, 0x11);
    x86::io_wait();
    x86::outb(PIC2_CMD, 0x11);
    x86::io_wait();
    x86::outb(PIC1_DATA, 32);
    x86::outb(PIC2_DATA, 40);
    x86::outb(PIC1_DATA, 4);
    x86::outb(PIC2_DATA, 2);
    x86::outb(PIC1_DATA, 0x01);
    x86::outb(PIC2_DATA, 0x01);
    x86::outb(PIC1_DATA, 0xff); // everything masked until a driver unmasks its line
    x86::outb(PIC2_DATA, 0xff);
}

void pic_unmask(u8 irq)
{
    if (irq < 8) {
        x86::outb(PIC1_DATA, x86::inb(PIC1_DATA) & ~(1 << irq));
    } else {
        x86::outb(PIC2_DATA, x86::inb(PIC2_DATA) & ~(1 << (irq - 8)));
        x86::outb(PIC1_DATA, x86::inb(PIC1_DATA) & ~(1 << 2));
    }
}

void pic_send_eoi(u8 irq)
{
    if (irq >= 8)
        x86::outb(PIC2_CMD, 0x20);
    x86::outb(PIC1_CMD, 0x20);
}

bool pic_is_spurious(u8 irq)
{
    if (irq != 7 && irq != 15)
        return false;
    u16 cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    x86::outb(cmd, 0x0b); // read ISR
    bool in_service = x86::inb(cmd) & 0x80;
    if (!in_service && irq == 15)
        x86::outb(PIC1_CMD, 0x20);
    return !in_service;
}
