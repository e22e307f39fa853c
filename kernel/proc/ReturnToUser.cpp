// The C half of the syscall entry and of every return to user mode (called from
// arch/x86_64/entry.S with interrupts masked on the return side).
#include "arch/Cpu.h"
#include "arch/Registers.h"
#include "proc/Process.h"
#include "proc/Signals.h"
#include "sched/PerCpu.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"
#include "syscalls/Syscall.h"
#include "trace/events/SyscallEvents.h"

namespace {
bool is_canonical_user(u64 address) { return address < 0x00007ffffffff000ULL; }
}

// Returns non-zero when the return must restore the full frame (iretq).
extern "C" u64 syscall_handler(Registers* regs)
{
    Thread& thread = Thread::current();
    thread.needs_full_return = false;
    // execve rebuilds the frame: keep the number for the exit tracepoints.
    u64 number = regs->orig_rax;
    trace::trace_syscall_enter(*regs);
    u64 result = dispatch_syscall(*regs);
    regs->rax = result;
    trace::trace_syscall_exit(*regs, number, result);
    thread.syscall_interrupted = result == static_cast<u64>(-static_cast<i64>(ERESTARTSYS));
    return thread.needs_full_return || thread.syscall_interrupted || !is_canonical_user(regs->rip);
}

// Pending work before user mode resumes: rescheduling and signals. Returns non-zero when
// it changed the frame.
extern "C" u64 prepare_return_to_user(Registers* regs)
{
    bool changed = false;
    for (;;) {
        if (this_cpu().need_resched)
            Scheduler::schedule();
        if (!current_has_pending_signal())
            break;
        arch::enable_interrupts();
        changed |= deliver_pending_signals(*regs);
        arch::disable_interrupts();
        if (!current_has_pending_signal() || changed)
            break;
    }
    Thread& thread = Thread::current();
    if (thread.syscall_interrupted)
        finish_interrupted_syscall(*regs);
    if (thread.restore_sigmask && thread.process()) {
        thread.process()->signals().blocked = thread.saved_sigmask;
        thread.restore_sigmask = false;
    }
    return changed || thread.needs_full_return;
}
