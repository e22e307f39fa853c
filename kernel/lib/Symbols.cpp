// Lookup in the kernel symbol table. The table itself comes from the generated ksyms.S of
// the second link pass; the first pass links against the empty weak defaults below.
#include "lib/Symbols.h"
#include "klib/CString.h"
#include "klib/Error.h"

extern "C" {
__attribute__((weak)) extern KernelSymbol const kernel_symbol_table[] = { { 0, '?', "", 0 } };
__attribute__((weak)) extern u64 const kernel_symbol_table_count = 0;
}

namespace {
// Read through a volatile access: the compiler must not fold the weak default (0) into the
// code, the second link replaces it.
usize table_count() { return *static_cast<u64 const volatile*>(&kernel_symbol_table_count); }
// The table through an opaque pointer, for the same reason (the weak default has one entry).
KernelSymbol const* table()
{
    KernelSymbol const* pointer = kernel_symbol_table;
    asm("" : "+r"(pointer));
    return pointer;
}
}

usize kernel_symbol_count() { return table_count(); }
KernelSymbol const& kernel_symbol(usize index) { return table()[index]; }

KernelSymbol const* symbol_for_address(u64 address)
{
    usize count = table_count();
    if (count == 0 || address < table()[0].address)
        return nullptr;
    usize lo = 0, hi = count; // find the last symbol with address <= target
    while (hi - lo > 1) {
        usize mid = (lo + hi) / 2;
        if (table()[mid].address <= address)
            lo = mid;
        else
            hi = mid;
    }
    return &table()[lo];
}

KernelSymbol const* symbol_by_name(StringView name)
{
    for (usize i = 0, count = table_count(); i < count; ++i)
        if (name == StringView(table()[i].name))
            return &table()[i];
    return nullptr;
}

usize symbol_name_count(StringView name)
{
    usize count = 0;
    for (usize i = 0, count = table_count(); i < count; ++i)
        if (name == StringView(table()[i].name))
            ++count;
    return count;
}

bool is_mangled_symbol_name(StringView name) { return name.starts_with("_Z"); }

ErrorOr<KernelSymbol const*> kernel_function_by_name(StringView name)
{
    if (name.is_empty() || is_mangled_symbol_name(name))
        return Error(ENOENT);
    KernelSymbol const* found = nullptr;
    for (usize i = 0, count = table_count(); i < count; ++i) {
        auto const& symbol = table()[i];
        if (!symbol.is_text() || name != StringView(symbol.name))
            continue;
        if (found && found->address != symbol.address)
            return Error(EADDRNOTAVAIL);
        found = &symbol;
    }
    if (!found)
        return Error(ENOENT);
    return found;
}

ErrorOr<FunctionLocation> kernel_function_at(u64 address)
{
    // Among symbols at the same address prefer an unmangled text name (aliases).
    KernelSymbol const* symbol = symbol_for_address(address);
    if (!symbol || !symbol->is_text() || !symbol->contains(address))
        return Error(ENOENT);
    for (auto const* s = symbol; s >= table() && s->address == symbol->address; --s)
        if (s->is_text() && !is_mangled_symbol_name(s->name))
            symbol = s;
    return FunctionLocation { symbol, address - symbol->address };
}
