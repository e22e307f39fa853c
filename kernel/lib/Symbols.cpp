// Lookup in the kernel symbol table. The table itself comes from the generated ksyms.S of
// the second link pass; the first pass links against the empty weak defaults below.
#include "lib/Symbols.h"
#include "klib/CString.h"

extern "C" {
__attribute__((weak)) extern KernelSymbol const kernel_symbol_table[] = { { 0, '?', "" } };
__attribute__((weak)) extern u64 const kernel_symbol_table_count = 0;
}

usize kernel_symbol_count() { return kernel_symbol_table_count; }
KernelSymbol const& kernel_symbol(usize index) { return kernel_symbol_table[index]; }

KernelSymbol const* symbol_for_address(u64 address)
{
    usize count = kernel_symbol_table_count;
    if (count == 0 || address < kernel_symbol_table[0].address)
        return nullptr;
    usize lo = 0, hi = count; // find the last symbol with address <= target
    while (hi - lo > 1) {
        usize mid = (lo + hi) / 2;
        if (kernel_symbol_table[mid].address <= address)
            lo = mid;
        else
            hi = mid;
    }
    return &kernel_symbol_table[lo];
}

KernelSymbol const* symbol_by_name(StringView name)
{
    for (usize i = 0; i < kernel_symbol_table_count; ++i)
        if (name == StringView(kernel_symbol_table[i].name))
            return &kernel_symbol_table[i];
    return nullptr;
}
