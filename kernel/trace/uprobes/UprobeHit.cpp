// The user breakpoint path of uprobes (see Uprobes.h): probe hits, the end of an XOL step,
// the uretprobe trampoline, breakpoints left behind by a removed probe, and faults inside XOL
// slots. Runs in the trap handler of the current process with interrupts masked.
#include "mm/AddressSpace.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "proc/Signals.h"
#include "sched/Thread.h"
#include "trace/uprobes/MmState.h"
#include "trace/uprobes/UprobeHooks.h"
#include "trace/uprobes/Uprobes.h"
#include <linux/mman.h>

namespace uprobes {

namespace {

constexpr int sigsegv = 11;
constexpr int si_kernel = 0x80;

bool accepts(UprobeConsumer const& consumer, i32 pid) { return !consumer.filter_pid || consumer.filter_pid == pid; }

// Linux's prepare_uretprobe(): replace the return address at the entry's stack pointer with
// the trampoline, remembering the real one; instances of frames that are gone (longjmp) are
// dropped first. A return address that already is the trampoline (a tail call from another
// probed function) chains to the previous instance's real return address.
void prepare_return(AddressSpace& space, Uprobe const& probe, u64 address, Registers& regs)
{
    auto state = state_of(space);
    if (state.is_error())
        return;
    auto trampoline = ensure_xol_area(space, *state.value(), address);
    if (trampoline.is_error())
        return;
    u64 return_address;
    if (copy_from_user(&return_address, regs.rsp).is_error())
        return;
    MmState& mm = *state.value();
    bool chained = return_address == trampoline.value();
    {
        SpinlockGuard guard(mm.lock);
        while (mm.return_count) {
            u64 stack = mm.returns[mm.return_count - 1].stack;
            bool alive = chained ? regs.rsp <= stack : regs.rsp < stack;
            if (alive)
                break;
            --mm.return_count;
        }
        if (chained) {
            if (!mm.return_count)
                return;
            return_address = mm.returns[mm.return_count - 1].return_address;
        }
        if (mm.return_count == max_return_depth)
            return;
    }
    if (!chained && copy_to_user(regs.rsp, &trampoline.value()).is_error())
        return;
    SpinlockGuard guard(mm.lock);
    if (mm.return_count < max_return_depth)
        mm.returns[mm.return_count++] = { probe.serial, address, return_address, regs.rsp, chained };
}

// The trampoline's int3: the function returned (its ret popped the trampoline's address).
// Runs the return handlers of every instance of that frame (several when chained), innermost
// first, with ip = the real return address, and resumes there.
bool handle_return(MmState& mm, Registers& regs, i32 pid)
{
    u64 slot = regs.rsp - 8;
    bool found = false;
    for (;;) {
        ReturnInstance instance;
        {
            SpinlockGuard guard(mm.lock);
            while (mm.return_count && mm.returns[mm.return_count - 1].stack < slot)
                --mm.return_count; // frames abandoned by longjmp
            if (!mm.return_count || mm.returns[mm.return_count - 1].stack != slot)
                break;
            instance = mm.returns[--mm.return_count];
        }
        if (!found)
            regs.rip = instance.return_address;
        found = true;
        Uprobe* probe = instance.serial ? acquire_uprobe_by_serial(instance.serial) : nullptr;
        if (!probe)
            continue;
        for (auto* consumer = probe->consumers; consumer; consumer = consumer->next)
            if (consumer->return_handler && accepts(*consumer, pid))
                consumer->return_handler(*consumer, regs, instance.function, instance.return_address);
        release_uprobe();
    }
    if (!found) {
        // Linux: "uprobe: unable to handle uretprobe", SIGSEGV.
        deliver_fault_signal(sigsegv, si_kernel, 0, regs);
    }
    return true;
}

// An int3 in a file mapping with no probe at that offset: a probe removed while this thread
// was on its way here (the byte is back: run it), or a breakpoint a fork copied while the
// probe was being removed (put the file's byte back), or the program's own int3.
bool handle_without_probe(AddressSpace& space, AddressSpace::FileMapping const& mapping, u64 address, u64 offset, Registers& regs)
{
    u8 current;
    if (copy_from_user(&current, address).is_error())
        return false;
    if (current != breakpoint_instruction) {
        regs.rip = address;
        return true;
    }
    auto original = read_file_byte(*mapping.inode, offset);
    if (original.is_error() || original.value() == breakpoint_instruction || (mapping.prot & PROT_WRITE))
        return false;
    space.replace_byte_if_present(address, breakpoint_instruction, original.value());
    regs.rip = address;
    return true;
}

}

bool handle_user_breakpoint(Registers& regs)
{
    if (!regs.from_user())
        return false;
    Process* process = Thread::current().process();
    AddressSpace* space = process ? process->address_space_or_null() : nullptr;
    if (!space)
        return false;
    u64 address = regs.rip - 1;
    i32 pid = process->pid();
    if (MmState* mm = space->uprobe_state()) {
        u64 resume = 0;
        switch (classify_xol_breakpoint(*mm, address, resume)) {
        case XolKind::Trampoline:
            return handle_return(*mm, regs, pid);
        case XolKind::SlotEnd:
            regs.rip = resume;
            return true;
        case XolKind::Other:
            return false;
        case XolKind::None:
            break;
        }
    }
    AddressSpace::FileMapping mapping;
    if (!space->file_mapping_at(address, mapping) || address - mapping.start >= mapping.file_bytes)
        return false;
    u64 offset = mapping.file_offset + (address - mapping.start);
    Uprobe* probe = acquire_uprobe(*mapping.inode, offset);
    if (!probe)
        return handle_without_probe(*space, mapping, address, offset, regs);

    // Linux sets ip to the probe's address before the handlers.
    regs.rip = address;
    bool wants_return = false;
    for (auto* consumer = probe->consumers; consumer; consumer = consumer->next) {
        if (!accepts(*consumer, pid))
            continue;
        if (consumer->handler)
            consumer->handler(*consumer, regs, address);
        wants_return |= consumer->return_handler != nullptr;
    }
    if (wants_return)
        prepare_return(*space, *probe, address, regs);

    bool segfault = false;
    if (!arch_needs_slot(probe->arch)) {
        segfault = arch_emulate(probe->arch, address, regs).is_error();
    } else {
        auto mm = state_of(*space);
        auto slot = mm.is_error() ? ErrorOr<u64>(mm.release_error()) : xol_slot_for(*space, *mm.value(), *probe, address);
        if (slot.is_error())
            disarm_in(*space, *probe, address); // no slot here: this process runs unprobed
        else
            regs.rip = slot.value();
    }
    release_uprobe();
    if (segfault)
        deliver_fault_signal(sigsegv, 1 /* SEGV_MAPERR */, regs.rsp, regs);
    return true;
}

void fixup_user_fault(Registers& regs)
{
    Process* process = Thread::current().process();
    AddressSpace* space = process ? process->address_space_or_null() : nullptr;
    MmState* mm = space ? space->uprobe_state() : nullptr;
    if (!mm)
        return;
    if (u64 original = original_address_of_slot_ip(*mm, regs.rip))
        regs.rip = original;
}

}
