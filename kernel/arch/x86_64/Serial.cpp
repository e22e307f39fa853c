// 16550 UART on COM1 (0x3F8): the kernel console. Output is polled (works before
// interrupts and inside exception handlers); input raises IRQ 4 and is handed to the tty.
#include "arch/Cpu.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Serial.h"
#include "console/Console.h"

namespace {
constexpr u16 COM1 = 0x3F8;
}

void serial_initialize()
{
    x86::outb(COM1 + 1, 0x00); // no interrupts while configuring
    x86::outb(COM1 + 3, 0x80); // DLAB
    x86::outb(COM1 + 0, 0x01); // divisor 1: 115200 baud
    x86::outb(COM1 + 1, 0x00);
    x86::outb(COM1 + 3, 0x03); // 8N1
    x86::outb(COM1 + 2, 0xC7); // FIFO on, cleared, 14-byte threshold
    x86::outb(COM1 + 4, 0x0B); // DTR, RTS, OUT2 (needed for IRQs)
}

void serial_enable_receive_interrupt() { x86::outb(COM1 + 1, 0x01); }

void serial_write_byte(u8 byte)
{
    while (!(x86::inb(COM1 + 5) & 0x20))
        ;
    x86::outb(COM1, byte);
}

void serial_handle_interrupt()
{
    while (x86::inb(COM1 + 5) & 0x01)
        tty_receive_byte(x86::inb(COM1));
}

void arch::console_write_byte(u8 byte) { serial_write_byte(byte); }
