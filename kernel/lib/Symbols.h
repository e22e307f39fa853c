// The kernel symbol table, built into the image by a second link pass (scripts/gen-ksyms.py
// turns `nm -n` output of the first pass into a sorted table). Used for backtraces and,
// later, /proc/kallsyms and probe lookup by name.
#pragma once

#include "klib/StringView.h"

struct KernelSymbol {
    u64 address;
    char type;          // nm type letter: T/t text, D/d data, B/b bss, R/r rodata
    char const* name;
};

// The symbol containing `address` (the closest one at or below it), or nullptr.
KernelSymbol const* symbol_for_address(u64 address);
KernelSymbol const* symbol_by_name(StringView name);
usize kernel_symbol_count();
KernelSymbol const& kernel_symbol(usize index);
