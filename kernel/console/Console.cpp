// kprintf/panic over the serial console. A spinlock keeps one call's output together.
#include "console/Console.h"
#include "arch/Cpu.h"
#include "lib/Backtrace.h"
#include "klib/Format.h"
#include "klib/Spinlock.h"
#include <stdarg.h>

namespace {

Spinlock console_lock;
bool quiet;

void serial_sink(void*, char const* chars, usize length)
{
    for (usize i = 0; i < length; ++i) {
        if (chars[i] == '\n')
            arch::console_write_byte('\r');
        arch::console_write_byte(static_cast<u8>(chars[i]));
    }
}

}

void console_write(char const* chars, usize length)
{
    SpinlockGuard guard(console_lock);
    serial_sink(nullptr, chars, length);
}

void console_set_quiet(bool value) { quiet = value; }

void kprintf(char const* fmt, ...)
{
    if (quiet)
        return;
    va_list args;
    va_start(args, fmt);
    SpinlockGuard guard(console_lock);
    klib::vformat_to_sink(serial_sink, nullptr, fmt, args);
    va_end(args);
}

void panic(char const* fmt, ...)
{
    arch::disable_interrupts();
    va_list args;
    va_start(args, fmt);
    serial_sink(nullptr, "KERNEL PANIC: ", 14);
    klib::vformat_to_sink(serial_sink, nullptr, fmt, args);
    serial_sink(nullptr, "\n", 1);
    va_end(args);
    print_current_backtrace();
    arch::power_off(0x7f);
}

void klib_panic(char const* file, int line, char const* message)
{
    panic("%s:%d: %s", file, line, message);
}
