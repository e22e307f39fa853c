// x86-64 half of uprobes, emulation (see trace/uprobes/ArchUprobes.h): relative call/jmp/jcc,
// loop/jrcxz and indirect call/jmp (register or memory operand, RIP-relative included) are
// carried out on the saved user registers; pushes and memory operands go through the checked
// user copies of the current process.
#include "arch/x86_64/EmulationOperands.h"
#include "arch/x86_64/InsnDecoder.h"
#include "arch/x86_64/UprobeInsn.h"
#include "mm/UserBuffer.h"
#include "trace/uprobes/ArchUprobes.h"

using namespace x86::uprobe;
using x86::emulation::condition_holds;
using x86::emulation::loop_taken;
using x86::emulation::saved_register;

namespace uprobes {

namespace {

// The target of `call/jmp *r/m64` with the registers as they are at the instruction.
ErrorOr<u64> indirect_target(ArchUprobe const& arch, u64 next, Registers& regs)
{
    auto insn = TRY(x86::decode_instruction(arch.bytes, arch.length));
    u8 rex_b = insn.rex_b() ? 8 : 0;
    u8 rex_x = (insn.rex & 2) ? 8 : 0;
    if (insn.modrm_mod() == 3)
        return saved_register(regs, static_cast<u8>(insn.modrm_rm() + rex_b));
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
                address += saved_register(regs, index) << scale;
            if (!((insn.sib & 7) == 5 && insn.modrm_mod() == 0))
                address += saved_register(regs, base);
        } else {
            address += saved_register(regs, static_cast<u8>(insn.modrm_rm() + rex_b));
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
        bool taken = loop_taken(arch.condition, arch.reg != 0, regs);
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
