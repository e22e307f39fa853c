// Signal state of a process (Linux numbering 1..64): dispositions (struct k_sigaction),
// the pending set and the blocked mask. Delivery happens on the way back to user mode
// (proc/SignalDelivery.cpp) by building Linux's rt_sigframe on the user stack.
#pragma once

#include "klib/Types.h"

class Process;

constexpr int NSIG_ = 64;

struct KernelSigaction {
    u64 handler { 0 };   // SIG_DFL = 0, SIG_IGN = 1, else user address
    u64 flags { 0 };     // SA_*
    u64 restorer { 0 };
    u64 mask { 0 };
};

// What siginfo reports for a pending signal (the first one queued wins, like Linux's
// coalescing of standard signals).
struct SignalInfo {
    i32 code { 0 };     // SI_USER, SI_TKILL, SI_KERNEL, CLD_*, SEGV_*, ...
    i32 pid { 0 };      // sender (kill) or child (SIGCHLD)
    u32 uid { 0 };
    i32 status { 0 };   // SIGCHLD: exit code or signal number
    u64 address { 0 };  // faults: si_addr
};

struct SignalState {
    KernelSigaction actions[NSIG_] {};
    u64 pending { 0 };
    u64 blocked { 0 };
    SignalInfo info[NSIG_] {};
};

constexpr u64 signal_bit(int sig) { return 1ULL << (sig - 1); }

// Queues `sig` for `process` and wakes it if it sleeps interruptibly. Safe in interrupt
// context. Returns false if the signal was discarded (ignored).
bool send_signal(Process& process, int sig);
bool send_signal(Process& process, int sig, SignalInfo const& info);
// True when the current thread has a deliverable (pending and not blocked) signal.
bool current_has_pending_signal();

struct Registers;
// A synchronous fault in user mode (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP): like Linux's
// force_sig_fault, the signal cannot be blocked or ignored away — if it is, the process dies.
// `code` is the si_code (SEGV_MAPERR, ILL_ILLOPN, ...), `address` the si_addr.
void deliver_fault_signal(int sig, int code, u64 address, Registers& regs);

// Return-to-user delivery (true if the frame was rewritten) and rt_sigreturn.
bool deliver_pending_signals(Registers& regs);
#include "klib/Error.h"
ErrorOr<void> signal_return(Registers& regs);
// A syscall that returned -ERESTARTSYS and had no handler run for it is restarted.
void finish_interrupted_syscall(Registers& regs);
