// Emulation of probed instructions on the saved registers (see KprobeEmulate.h), after
// Linux's arch/x86/kernel/kprobes/core.c (prepare_emulation) for the branches and the
// interrupt-flag instructions; the function-entry forms (push, mov between registers, add/sub
// of an immediate, nops) save the second trap of the out-of-line step on most entry probes.
// Pushes write below the interrupted stack pointer: the #BP entry leaves room there.
#include "arch/x86_64/KprobeEmulate.h"

namespace x86::kprobe {

namespace {

constexpr u64 popf_mask = 0x247FD5; // CF PF AF ZF SF TF IF DF OF IOPL NT AC ID
constexpr u64 arithmetic_flags = 0x8D5; // CF PF AF ZF SF OF

u64* register_slot(Registers& regs, u8 index)
{
    switch (index) {
    case 0: return &regs.rax;
    case 1: return &regs.rcx;
    case 2: return &regs.rdx;
    case 3: return &regs.rbx;
    case 4: return &regs.rsp;
    case 5: return &regs.rbp;
    case 6: return &regs.rsi;
    case 7: return &regs.rdi;
    case 8: return &regs.r8;
    case 9: return &regs.r9;
    case 10: return &regs.r10;
    case 11: return &regs.r11;
    case 12: return &regs.r12;
    case 13: return &regs.r13;
    case 14: return &regs.r14;
    default: return &regs.r15;
    }
}

bool condition_holds(u8 condition, u64 flags)
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
        u64 mask = arch.reg ? 0xffffffffULL : ~0ULL;
        bool taken;
        if (arch.condition == 3) {
            taken = (regs.rcx & mask) == 0;
        } else {
            u64 count = (regs.rcx - 1) & mask;
            regs.rcx = (regs.rcx & ~mask) | count;
            bool zf = regs.rflags & 0x40;
            taken = count != 0 && (arch.condition == 2 || (arch.condition == 1 ? zf : !zf));
        }
        if (taken)
            regs.rip = next + arch.relative;
        break;
    }
    case CallIndirect: {
        u64 target = *register_slot(regs, arch.reg);
        push(regs, next);
        regs.rip = target;
        break;
    }
    case JumpIndirect:
        regs.rip = *register_slot(regs, arch.reg);
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
        push(regs, *register_slot(regs, arch.reg)); // push %rsp stores the value before the push
        break;
    case MoveRegister:
        *register_slot(regs, arch.reg) = *register_slot(regs, arch.source);
        break;
    case AddImmediate:
    case SubImmediate: {
        bool subtract = arch.emulation == SubImmediate;
        u64* target = register_slot(regs, arch.reg);
        u64 a = *target;
        u64 b = static_cast<u64>(static_cast<i64>(arch.relative));
        u64 result = subtract ? a - b : a + b;
        *target = result;
        regs.rflags = (regs.rflags & ~arithmetic_flags) | arithmetic_flags_of(a, b, result, subtract);
        break;
    }
    default:
        break;
    }
}

}
