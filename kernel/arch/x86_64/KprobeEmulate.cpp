// Emulation of probed instructions on the saved registers (see KprobeEmulate.h), after
// Linux's arch/x86/kernel/kprobes/core.c (prepare_emulation) for the branches and the
// interrupt-flag instructions; the function-entry forms (push, mov between registers, add/sub
// of an immediate, nops) save the second trap of the out-of-line step on most entry probes.
// Pushes write below the interrupted stack pointer: the #BP entry leaves room there.
#include "arch/x86_64/KprobeEmulate.h"
#include "arch/x86_64/EmulationOperands.h"

namespace x86::kprobe {

using x86::emulation::condition_holds;
using x86::emulation::loop_taken;
using x86::emulation::saved_register;

namespace {

constexpr u64 popf_mask = 0x247FD5; // CF PF AF ZF SF TF IF DF OF IOPL NT AC ID
constexpr u64 arithmetic_flags = 0x8D5; // CF PF AF ZF SF OF

void push(Registers& regs, u64 value)
{
    regs.rsp -= 8;
    *reinterpret_cast<u64*>(regs.rsp) = value;
}

u64 pop(Registers& regs)
{
    u64 value = *reinterpret_cast<u64*>(regs.rsp);
    regs.rsp += 8;
    return value;
}

// The status flags of a 64-bit add or sub: result = a + b or a - b.
u64 arithmetic_flags_of(u64 a, u64 b, u64 result, bool subtract)
{
    u64 flags = 0;
    if (subtract ? a < b : result < a)
        flags |= 1; // CF
    if (!__builtin_parity(static_cast<unsigned>(result & 0xff)))
        flags |= 4; // PF: even number of set bits in the low byte
    if ((a ^ b ^ result) & 0x10)
        flags |= 0x10; // AF
    if (result == 0)
        flags |= 0x40; // ZF
    if (result >> 63)
        flags |= 0x80; // SF
    u64 overflow = subtract ? (a ^ b) & (a ^ result) : ~(a ^ b) & (a ^ result);
    if (overflow >> 63)
        flags |= 0x800; // OF
    return flags;
}

u8 full_register(u8 low3, bool extended) { return static_cast<u8>(low3 + (extended ? 8 : 0)); }

// The function-entry forms; leaves arch.emulation untouched for anything else.
void classify_entry_form(x86::Instruction const& insn, kprobes::ArchProbe& arch)
{
    u8 op = insn.opcode;
    bool rex_r = insn.rex & 4;
    if (insn.map == x86::OpcodeMap::OneByte) {
        if (op >= 0x50 && op <= 0x57 && insn.prefix_count == 0) {
            arch.emulation = PushRegister;
            arch.reg = full_register(op & 7, insn.rex_b());
        } else if (op == 0x90 && !insn.rex_b() && !insn.lock_prefix) {
            arch.emulation = Nop; // nop, xchg %rax,%rax, 66 90, pause (F3 90)
        } else if ((op == 0x89 || op == 0x8B) && insn.rex_w() && insn.modrm_mod() == 3 && insn.prefix_count == 0) {
            u8 rm = full_register(insn.modrm_rm(), insn.rex_b());
            u8 reg = full_register(insn.modrm_reg(), rex_r);
            arch.emulation = MoveRegister;
            arch.reg = op == 0x89 ? rm : reg;
            arch.source = op == 0x89 ? reg : rm;
        } else if ((op == 0x83 || op == 0x81) && insn.rex_w() && insn.modrm_mod() == 3 && insn.prefix_count == 0
            && (insn.modrm_reg() == 0 || insn.modrm_reg() == 5)) {
            arch.emulation = insn.modrm_reg() == 0 ? AddImmediate : SubImmediate;
            arch.reg = full_register(insn.modrm_rm(), insn.rex_b());
            arch.relative = static_cast<i32>(insn.immediate);
        }
        return;
    }
    if (insn.map == x86::OpcodeMap::Map0F) {
        if (op == 0x1F && insn.has_modrm && insn.modrm_reg() == 0 && !insn.lock_prefix)
            arch.emulation = Nop; // nopw/nopl: the memory operand is never accessed
        else if (op == 0x1E && insn.rep_prefix && !insn.repne_prefix && (insn.modrm == 0xFA || insn.modrm == 0xFB))
            arch.emulation = Nop; // endbr64, endbr32
    }
}

}

ErrorOr<void> classify(x86::Instruction const& insn, kprobes::ArchProbe& arch)
{
    u8 op = insn.opcode;
    if (insn.encoding != x86::Encoding::Legacy)
        return {};
    classify_entry_form(insn, arch);
    if (arch.emulation != ExecuteInSlot)
        return {};
    if (insn.map == x86::OpcodeMap::OneByte) {
        switch (op) {
        case 0xC3:
            arch.emulation = Ret;
            return {};
        case 0xC2:
            arch.emulation = Ret;
            arch.relative = static_cast<i32>(insn.immediate & 0xffff);
            return {};
        case 0xE8:
            arch.emulation = Call;
            arch.relative = static_cast<i32>(insn.immediate);
            return {};
        case 0xE9:
        case 0xEB:
            arch.emulation = Jump;
            arch.relative = static_cast<i32>(insn.immediate);
            return {};
        case 0xE0:
        case 0xE1:
        case 0xE2:
        case 0xE3:
            arch.emulation = Loop;
            arch.condition = op & 3;
            arch.reg = insn.address_size_prefix ? 1 : 0;
            arch.relative = static_cast<i32>(insn.immediate);
            return {};
        case 0xFA:
            arch.emulation = Cli;
            return {};
        case 0xFB:
            arch.emulation = Sti;
            return {};
        case 0x9C:
        case 0x9D:
            if (insn.operand_size_prefix)
                return Error(EOPNOTSUPP);
            arch.emulation = op == 0x9C ? Pushf : Popf;
            return {};
        case 0xCA: case 0xCB: // far return
        case 0xCC: case 0xCD: case 0xCE: case 0xF1: // int3, int n, into, int1
        case 0xCF: // iret
        case 0xF4: // hlt
            return Error(EOPNOTSUPP);
        case 0x8E: // mov to a segment register (SS masks the next instruction's exceptions)
            return Error(EOPNOTSUPP);
        case 0xFF:
            switch (insn.modrm_reg()) {
            case 2:
            case 4:
                if (insn.modrm_mod() != 3 || insn.address_size_prefix || insn.operand_size_prefix)
                    return Error(EOPNOTSUPP); // memory operands are not emulated (as Linux)
                arch.emulation = insn.modrm_reg() == 2 ? CallIndirect : JumpIndirect;
                arch.reg = full_register(insn.modrm_rm(), insn.rex_b());
                return {};
            case 3:
            case 5:
                return Error(EOPNOTSUPP); // far call/jmp
            }
            return {};
        }
        if (op >= 0x70 && op <= 0x7F) {
            arch.emulation = ConditionalJump;
            arch.condition = op & 0xF;
            arch.relative = static_cast<i32>(insn.immediate);
        }
        return {};
    }
    if (insn.map == x86::OpcodeMap::Map0F) {
        if (op >= 0x80 && op <= 0x8F) {
            arch.emulation = ConditionalJump;
            arch.condition = op & 0xF;
            arch.relative = static_cast<i32>(insn.immediate);
            return {};
        }
        switch (op) {
        case 0x01:
            if (insn.modrm_mod() == 3)
                return Error(EOPNOTSUPP); // VMX, swapgs, monitor/mwait, clac/stac...
            return {};
        case 0x05: case 0x07: case 0x34: case 0x35: // syscall, sysret, sysenter, sysexit
        case 0x0B: case 0xB9: case 0xFF: // ud2, ud1, ud0
            return Error(EOPNOTSUPP);
        }
    }
    return {};
}

void emulate(kprobes::ArchProbe const& arch, u64 address, Registers& regs)
{
    u64 next = address + arch.length;
    regs.rip = next;
    switch (arch.emulation) {
    case Ret:
        regs.rip = pop(regs);
        regs.rsp += static_cast<u16>(arch.relative);
        break;
    case Call:
        push(regs, next);
        regs.rip = next + arch.relative;
        break;
    case Jump:
        regs.rip = next + arch.relative;
        break;
    case ConditionalJump:
        if (condition_holds(arch.condition, regs.rflags))
            regs.rip = next + arch.relative;
        break;
    case Loop: {
        // condition: opcode & 3 (loopne, loope, loop, jrcxz); reg: 1 for a 32-bit count (67).
        bool taken = loop_taken(arch.condition, arch.reg != 0, regs);
        if (taken)
            regs.rip = next + arch.relative;
        break;
    }
    case CallIndirect: {
        u64 target = saved_register(regs, arch.reg);
        push(regs, next);
        regs.rip = target;
        break;
    }
    case JumpIndirect:
        regs.rip = saved_register(regs, arch.reg);
        break;
    case Cli:
        regs.rflags &= ~flag_if;
        break;
    case Sti:
        regs.rflags |= flag_if;
        break;
    case Pushf:
        push(regs, regs.rflags & ~(flag_tf | (1ULL << 16)));
        break;
    case Popf:
        regs.rflags = (regs.rflags & ~popf_mask) | (pop(regs) & popf_mask & ~flag_tf);
        break;
    case Nop:
        break;
    case PushRegister:
        push(regs, saved_register(regs, arch.reg)); // push %rsp stores the value before the push
        break;
    case MoveRegister:
        saved_register(regs, arch.reg) = saved_register(regs, arch.source);
        break;
    case AddImmediate:
    case SubImmediate: {
        bool subtract = arch.emulation == SubImmediate;
        u64& target = saved_register(regs, arch.reg);
        u64 a = target;
        u64 b = static_cast<u64>(static_cast<i64>(arch.relative));
        u64 result = subtract ? a - b : a + b;
        target = result;
        regs.rflags = (regs.rflags & ~arithmetic_flags) | arithmetic_flags_of(a, b, result, subtract);
        break;
    }
    default:
        break;
    }
}

}
