// The kernel symbol table, built into the image by a second link pass (scripts/gen-ksyms.py
// reads the ELF symbol table of the first pass and emits a table sorted by address). Used
// for backtraces, /proc/kallsyms and probe lookup (name -> address, address -> name+offset).
//
// Names are the link names: C functions under their own names, C++ functions mangled. Only
// unmangled names are probe targets by name (kernel_function_by_name).
#pragma once

#include "klib/Error.h"
#include "klib/StringView.h"

struct KernelSymbol {
    u64 address;
    char type;          // /proc/kallsyms letter: T/t text, D/d data, B/b bss, R/r rodata, W/V weak
    char const* name;
    u64 size;           // st_size, or the distance to the next symbol for assembly labels

    bool is_text() const { return type == 'T' || type == 't' || type == 'W'; }
    bool contains(u64 a) const { return a >= address && a - address < (size ? size : 1); }
};

// The symbol containing `address` (the closest one at or below it), or nullptr.
KernelSymbol const* symbol_for_address(u64 address);
// The first symbol with this exact name, or nullptr.
KernelSymbol const* symbol_by_name(StringView name);
// How many symbols carry this exact name (local functions may repeat across files).
usize symbol_name_count(StringView name);
usize kernel_symbol_count();
KernelSymbol const& kernel_symbol(usize index);

// A mangled C++ name (Itanium ABI, "_Z..."): listed in kallsyms but not a probe target by name.
bool is_mangled_symbol_name(StringView name);

// Function lookup for probes: a text symbol with an unmangled name. ENOENT if there is none,
// EADDRNOTAVAIL if several functions share the name (Linux's rule for probe events).
struct FunctionLocation {
    KernelSymbol const* symbol;
    u64 offset;
};
ErrorOr<KernelSymbol const*> kernel_function_by_name(StringView name);
// The text symbol containing an address, with the offset into it; ENOENT outside kernel text.
ErrorOr<FunctionLocation> kernel_function_at(u64 address);
