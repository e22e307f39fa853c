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

struct SignalState {
    KernelSigaction actions[NSIG_] {};
    u64 pending { 0 };
    u64 blocked { 0 };
};

constexpr u64 signal_bit(int sig) { return 1ULL << (sig - 1); }

// Queues `sig` for `process` and wakes it if it sleeps interruptibly. Safe in interrupt
// context. Returns false if the signal was discarded (ignored).
bool send_signal(Process& process, int sig);
// True when the current thread has a deliverable (pending and not blocked) signal.
bool current_has_pending_signal();

struct Registers;
// A synchronous fault in user mode (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP): like Linux's
// force_sig_fault, the signal cannot be blocked or ignored away — if it is, the process dies.
void deliver_fault_signal(int sig, u64 fault_address, Registers& regs);

// Return-to-user delivery (true if the frame was rewritten) and rt_sigreturn.
bool deliver_pending_signals(Registers& regs);
#include "klib/Error.h"
ErrorOr<void> signal_return(Registers& regs);
