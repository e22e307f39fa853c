// CPU exception handling for x86_64: page faults go to the memory manager; other faults in
// user mode turn into signals for the faulting process (SIGSEGV, SIGILL, SIGFPE, SIGTRAP,
// SIGBUS; user probes' breakpoints go to uprobes first); in kernel mode a fault at an instruction listed in the exception table resumes
// at its fixup (user copies), anything else prints registers and a symbolized backtrace
// and halts.
#include "arch/Traps.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Kprobes.h"
#include "console/Console.h"
#include "lib/Backtrace.h"
#include "mm/PageFault.h"
#include "proc/Signals.h"
#include "proc/Process.h"
#include "trace/uprobes/UprobeHooks.h"

namespace {

char const* const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor overrun", "invalid TSS", "segment not present",
    "stack fault", "general protection", "page fault", "reserved", "x87 FP", "alignment check",
    "machine check", "SIMD FP", "virtualization", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "security", "reserved",
};

struct ExceptionTableEntry {
    u64 instruction;
    u64 fixup;
};

extern "C" ExceptionTableEntry const __ex_table_start[];
extern "C" ExceptionTableEntry const __ex_table_end[];

bool apply_fixup(Registers& regs)
{
    for (auto const* entry = __ex_table_start; entry < __ex_table_end; ++entry) {
        if (entry->instruction == regs.rip) {
            regs.rip = entry->fixup;
            return true;
        }
    }
    return false;
}

struct FaultSignal {
    int sig;
    int code;
    bool address_is_ip;
};

// Linux's choices for user-mode exceptions (arch/x86/kernel/traps.c).
FaultSignal signal_for_exception(u32 vector)
{
    constexpr int SI_KERNEL = 0x80;
    switch (vector) {
    case 0:
        return { 8, 1 /* FPE_INTDIV */, true };
    case 16:
    case 19:
        return { 8, 0, true };
    case 1:
        return { 5, 2 /* TRAP_TRACE */, true };
    case 3:
        return { 5, SI_KERNEL, false };
    case 6:
        return { 4, 2 /* ILL_ILLOPN */, true };
    case 17:
        return { 7, 1 /* BUS_ADRALN */, false };
    default:
        return { 11, SI_KERNEL, false }; // #GP, #SS, #NP...
    }
}

}

void dump_registers(Registers const& regs)
{
    kprintf("  rip=%016lx cs=%04lx rflags=%08lx rsp=%016lx ss=%04lx\n", regs.rip, regs.cs, regs.rflags, regs.rsp, regs.ss);
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", regs.rax, regs.rbx, regs.rcx, regs.rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", regs.rsi, regs.rdi, regs.rbp, regs.r8);
    kprintf("  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", regs.r9, regs.r10, regs.r11, regs.r12);
    kprintf("  r13=%016lx r14=%016lx r15=%016lx cr2=%016lx cr3=%016lx\n", regs.r13, regs.r14, regs.r15, x86::read_cr2(), x86::read_cr3());
}

void handle_exception(u32 vector, Registers& regs)
{
    // Kernel probes: their breakpoints, and faults of instructions they run out of line.
    if (vector == 3 && kprobe_breakpoint_handler(regs))
        return;
    // User probes: their breakpoints, XOL steps and return trampolines.
    if (vector == 3 && regs.from_user() && uprobes::handle_user_breakpoint(regs))
        return;
    if (vector != 3 && !regs.from_user())
        kprobe_fault_handler(regs);
    if (vector == 14) {
        u64 address = x86::read_cr2();
        u64 error = regs.orig_rax;
        PageFaultAccess access {
            .present = (error & 1) != 0,
            .write = (error & 2) != 0,
            .user = (error & 4) != 0,
            .instruction_fetch = (error & 16) != 0,
        };
        if (handle_page_fault(address, access, regs) == PageFaultResult::Resolved)
            return;
        if (regs.from_user()) {
            uprobes::fixup_user_fault(regs);
            bool mapped = access.present || address_is_mapped(address);
            deliver_fault_signal(11, mapped ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */, address, regs);
            return;
        }
        if (apply_fixup(regs))
            return;
        kprintf("\nKERNEL PANIC: page fault at %016lx (%s%s%s) in kernel mode\n", address,
            access.present ? "protection" : "not present", access.write ? ", write" : ", read",
            access.instruction_fetch ? ", fetch" : "");
        dump_registers(regs);
        print_backtrace(regs.rbp, regs.rip);
        panic("unrecoverable page fault");
    }
    if (regs.from_user() && vector != 8 && vector != 18) {
        uprobes::fixup_user_fault(regs);
        auto fault = signal_for_exception(vector);
        deliver_fault_signal(fault.sig, fault.code, fault.address_is_ip ? regs.rip : 0, regs);
        return;
    }
    if (apply_fixup(regs))
        return;
    kprintf("\nKERNEL PANIC: %s (vector %u, error %lx)\n", exception_names[vector], vector, regs.orig_rax);
    dump_registers(regs);
    print_backtrace(regs.rbp, regs.rip);
    panic("unhandled CPU exception");
}
