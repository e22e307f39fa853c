// Signal generation and delivery with Linux's numbering, default actions and x86_64
// rt_sigframe layout. Generation (send_signal) only sets a pending bit and wakes the thread;
// delivery happens on the way back to user mode (deliver_pending_signals), which either runs
// the default action or builds a frame on the user stack that returns through sa_restorer
// into rt_sigreturn.
#include "proc/Signals.h"
#include "arch/Cpu.h"
#include "arch/Registers.h"
#include "arch/ThreadState.h"
#include "console/Console.h"
#include "klib/CString.h"
#include "lib/LinuxFunctions.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"
#include <linux/signal.h>
#include "trace/events/Events.h"

namespace {

constexpr u64 unblockable = signal_bit(SIGKILL) | signal_bit(SIGSTOP);

enum class DefaultAction { Terminate, CoreDump, Ignore };

DefaultAction default_action(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
    case SIGCONT:
    // Job control stops are not implemented; stop signals are ignored.
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return DefaultAction::Ignore;
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
        return DefaultAction::CoreDump;
    default:
        return DefaultAction::Terminate;
    }
}

bool is_ignored(Process& process, int sig)
{
    auto const& action = process.signals().actions[sig - 1];
    if (sig == SIGKILL || sig == SIGSTOP)
        return false;
    if (action.handler == 1) // SIG_IGN
        return true;
    return action.handler == 0 && default_action(sig) == DefaultAction::Ignore;
}

// Linux's x86_64 frame: pretcode, ucontext (flags, link, stack_t, sigcontext, sigmask),
// siginfo; the FXSAVE image follows, 64-byte aligned.
struct SigContext {
    u64 r8, r9, r10, r11, r12, r13, r14, r15;
    u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    u16 cs, gs, fs, ss;
    u64 err, trapno, oldmask, cr2;
    u64 fpstate;
    u64 reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {
    u64 flags;
    u64 link;
    u64 stack_sp;
    i32 stack_flags;
    i32 stack_pad;
    u64 stack_size;
    SigContext mcontext;
    u64 sigmask;
};

struct SigInfo {
    i32 signo, errno_, code, pad;
    u64 fields[14];
};
static_assert(sizeof(SigInfo) == 128);

struct RtSigFrame {
    u64 pretcode;
    UContext uc;
    SigInfo info;
};

constexpr u64 user_modifiable_flags = 0x40dd5; // CF PF AF ZF SF TF DF OF AC (Linux FIX_EFLAGS)

void build_frame(Thread& thread, Process& process, int sig, KernelSigaction const& action, Registers& regs, SigInfo const& info)
{
    u64 sp = regs.rsp - 128; // skip the red zone
    sp = align_down(sp - 512, 64);
    u64 fpstate = sp;
    sp -= sizeof(RtSigFrame);
    sp = align_down(sp, 16) - 8; // at handler entry, rsp + 8 is 16-aligned (as after a call)
    arch_capture_fpu_state(thread.arch_state());

    RtSigFrame frame {};
    frame.pretcode = action.restorer;
    frame.uc.mcontext = SigContext {
        regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15,
        regs.rdi, regs.rsi, regs.rbp, regs.rbx, regs.rdx, regs.rax, regs.rcx, regs.rsp, regs.rip, regs.rflags,
        static_cast<u16>(regs.cs), 0, 0, static_cast<u16>(regs.ss), 0, 0, process.signals().blocked, 0, fpstate, {} };
    u64 mask_to_restore = thread.restore_sigmask ? thread.saved_sigmask : process.signals().blocked;
    frame.uc.sigmask = mask_to_restore;
    frame.uc.mcontext.oldmask = mask_to_restore;
    frame.info = info;
    if (copy_to_user(fpstate, thread.arch_state().fpu, 512).is_error() || copy_to_user(sp, &frame).is_error()) {
        // No room for the frame: like Linux, the process dies of SIGSEGV.
        do_exit(SIGSEGV | 0x80);
    }
    regs.rsp = sp;
    regs.rip = action.handler;
    regs.rdi = static_cast<u64>(sig);
    regs.rsi = sp + __builtin_offsetof(RtSigFrame, info);
    regs.rdx = sp + __builtin_offsetof(RtSigFrame, uc);
    regs.rax = 0;
    regs.rflags &= ~(1ULL << 8 | 1ULL << 10); // TF, DF
    u64 add = action.mask;
    if (!(action.flags & SA_NODEFER))
        add |= signal_bit(sig);
    process.signals().blocked = (mask_to_restore | add) & ~unblockable;
    thread.restore_sigmask = false;
    if (action.flags & SA_RESETHAND)
        process.signals().actions[sig - 1] = KernelSigaction {};
}

// Lays out Linux's siginfo_t union member for the signal: the fault address for
// SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP, pid/uid/status for SIGCHLD, pid/uid otherwise.
SigInfo info_for(int sig, SignalInfo const& record)
{
    SigInfo info {};
    info.signo = sig;
    info.code = record.code;
    switch (sig) {
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
        info.fields[0] = record.address;
        break;
    case SIGCHLD:
        info.fields[0] = static_cast<u32>(record.pid) | (static_cast<u64>(record.uid) << 32);
        info.fields[1] = static_cast<u32>(record.status);
        break;
    default:
        info.fields[0] = static_cast<u32>(record.pid) | (static_cast<u64>(record.uid) << 32);
        break;
    }
    return info;
}

}

bool send_signal(Process& process, int sig) { return send_signal(process, sig, SignalInfo { 0x80 /* SI_KERNEL */ }); }

bool send_signal(Process& process, int sig, SignalInfo const& info)
{
    if (sig < 1 || sig > NSIG_)
        return false;
    if (process.state() == ProcessState::Zombie)
        return false;
    // signal_generate's result: TRACE_SIGNAL_DELIVERED 0, IGNORED 1, ALREADY_PENDING 2.
    constexpr i32 delivered = 0, ignored = 1, already_pending = 2;
    if (is_ignored(process, sig)) {
        trace::trace_signal_generate(sig, info.code, process.main_thread(), 1, ignored);
        return false;
    }
    u64 state = arch_irq_save();
    bool was_pending = process.signals().pending & signal_bit(sig);
    if (!was_pending)
        process.signals().info[sig - 1] = info;
    process.signals().pending |= signal_bit(sig);
    arch_irq_restore(state);
    trace::trace_signal_generate(sig, info.code, process.main_thread(), 1, was_pending && sig < 32 ? already_pending : delivered);
    if (Thread* thread = process.main_thread())
        Scheduler::wake(*thread);
    return true;
}

bool current_has_pending_signal()
{
    Process* process = Thread::current().process();
    if (!process)
        return false;
    auto const& signals = process->signals();
    return (signals.pending & ~(signals.blocked & ~unblockable)) != 0;
}

void deliver_fault_signal(int sig, int code, u64 fault_address, Registers& regs)
{
    Thread& thread = Thread::current();
    Process& process = *thread.process();
    auto& action = process.signals().actions[sig - 1];
    bool blocked = process.signals().blocked & signal_bit(sig);
    if (action.handler <= 1 || blocked) {
        // Default, ignored or blocked: a synchronous fault kills the process.
        kprintf("%.*s[%d]: %s at %016lx ip %016lx\n", static_cast<int>(process.comm().length()), process.comm().chars(),
            process.pid(), sig == SIGSEGV ? "segfault" : "fatal signal", fault_address, regs.rip);
        (void)code;
        arch::enable_interrupts();
        do_exit(sig | (default_action(sig) == DefaultAction::CoreDump ? 0x80 : 0));
    }
    build_frame(thread, process, sig, action, regs, info_for(sig, SignalInfo { code, 0, 0, 0, fault_address }));
    thread.needs_full_return = true;
}

namespace {

// Syscalls whose interrupted sleeps Linux reports as ERESTARTNOHAND: restarted only when
// no handler runs (poll, select, epoll waits).
bool restarts_only_without_handler(u64 number)
{
    switch (number) {
    case 7:   // poll
    case 23:  // select
    case 232: // epoll_wait
    case 270: // pselect6
    case 271: // ppoll
    case 281: // epoll_pwait
    case 441: // epoll_pwait2
        return true;
    default:
        return false;
    }
}

// Applies Linux's restart rules to a syscall that returned -ERESTARTSYS, given whether a
// handler (and its flags) is about to run.
void settle_interrupted_syscall(Registers& regs, bool handler_runs, u64 handler_flags)
{
    Thread& thread = Thread::current();
    if (!thread.syscall_interrupted)
        return;
    thread.syscall_interrupted = false;
    bool restart = !handler_runs || ((handler_flags & SA_RESTART) && !restarts_only_without_handler(regs.orig_rax));
    if (restart) {
        regs.rax = regs.orig_rax;
        regs.rip -= 2; // back onto the syscall instruction
    } else {
        regs.rax = static_cast<u64>(-static_cast<i64>(EINTR));
    }
    thread.needs_full_return = true;
}

}

void finish_interrupted_syscall(Registers& regs) { settle_interrupted_syscall(regs, false, 0); }

// Called on every return to user mode (interrupts masked). Returns true if it rewrote the
// frame, so the caller must use the full restore path.
bool deliver_pending_signals(Registers& regs)
{
    Thread& thread = Thread::current();
    Process* process = thread.process();
    if (!process)
        return false;
    bool changed = false;
    for (;;) {
        auto& signals = process->signals();
        u64 deliverable = signals.pending & ~(signals.blocked & ~unblockable);
        if (!deliverable)
            return changed;
        int sig = __builtin_ctzll(deliverable) + 1;
        signals.pending &= ~signal_bit(sig);
        KernelSigaction action = signals.actions[sig - 1];
        if (sig == SIGKILL || action.handler == 0) {
            if (sig != SIGKILL && default_action(sig) == DefaultAction::Ignore)
                continue;
            arch::enable_interrupts();
            do_exit(sig | (default_action(sig) == DefaultAction::CoreDump ? 0x80 : 0));
        }
        if (action.handler == 1)
            continue;
        settle_interrupted_syscall(regs, true, action.flags);
        build_frame(thread, *process, sig, action, regs, info_for(sig, signals.info[sig - 1]));
        changed = true;
        return changed; // one handler frame at a time, like Linux's default
    }
}

ErrorOr<void> signal_return(Registers& regs)
{
    Thread& thread = Thread::current();
    Process& process = *thread.process();
    u64 frame_address = regs.rsp - 8;
    RtSigFrame frame;
    TRY(copy_from_user(&frame, frame_address));
    SigContext const& sc = frame.uc.mcontext;
    u8 fxsave[512];
    if (sc.fpstate) {
        TRY(copy_from_user(fxsave, sc.fpstate, sizeof(fxsave)));
        arch_restore_fpu_state(thread.arch_state(), fxsave);
    }
    regs.r8 = sc.r8; regs.r9 = sc.r9; regs.r10 = sc.r10; regs.r11 = sc.r11;
    regs.r12 = sc.r12; regs.r13 = sc.r13; regs.r14 = sc.r14; regs.r15 = sc.r15;
    regs.rdi = sc.rdi; regs.rsi = sc.rsi; regs.rbp = sc.rbp; regs.rbx = sc.rbx;
    regs.rdx = sc.rdx; regs.rax = sc.rax; regs.rcx = sc.rcx; regs.rsp = sc.rsp; regs.rip = sc.rip;
    regs.rflags = (regs.rflags & ~user_modifiable_flags) | (sc.eflags & user_modifiable_flags) | (1 << 9);
    process.signals().blocked = frame.uc.sigmask & ~unblockable;
    thread.needs_full_return = true;
    return {};
}
