// Kernel console: kprintf writes to the serial console (and to the kernel log ring that
// backs `dmesg`-style reads). Safe from any context, including interrupt handlers and
// exception paths; output lines from concurrent writers are not interleaved mid-call.
#pragma once

#include "klib/Types.h"

void kprintf(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
// `quiet` on the command line: kprintf output is dropped (panics still print).
void console_set_quiet(bool);
void console_write(char const* chars, usize length);
[[noreturn]] void panic(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

// Serial input: the arch layer delivers received bytes here (interrupt context); the tty
// driver (fs/dev/Tty) implements it.
void tty_receive_byte(u8 byte);
