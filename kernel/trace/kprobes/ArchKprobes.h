// The architecture half of kprobes (implemented in kernel/arch/x86_64/Kprobes.cpp): preparing a
// probed instruction (boundary check, out-of-line copy, emulation), arming and disarming the
// breakpoint, and the return trampoline. The generic half (Kprobes.cpp) owns registration and
// the handler lists and is called back from the breakpoint path.
#pragma once

#include "arch/Registers.h"
#include "klib/Error.h"
#include "klib/Types.h"

class Thread;

namespace kprobes {

struct Kprobe;

// What the architecture keeps per probed address.
struct ArchProbe {
    u64 slot { 0 };          // out-of-line copy followed by a breakpoint; 0 when emulated
    u8 length { 0 };         // the probed instruction's length
    u8 original_byte { 0 };  // the byte the breakpoint replaced
    u8 emulation { 0 };      // arch-specific kind, 0: execute in the slot
    u8 condition { 0 };
    u8 reg { 0 };            // register operand (0-15: rax, rcx, ... r15)
    u8 source { 0 };         // second register operand (register moves)
    i32 relative { 0 };      // branch displacement / ret immediate / add or sub immediate
};

// One probed address with its probes.
struct ProbePoint {
    u64 address { 0 };
    ArchProbe arch;
    Kprobe* probes { nullptr };
};

// Decodes and copies the instruction at `address`. `original_bytes(address, buffer, length)`
// must give the text as it was before any breakpoint. EILSEQ off an instruction boundary,
// EOPNOTSUPP for instructions that cannot be probed, ENOMEM without a free slot.
ErrorOr<void> arch_prepare_probe(ProbePoint&);
void arch_release_probe(ProbePoint&);
void arch_arm_probe(ProbePoint&);
void arch_disarm_probe(ProbePoint&);
// The text of [address, address + length) with breakpoints replaced by the original bytes.
void arch_read_original_text(u64 address, u8* buffer, usize length);
// The return trampoline's address (kretprobes).
u64 arch_kretprobe_trampoline();
// True while this CPU is inside the breakpoint path (for synchronization on removal).
bool arch_cpu_in_probe_handler(u32 cpu);
// The current thread, read without calling probe-able code.
Thread const* arch_current_task();
// Marks this CPU as running probe handlers outside a breakpoint (the return trampoline), so
// probes hit meanwhile count as missed. False if a probe is already running here.
bool arch_enter_probe_context();
void arch_leave_probe_context();

// Waits until no other CPU is inside the breakpoint path or the return trampoline.
void synchronize_probe_handlers();

// Called by the architecture's breakpoint path.
ProbePoint* find_probe_point(u64 address);
// Runs the pre-handlers of the point's probes (the CPU's probe state is already set).
void run_pre_handlers(ProbePoint&, Registers&);
// The return trampoline: finds the current task's instance for the frame that returned,
// runs the handler with regs (ip = the real return address, sp after the return) and gives
// back the real return address.
u64 kretprobe_trampoline_handler(Registers&);

}
