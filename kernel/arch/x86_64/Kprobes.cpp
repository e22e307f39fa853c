// x86-64 half of kprobes (see trace/kprobes/ArchKprobes.h), after Linux's
// arch/x86/kernel/kprobes/core.c:
//  - a probe replaces the first byte of its instruction with int3, written through the direct
//    map (a writable alias of the text's physical page), never through the text mapping;
//  - on the breakpoint the pre-handlers run with regs->ip = address + 1, then the original
//    instruction runs out of line: its copy sits in an executable slot followed by another
//    int3 (RIP-relative displacements adjusted to the slot), executed with interrupts masked;
//    the second int3 brings the CPU back here and ip moves to the instruction after the probe;
//  - instructions whose effect depends on where they run (call, jmp, jcc, loop, ret, indirect
//    call/jmp through a register), that change the interrupt flag (cli, sti, pushf, popf), and
//    the common function-entry instructions (push %reg, mov between registers, add/sub of an
//    immediate, nops, endbr64) are emulated on the saved registers instead, with no second
//    trap (KprobeEmulate.cpp); int3, int, iret, far transfers, hlt, syscall/sysret, ud2,
//    VMX/system 0F 01 forms and moves to SS are refused (EOPNOTSUPP);
//  - per-CPU state: Idle, Active (handlers running), SingleStep (in the slot), Reenter (a
//    probe hit inside a handler: stepped over without handlers, counted as missed).
// Emulated pushes write below the interrupted stack pointer: the #BP entry (entry.S) moves
// its frame down when it comes from kernel mode, leaving that room.
#include "arch/x86_64/Kprobes.h"
#include "arch/Paging.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/InsnDecoder.h"
#include "arch/x86_64/KprobeEmulate.h"
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

constexpr u8 int3 = 0xCC;
constexpr usize slot_size = 32;
constexpr usize slot_count = 4096 / slot_size;
constexpr u32 max_cpus = 64;

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
        emulate(point.arch, point.address, regs);
        finish(cpu);
        return;
    }
    cpu.current.saved_if = regs.rflags & flag_if;
    regs.rflags &= ~flag_if;
    regs.rip = point.arch.slot;
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
