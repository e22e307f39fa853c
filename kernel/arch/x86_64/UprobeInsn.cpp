// x86-64 half of uprobes, pure part (see trace/uprobes/ArchUprobes.h), after Linux's
// arch/x86/kernel/uprobes.c: which user instructions may be probed, which are emulated on the
// saved registers (relative call/jmp/jcc/loop and indirect call/jmp, whose effect depends on
// where they run), and the XOL copy of the others with a RIP-relative displacement adjusted to
// the slot. Unlike Linux (single-step with TF, then fix-ups), the copy is followed by an int3
// that brings the thread back to the kernel, which moves ip to the instruction after the
// probe; instructions that leave the slot (ret, jmp *) never reach it and need no fix-up.
#include "arch/x86_64/InsnDecoder.h"
#include "arch/x86_64/UprobeInsn.h"
#include "klib/CString.h"
#include "trace/uprobes/ArchUprobes.h"

using namespace x86::uprobe;

namespace uprobes {

namespace {

bool has_bad_prefix(u8 const* bytes, x86::Instruction const& insn)
{
    // is_prefix_bad(): ES, CS, SS, DS overrides and LOCK.
    for (u8 i = 0; i < insn.prefix_count; ++i) {
        switch (bytes[i]) {
        case 0x26: case 0x2E: case 0x36: case 0x3E: case 0xF0:
            return true;
        }
    }
    return false;
}

}

ErrorOr<void> arch_analyze(u8 const* bytes, usize available, ArchUprobe& out)
{
    auto decoded = x86::decode_instruction(bytes, min<usize>(available, sizeof out.bytes));
    if (decoded.is_error())
        return Error(ENOEXEC);
    auto const& insn = decoded.value();
    if (has_bad_prefix(bytes, insn))
        return Error(ENOTSUPP);
    ArchUprobe arch;
    memcpy(arch.bytes, bytes, insn.length);
    arch.length = insn.length;
    arch.rip_relative = insn.rip_relative;
    arch.displacement_offset = insn.displacement_offset;
    u8 op = insn.opcode;
    if (insn.encoding == x86::Encoding::Legacy && insn.map == x86::OpcodeMap::OneByte) {
        switch (op) {
        case 0xCC: case 0xCD: case 0xCE: case 0xF1: // int3, int n, into, int1
        case 0xCF: case 0xCA: case 0xCB:            // iret, far ret
        case 0x9A: case 0xEA:                       // far call/jmp (invalid in 64-bit mode)
            return Error(ENOTSUPP);
        case 0xE8:
            arch.emulation = Call;
            arch.relative = static_cast<i32>(insn.immediate);
            break;
        case 0xE9:
        case 0xEB:
            arch.emulation = Jump;
            arch.relative = static_cast<i32>(insn.immediate);
            break;
        case 0xE0: case 0xE1: case 0xE2: case 0xE3:
            arch.emulation = Loop;
            arch.condition = op & 3;
            arch.reg = insn.address_size_prefix ? 1 : 0;
            arch.relative = static_cast<i32>(insn.immediate);
            break;
        case 0xFF:
            switch (insn.modrm_reg()) {
            case 3:
            case 5:
                return Error(ENOTSUPP); // far call/jmp through memory
            case 2:
            case 4: {
                bool segment = false;
                for (u8 i = 0; i < insn.prefix_count; ++i)
                    segment |= bytes[i] == 0x64 || bytes[i] == 0x65;
                // fs/gs-relative or 16-bit operands run in the slot: a call then returns
                // through the slot's int3, which moves ip back to the probed code.
                if (segment || insn.operand_size_prefix)
                    break;
                arch.emulation = insn.modrm_reg() == 2 ? CallIndirect : JumpIndirect;
                break;
            }
            }
            break;
        default:
            if (op >= 0x70 && op <= 0x7F) {
                arch.emulation = ConditionalJump;
                arch.condition = op & 0xF;
                arch.relative = static_cast<i32>(insn.immediate);
            }
            break;
        }
        if ((arch.emulation == Call || arch.emulation == Jump || arch.emulation == ConditionalJump) && insn.operand_size_prefix)
            return Error(ENOTSUPP); // 16-bit branches truncate ip
    } else if (insn.encoding == x86::Encoding::Legacy && insn.map == x86::OpcodeMap::Map0F && op >= 0x80 && op <= 0x8F) {
        if (insn.operand_size_prefix)
            return Error(ENOTSUPP);
        arch.emulation = ConditionalJump;
        arch.condition = op & 0xF;
        arch.relative = static_cast<i32>(insn.immediate);
    }
    out = arch;
    return {};
}

bool arch_needs_slot(ArchUprobe const& arch) { return arch.emulation == ExecuteInSlot; }

ErrorOr<void> arch_build_slot(ArchUprobe const& arch, u64 vaddr, u64 slot, u8 (&out)[xol_slot_size])
{
    memset(out, breakpoint_instruction, sizeof out);
    memcpy(out, arch.bytes, arch.length);
    if (arch.rip_relative) {
        // Same target from the slot: disp' = disp + (vaddr - slot).
        i32 displacement;
        memcpy(&displacement, arch.bytes + arch.displacement_offset, 4);
        i64 adjusted = static_cast<i64>(displacement) + static_cast<i64>(vaddr - slot);
        if (adjusted != static_cast<i32>(adjusted))
            return Error(EOPNOTSUPP);
        i32 narrow = static_cast<i32>(adjusted);
        memcpy(out + arch.displacement_offset, &narrow, 4);
    }
    return {};
}

}
