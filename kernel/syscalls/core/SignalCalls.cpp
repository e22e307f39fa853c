// Signal syscalls: sigaction, sigprocmask, sigreturn, kill family, pause/sigsuspend.
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "sched/Thread.h"
#include "syscalls/Syscall.h"
#include <linux/signal.h>

namespace {

constexpr u64 unblockable = signal_bit(SIGKILL) | signal_bit(SIGSTOP);

struct UserSigaction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};

ErrorOr<void> signal_process(Process& target, int sig, int code = 0 /* SI_USER */)
{
    if (sig < 0 || sig > NSIG_)
        return Error(EINVAL);
    if (sig == 0)
        return {};
    Process& sender = Process::current();
    send_signal(target, sig, SignalInfo { code, sender.pid(), sender.credentials().uid, 0, 0 });
    return {};
}

WaitQueue pause_queue; // nothing wakes it but signals

}

ErrorOr<u64> sys_rt_sigaction(int sig, u64 user_action, u64 user_old_action, usize sigset_size)
{
    if (sigset_size != 8)
        return Error(EINVAL);
    if (sig < 1 || sig > NSIG_)
        return Error(EINVAL);
    auto& actions = Process::current().signals().actions;
    KernelSigaction old = actions[sig - 1];
    if (user_action) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return Error(EINVAL);
        UserSigaction requested;
        TRY(copy_from_user(&requested, user_action));
        actions[sig - 1] = { requested.handler, requested.flags, requested.restorer, requested.mask & ~unblockable };
        if (requested.handler == 1 || (requested.handler == 0 && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH)))
            Process::current().signals().pending &= ~signal_bit(sig); // ignoring discards pending
    }
    if (user_old_action) {
        UserSigaction previous { old.handler, old.flags, old.restorer, old.mask };
        TRY(copy_to_user(user_old_action, &previous));
    }
    return 0;
}

ErrorOr<u64> sys_rt_sigprocmask(int how, u64 user_set, u64 user_old_set, usize sigset_size)
{
    if (sigset_size != 8)
        return Error(EINVAL);
    auto& signals = Process::current().signals();
    u64 old = signals.blocked;
    if (user_set) {
        u64 set;
        TRY(copy_from_user(&set, user_set));
        switch (how) {
        case SIG_BLOCK:
            signals.blocked |= set;
            break;
        case SIG_UNBLOCK:
            signals.blocked &= ~set;
            break;
        case SIG_SETMASK:
            signals.blocked = set;
            break;
        default:
            return Error(EINVAL);
        }
        signals.blocked &= ~unblockable;
    }
    if (user_old_set)
        TRY(copy_to_user(user_old_set, &old));
    return 0;
}

ErrorOr<u64> sys_rt_sigreturn()
{
    Registers& frame = Thread::current().user_frame();
    if (signal_return(frame).is_error()) {
        Process::current().exit(SIGSEGV);
    }
    return frame.rax;
}

ErrorOr<u64> sys_rt_sigpending(u64 user_set, usize sigset_size)
{
    if (sigset_size > 8)
        return Error(EINVAL);
    auto& signals = Process::current().signals();
    u64 pending = signals.pending & signals.blocked;
    TRY(copy_to_user(user_set, &pending, sigset_size));
    return 0;
}

ErrorOr<u64> sys_pause()
{
    (void)pause_queue.wait_until([] { return false; });
    return Error(EINTR); // only a signal ends a pause
}

ErrorOr<u64> sys_rt_sigsuspend(u64 user_mask, usize sigset_size)
{
    if (sigset_size != 8)
        return Error(EINVAL);
    u64 mask;
    TRY(copy_from_user(&mask, user_mask));
    auto& signals = Process::current().signals();
    Thread& thread = Thread::current();
    thread.saved_sigmask = signals.blocked;
    signals.blocked = mask & ~unblockable;
    (void)pause_queue.wait_until([] { return false; });
    // The signal is delivered with the temporary mask; the old one comes back afterwards.
    thread.restore_sigmask = true;
    return Error(EINTR);
}

ErrorOr<u64> sys_kill(int pid, int sig)
{
    if (sig < 0 || sig > NSIG_)
        return Error(EINVAL);
    if (pid > 0) {
        auto target = Process::from_pid(pid);
        if (!target)
            return Error(ESRCH);
        if (target->state() == ProcessState::Zombie)
            return 0;
        TRY(signal_process(*target, sig));
        return 0;
    }
    // Process groups (0 = ours, -1 = everyone but init, < -1 = group -pid).
    Process& current = Process::current();
    i32 group = pid == 0 ? current.pgid() : -pid;
    bool found = false;
    Process::for_each([&](Process& process) {
        if (process.state() == ProcessState::Zombie)
            return;
        if (pid == -1 ? (process.pid() == 1 || &process == &current) : process.pgid() != group)
            return;
        found = true;
        (void)signal_process(process, sig);
    });
    if (!found)
        return Error(ESRCH);
    return 0;
}

ErrorOr<u64> sys_tkill(int tid, int sig)
{
    if (tid <= 0)
        return Error(EINVAL);
    return sys_kill(tid, sig);
}

ErrorOr<u64> sys_tgkill(int tgid, int tid, int sig)
{
    if (tgid <= 0 || tid <= 0)
        return Error(EINVAL);
    if (tgid != tid)
        return Error(ESRCH);
    return sys_kill(tid, sig);
}
