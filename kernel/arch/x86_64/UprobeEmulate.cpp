// x86-64 half of uprobes, emulation (see trace/uprobes/ArchUprobes.h): relative call/jmp/jcc,
// loop/jrcxz and indirect call/jmp (register or memory operand, RIP-relative included) are
// carried out on the saved user registers; pushes and memory operands go through the checked
// user copies of the current process.
#include "arch/x86_64/InsnDecoder.h"
#include "arch/x86_64/UprobeInsn.h"
#include "mm/UserBuffer.h"
#include "trace/uprobes/ArchUprobes.h"

using namespace x86::uprobe;

namespace uprobes {

namespace {

u64& register_slot(Registers& regs, u8 index)
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

// The target of `call/jmp *r/m64` with the registers as they are at the instruction.
ErrorOr<u64> indirect_target(ArchUprobe const& arch, u64 next, Registers& regs)
{
    auto insn = TRY(x86::decode_instruction(arch.bytes, arch.length));
    u8 rex_b = insn.rex_b() ? 8 : 0;
    u8 rex_x = (insn.rex & 2) ? 8 : 0;
    if (insn.modrm_mod() == 3)
        return register_slot(regs, static_cast<u8>(insn.modrm_rm() + rex_b));
    u64 address;
    if (insn.rip_relative) {
        address = next + static_cast<u64>(insn.displacement);
    } else {
        address = static_cast<u64>(insn.displacement);
        if (insn.modrm_rm() == 4) {
            u8 scale = insn.sib >> 6;
            u8 index = static_cast<u8>(((insn.sib >> 3) & 7) + rex_x);
            u8 base = static_cast<u8>((insn.sib & 7) + rex_b);
            if (index != 4)
                address += register_slot(regs, index) << scale;
            if (!((insn.sib & 7) == 5 && insn.modrm_mod() == 0))
                address += register_slot(regs, base);
        } else {
            address += register_slot(regs, static_cast<u8>(insn.modrm_rm() + rex_b));
        }
    }
    if (insn.address_size_prefix)
        address &= 0xffffffffULL;
    u64 target;
    TRY(copy_from_user(&target, address));
    return target;
}

ErrorOr<void> push(Registers& regs, u64 value)
{
    TRY(copy_to_user(regs.rsp - 8, &value));
    regs.rsp -= 8;
    return {};
}

}

ErrorOr<void> arch_emulate(ArchUprobe const& arch, u64 vaddr, Registers& regs)
{
    u64 next = vaddr + arch.length;
    switch (arch.emulation) {
    case Call:
        TRY(push(regs, next));
        regs.rip = next + static_cast<u64>(static_cast<i64>(arch.relative));
        return {};
    case Jump:
        regs.rip = next + static_cast<u64>(static_cast<i64>(arch.relative));
        return {};
    case ConditionalJump:
        regs.rip = condition_holds(arch.condition, regs.rflags) ? next + static_cast<u64>(static_cast<i64>(arch.relative)) : next;
        return {};
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
        regs.rip = taken ? next + static_cast<u64>(static_cast<i64>(arch.relative)) : next;
        return {};
    }
    case CallIndirect: {
        u64 target = TRY(indirect_target(arch, next, regs));
        TRY(push(regs, next));
        regs.rip = target;
        return {};
    }
    case JumpIndirect:
        regs.rip = TRY(indirect_target(arch, next, regs));
        return {};
    default:
        return Error(EINVAL);
    }
}

}
