// Operands shared by the instruction emulation of kprobes (KprobeEmulate.cpp, on the saved
// kernel registers) and uprobes (UprobeEmulate.cpp, on the saved user registers): the saved
// register a ModRM/opcode register number names, whether a jcc condition code holds for a
// flags value, and the loop/jrcxz count step. Always inlined, so the kprobe breakpoint path calls nothing here; the
// namespace is on the kprobe blacklist (x86::emulation) in case a build emits a copy.
#pragma once

#include "arch/Registers.h"
#include "klib/Types.h"

namespace x86::emulation {

// The register numbered `index` (0-15: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15; the
// REX extension bit already added); only the low 4 bits count.
[[gnu::always_inline]] inline u64& saved_register(Registers& regs, u8 index)
{
    switch (index & 15) {
    case 0: return regs.rax;
    case 1: return regs.rcx;
    case 2: return regs.rdx;
    case 3: return regs.rbx;
    case 4: return regs.rsp;
    case 5: return regs.rbp;
    case 6: return regs.rsi;
    case 7: return regs.rdi;
    case 8: return regs.r8;
    case 9: return regs.r9;
    case 10: return regs.r10;
    case 11: return regs.r11;
    case 12: return regs.r12;
    case 13: return regs.r13;
    case 14: return regs.r14;
    default: return regs.r15;
    }
}

// Condition code `condition` (the low nibble of jcc: o, no, b, ae, e, ne, be, a, s, ns, p,
// np, l, ge, le, g) against the flags CF PF ZF SF OF of `flags`.
[[gnu::always_inline]] inline bool condition_holds(u8 condition, u64 flags)
{
    bool cf = flags & 1, pf = flags & 4, zf = flags & 0x40, sf = flags & 0x80, of = flags & 0x800;
    bool result;
    switch (condition >> 1) {
    case 0: result = of; break;
    case 1: result = cf; break;
    case 2: result = zf; break;
    case 3: result = cf || zf; break;
    case 4: result = sf; break;
    case 5: result = pf; break;
    case 6: result = sf != of; break;
    default: result = zf || (sf != of); break;
    }
    return (condition & 1) ? !result : result;
}

// loopne, loope, loop, jrcxz (`kind` = opcode & 3) with a 64-bit count, or a 32-bit one
// (`count32`, the 67 prefix): steps the count in rcx (not for jrcxz) and says whether the
// branch is taken.
[[gnu::always_inline]] inline bool loop_taken(u8 kind, bool count32, Registers& regs)
{
    u64 mask = count32 ? 0xffffffffULL : ~0ULL;
    if (kind == 3)
        return (regs.rcx & mask) == 0;
    u64 count = (regs.rcx - 1) & mask;
    regs.rcx = (regs.rcx & ~mask) | count;
    bool zf = regs.rflags & 0x40;
    return count != 0 && (kind == 2 || (kind == 1 ? zf : !zf));
}

}
