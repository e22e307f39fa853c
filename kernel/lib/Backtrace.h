// Frame-pointer backtraces, symbolized with the kernel's own symbol table (lib/Symbols.h).
#pragma once

#include "klib/Types.h"

void print_backtrace(u64 rbp, u64 rip);
void print_current_backtrace();
