// x86-64 half of kprobes (see trace/kprobes/ArchKprobes.h), after Linux's
// arch/x86/kernel/kprobes/core.c:
//  - a probe replaces the first byte of its instruction with int3, written through the direct
//    map (a writable alias of the text's physical page), never through the text mapping;
//  - on the breakpoint the pre-handlers run with regs->ip = address + 1, then the original
//    instruction runs out of line: its copy sits in an executable slot followed by another
//    int3 (RIP-relative displacements adjusted to the slot), executed with interrupts masked;
//    the second int3 brings the CPU back here and ip moves to the instruction after the probe;
//  - instructions whose effect depends on where they run (call, jmp, jcc, loop, ret, indirect
//    call/jmp through a register) or that change the interrupt flag (cli, sti, pushf, popf)
//    are emulated on the saved registers instead; int3, int, iret, far transfers, hlt,
//    syscall/sysret, ud2, VMX/system 0F 01 forms and moves to SS are refused (EOPNOTSUPP);
//  - per-CPU state: Idle, Active (handlers running), SingleStep (in the slot), Reenter (a
//    probe hit inside a handler: stepped over without handlers, counted as missed).
// Emulated pushes write below the interrupted stack pointer: the #BP entry (entry.S) moves
// its frame down when it comes from kernel mode, leaving that room.
#include "arch/x86_64/Kprobes.h"
#include "arch/Paging.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/InsnDecoder.h"
#include "console/Console.h"
#include "klib/CString.h"
#include "lib/Symbols.h"
#include "sched/PerCpu.h"
#include "trace/kprobes/ArchKprobes.h"
#include "trace/kprobes/Kprobes.h"

static_assert(__builtin_offsetof(PerCpu, cpu_id) == 40);
static_assert(__builtin_offsetof(PerCpu, current_thread) == 24);

extern "C" u8 kprobe_insn_slots[];
extern "C" void kretprobe_trampoline();

namespace x86::kprobe {

using kprobes::ProbePoint;

constexpr u64 flag_tf = 1 << 8;
constexpr u64 flag_if = 1 << 9;
constexpr u64 popf_mask = 0x247FD5; // CF PF AF ZF SF TF IF DF OF IOPL NT AC ID
constexpr u8 int3 = 0xCC;
constexpr usize slot_size = 32;
constexpr usize slot_count = 4096 / slot_size;
constexpr u32 max_cpus = 64;

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
};

enum class Status : u8 {
    Idle,
    Active,
    SingleStep,
    Reenter,
};

struct StepState {
    Status status { Status::Idle };
    ProbePoint* point { nullptr };
    u64 saved_if { 0 };
};

struct CpuState {
    StepState current;
    StepState previous; // the interrupted probe while Reenter
    Atomic<u32> busy { 0 };
};

CpuState s_cpus[max_cpus];
u8 s_slot_used[slot_count]; // under the kprobes registry lock

CpuState& this_cpu_state()
{
    u32 id;
    asm volatile("movl %%gs:40, %0" : "=r"(id));
    return s_cpus[id % max_cpus];
}

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

// The kernel image maps physical memory from 0 at kernel_image_base; the direct map is the
// writable alias of the same frames.
u8 volatile* writable_alias(u64 text_address)
{
    return reinterpret_cast<u8 volatile*>(arch::direct_map_base + (text_address - arch::kernel_image_base));
}

void write_text(u64 address, u8 const* bytes, usize length)
{
    u8 volatile* alias = writable_alias(address);
    for (usize i = 0; i < length; ++i)
        alias[i] = bytes[i];
    // Serialize so this CPU fetches the new bytes.
    u32 a = 0, b, c = 0, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
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

// Applies the probed instruction's effect to regs (regs.rip is the probe address + 1).
void emulate(ProbePoint& point, Registers& regs)
{
    auto const& arch = point.arch;
    u64 next = point.address + arch.length;
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
    default:
        break;
    }
}

void finish(CpuState& cpu)
{
    if (cpu.current.status == Status::Reenter) {
        cpu.current = cpu.previous;
        cpu.previous = {};
        return;
    }
    cpu.current = {};
    cpu.busy.store(0, MemoryOrder::Release);
}

// Continues after the handlers: emulate, or enter the slot with interrupts masked.
void start_step(CpuState& cpu, ProbePoint& point, Registers& regs)
{
    if (point.arch.emulation != ExecuteInSlot) {
        emulate(point, regs);
        finish(cpu);
        return;
    }
    cpu.current.saved_if = regs.rflags & flag_if;
    regs.rflags &= ~flag_if;
    regs.rip = point.arch.slot;
}

ErrorOr<void> classify(x86::Instruction const& insn, kprobes::ArchProbe& arch)
{
    u8 op = insn.opcode;
    if (insn.encoding != x86::Encoding::Legacy)
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
                arch.reg = static_cast<u8>(insn.modrm_rm() + (insn.rex_b() ? 8 : 0));
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

}

using namespace x86::kprobe;

namespace kprobes {

void arch_read_original_text(u64 address, u8* buffer, usize length)
{
    for (usize i = 0; i < length; ++i) {
        u8 byte = *reinterpret_cast<u8 const volatile*>(address + i);
        if (byte == int3)
            if (ProbePoint* point = find_probe_point(address + i))
                byte = point->arch.original_byte;
        buffer[i] = byte;
    }
}

ErrorOr<void> arch_prepare_probe(ProbePoint& point)
{
    auto location = kernel_function_at(point.address);
    if (location.is_error())
        return Error(EINVAL);
    // The probe must start an instruction: decode from the function's start.
    u8 bytes[x86::max_instruction_length];
    u64 pc = location.value().symbol->address;
    while (pc < point.address) {
        arch_read_original_text(pc, bytes, sizeof bytes);
        auto insn = x86::decode_instruction(bytes, sizeof bytes);
        if (insn.is_error())
            return Error(EILSEQ);
        pc += insn.value().length;
    }
    if (pc != point.address)
        return Error(EILSEQ);
    arch_read_original_text(point.address, bytes, sizeof bytes);
    auto decoded = x86::decode_instruction(bytes, sizeof bytes);
    if (decoded.is_error())
        return Error(EILSEQ);
    auto const& insn = decoded.value();
    ArchProbe arch;
    arch.length = insn.length;
    arch.original_byte = bytes[0];
    TRY(classify(insn, arch));
    if (arch.emulation == ExecuteInSlot) {
        usize index = 0;
        while (index < slot_count && s_slot_used[index])
            ++index;
        if (index == slot_count)
            return Error(ENOMEM);
        u64 slot = reinterpret_cast<u64>(kprobe_insn_slots) + index * slot_size;
        u8 copy[slot_size];
        memset(copy, int3, sizeof copy);
        memcpy(copy, bytes, insn.length);
        if (insn.rip_relative) {
            // Same target from the slot: disp' = disp + (address - slot).
            i64 displacement = insn.displacement + static_cast<i64>(point.address - slot);
            if (displacement != static_cast<i32>(displacement))
                return Error(EOPNOTSUPP);
            i32 narrow = static_cast<i32>(displacement);
            memcpy(copy + insn.displacement_offset, &narrow, 4);
        }
        s_slot_used[index] = 1;
        write_text(slot, copy, sizeof copy);
        arch.slot = slot;
    }
    point.arch = arch;
    return {};
}

void arch_release_probe(ProbePoint& point)
{
    if (!point.arch.slot)
        return;
    usize index = (point.arch.slot - reinterpret_cast<u64>(kprobe_insn_slots)) / slot_size;
    u8 fill[slot_size];
    memset(fill, int3, sizeof fill);
    write_text(point.arch.slot, fill, sizeof fill);
    s_slot_used[index] = 0;
    point.arch.slot = 0;
}

void arch_arm_probe(ProbePoint& point) { write_text(point.address, &int3, 1); }
void arch_disarm_probe(ProbePoint& point) { write_text(point.address, &point.arch.original_byte, 1); }

u64 arch_kretprobe_trampoline() { return reinterpret_cast<u64>(&kretprobe_trampoline); }

bool arch_cpu_in_probe_handler(u32 cpu) { return s_cpus[cpu % max_cpus].busy.load(MemoryOrder::Acquire) != 0; }

Thread const* arch_current_task()
{
    Thread const* thread;
    asm volatile("movq %%gs:24, %0" : "=r"(thread));
    return thread;
}

bool arch_enter_probe_context()
{
    CpuState& cpu = this_cpu_state();
    if (cpu.current.status != Status::Idle)
        return false;
    cpu.busy.store(1, MemoryOrder::Relaxed);
    cpu.current.status = Status::Active;
    cpu.current.point = nullptr;
    return true;
}

void arch_leave_probe_context() { finish(this_cpu_state()); }

}

extern "C" bool kprobe_breakpoint_handler(Registers& regs)
{
    if (regs.from_user())
        return false;
    u64 address = regs.rip - 1;
    CpuState& cpu = this_cpu_state();
    Status status = cpu.current.status;
    ProbePoint* stepping = cpu.current.point;
    if ((status == Status::SingleStep || status == Status::Reenter) && stepping
        && address == stepping->arch.slot + stepping->arch.length) {
        // The breakpoint after the out-of-line copy: continue after the probed instruction
        // (or wherever the copy went: ip moves by the distance between slot and original).
        regs.rip = address - stepping->arch.slot + stepping->address;
        regs.rflags |= cpu.current.saved_if;
        finish(cpu);
        return true;
    }
    ProbePoint* point = kprobes::find_probe_point(address);
    if (!point) {
        // Removed after this CPU hit it: run the restored instruction.
        if (*reinterpret_cast<u8 const volatile*>(address) != int3) {
            regs.rip = address;
            return true;
        }
        return false;
    }
    if (status != Status::Idle) {
        if (status == Status::Reenter)
            panic("kprobe: probe at %016lx hit while stepping over a nested probe", address);
        for (auto* probe = point->probes; probe; probe = probe->next_at_address)
            probe->missed.fetch_add(1, MemoryOrder::Relaxed);
        cpu.previous = cpu.current;
        cpu.current = { Status::Reenter, point, 0 };
        start_step(cpu, *point, regs);
        return true;
    }
    cpu.busy.store(1, MemoryOrder::Relaxed);
    cpu.current = { Status::Active, point, 0 };
    kprobes::run_pre_handlers(*point, regs);
    cpu.current.status = Status::SingleStep;
    start_step(cpu, *point, regs);
    return true;
}

extern "C" void kprobe_fault_handler(Registers& regs)
{
    CpuState& cpu = this_cpu_state();
    ProbePoint* point = cpu.current.point;
    if ((cpu.current.status != Status::SingleStep && cpu.current.status != Status::Reenter) || !point)
        return;
    if (regs.rip < point->arch.slot || regs.rip >= point->arch.slot + point->arch.length)
        return;
    // The out-of-line copy faulted (a user access, an exception-table fixup): report the fault
    // at the probed instruction itself, as Linux's kprobe_fault_handler does.
    regs.rip = point->address;
    regs.rflags |= cpu.current.saved_if;
    finish(cpu);
}

extern "C" u64 kretprobe_trampoline_entry(Registers* regs)
{
    regs->cs = x86::KERNEL_CS;
    regs->ss = x86::KERNEL_DS;
    // The frame sits below the slot for the real return address; the function's ret popped
    // its own return address just above that slot.
    regs->rsp = reinterpret_cast<u64>(regs) + sizeof(Registers) + 8;
    return kprobes::kretprobe_trampoline_handler(*regs);
}
