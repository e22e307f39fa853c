// The kprobe blacklist rules (see Blacklist.h).
#include "trace/kprobes/Blacklist.h"

namespace kprobes {

namespace {

// Exact C names: entry/exit assembly, the C halves of interrupt and syscall entry, context
// switching, interrupt-flag helpers used by locks on the breakpoint path.
constexpr char const* blacklisted_names[] = {
    "interrupt_common",
    "interrupt_dispatch",
    "return_from_kernel_entry",
    "syscall_entry",
    "syscall_handler",
    "prepare_return_to_user",
    "arch_switch_context",
    "arch_thread_trampoline",
    "arch_enter_user_from_frame",
    "arch_irq_save",
    "arch_irq_restore",
    "arch_cpu_relax",
    "boot_entry32",
    "kernel_main64",
};

// Prefixes of C names: interrupt stubs and the probe machinery's assembly and C entry points.
constexpr char const* blacklisted_prefixes[] = {
    "isr_entry_",
    "kprobe_",
    "kretprobe_",
    "__x86_", // compiler thunks
};

// Fragments of mangled names: namespace kprobes (all of the generic probe code), the x86 probe
// code (x86::kprobe...) and the emulation operands it shares with uprobes (x86::emulation...),
// what a kprobe event's handler shares with uprobe events (trace::DynamicEvent, the record
// filler of trace/ProbeEventRecord.cpp), the exception handler and what it calls before the
// probe state is set or when dying, and this_cpu().
constexpr char const* blacklisted_mangled_fragments[] = {
    "N7kprobes",
    "ZN3x866kprobe",
    "ZN3x869emulation",
    "N5trace12DynamicEvent",
    "17fill_probe_record",
    "16handle_exception",
    "11apply_fixup",
    "14dump_registers",
    "5panic",
    "8this_cpuv",
};

bool contains(StringView haystack, StringView needle)
{
    if (needle.length() > haystack.length())
        return false;
    for (usize i = 0; i + needle.length() <= haystack.length(); ++i)
        if (haystack.substring(i, needle.length()) == needle)
            return true;
    return false;
}

}

bool is_blacklisted_function(StringView name)
{
    for (auto const* exact : blacklisted_names)
        if (name == StringView(exact))
            return true;
    for (auto const* prefix : blacklisted_prefixes)
        if (name.starts_with(prefix))
            return true;
    if (name.starts_with("_Z"))
        for (auto const* fragment : blacklisted_mangled_fragments)
            if (contains(name, fragment))
                return true;
    return false;
}

}
