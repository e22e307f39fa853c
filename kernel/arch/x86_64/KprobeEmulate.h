// Which probed instructions kprobes emulate on the saved registers instead of running them
// out of line, and the emulation itself (used by Kprobes.cpp on the breakpoint path).
// Pure code: no kernel state, memory is reached only through regs.rsp (pushes, pops), so the
// host tests run it against the real CPU. Invariant: emulate() gives the registers (and the
// stack words at and above the new rsp) the instruction itself would have produced.
#pragma once

#include "arch/Registers.h"
#include "arch/x86_64/InsnDecoder.h"
#include "klib/Error.h"
#include "trace/kprobes/ArchKprobes.h"

namespace x86::kprobe {

constexpr u64 flag_tf = 1 << 8;
constexpr u64 flag_if = 1 << 9;

enum Emulation : u8 {
    ExecuteInSlot = 0,
    Ret,
    Call,
    Jump,
    ConditionalJump,
    Loop,
    CallIndirect,
    JumpIndirect,
    Cli,
    Sti,
    Pushf,
    Popf,
    // Common function-entry instructions, emulated so an entry probe takes one trap:
    Nop,          // nop, nopw/nopl (0F 1F /0), pause, endbr64/endbr32
    PushRegister, // push %reg (50+r, 41 50+r): reg
    MoveRegister, // mov %src,%dst, 64-bit register forms of 89 and 8B: reg = dst, source = src
    AddImmediate, // add $imm,%reg (REX.W 83 /0, 81 /0), 64-bit: reg, relative = imm
    SubImmediate, // sub $imm,%reg (REX.W 83 /5, 81 /5), 64-bit: reg, relative = imm
};

// Fills arch.emulation (and its operands) for the decoded instruction; EOPNOTSUPP for
// instructions that can neither be emulated nor run out of line. Instructions left as
// ExecuteInSlot are copied out of line.
ErrorOr<void> classify(x86::Instruction const&, kprobes::ArchProbe& arch);

// Applies the instruction's effect to regs; `address` is the probed instruction's address.
void emulate(kprobes::ArchProbe const& arch, u64 address, Registers& regs);

}
