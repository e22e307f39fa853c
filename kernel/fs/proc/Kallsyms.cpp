// /proc/kallsyms: the kernel symbol table (lib/Symbols.h) in Linux's format, one
// "%016lx %c %s\n" line per symbol, sorted by address. C++ functions appear under their
// mangled link names. Like Linux's kallsyms_show_value(), addresses are printed as zeros
// unless the reader may see kernel pointers: kptr_restrict 0 and perf_event_paranoid <= 1,
// or kptr_restrict <= 1 and an effective uid of 0 (CAP_SYSLOG); never with kptr_restrict 2.
#include "fs/proc/Kallsyms.h"
#include "fs/proc/ProcFS.h"
#include "lib/Symbols.h"
#include "proc/Process.h"

namespace {

bool reader_sees_addresses()
{
    int restrict = sysctl_kptr_restrict();
    if (restrict == 0 && sysctl_perf_event_paranoid() <= 1)
        return true;
    return restrict <= 1 && Process::current().credentials().euid == 0;
}

}

ErrorOr<void> generate_kallsyms(StringBuilder& b)
{
    bool show = reader_sees_addresses();
    for (usize i = 0; i < kernel_symbol_count(); ++i) {
        auto const& symbol = kernel_symbol(i);
        TRY(b.try_appendf("%016lx %c %s\n", show ? symbol.address : 0UL, symbol.type, symbol.name));
    }
    return {};
}
