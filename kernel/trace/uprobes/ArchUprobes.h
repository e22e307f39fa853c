// The architecture half of uprobes (implemented in kernel/arch/x86_64/Uprobes.cpp): deciding
// how a probed user instruction is executed after the breakpoint, building its out-of-line
// (XOL) copy and emulating the instructions whose effect depends on where they run.
//
// analyze() is pure (no user memory, no kernel state); emulate() reads and writes the
// current process's memory through the checked user copies.
#pragma once

#include "arch/Registers.h"
#include "klib/Error.h"
#include "klib/Types.h"

namespace uprobes {

constexpr usize xol_slot_size = 32;
constexpr u8 breakpoint_instruction = 0xCC;

// How the instruction at a probe runs once the handlers are done.
struct ArchUprobe {
    u8 bytes[16] {};       // the original instruction (from the file)
    u8 length { 0 };
    u8 emulation { 0 };    // arch-specific kind; 0: executed in an XOL slot
    u8 condition { 0 };
    u8 reg { 0 };
    i32 relative { 0 };    // branch displacement
    bool rip_relative { false };
    u8 displacement_offset { 0 };
};

// Decodes the instruction (`available` bytes of file data at the probe). Linux's errors:
// ENOEXEC if it does not decode, ENOTSUPP (524) for instructions uprobes refuse (int3, int n,
// iret, far transfers, the lock and segment-override prefixes).
ErrorOr<void> arch_analyze(u8 const* bytes, usize available, ArchUprobe&);
// The XOL slot for the probe at `vaddr` placed at `slot`: the instruction (a RIP-relative
// displacement adjusted to reach the same target from the slot) followed by int3, the rest
// int3. EOPNOTSUPP if the target is out of the displacement's reach from the slot.
ErrorOr<void> arch_build_slot(ArchUprobe const&, u64 vaddr, u64 slot, u8 (&out)[xol_slot_size]);
bool arch_needs_slot(ArchUprobe const&);
// Emulates the instruction at `vaddr` on the user registers (memory through user copies).
// EFAULT if a user access failed (the caller raises SIGSEGV, as Linux does).
ErrorOr<void> arch_emulate(ArchUprobe const&, u64 vaddr, Registers&);

}
