// Thread: a schedulable context with its own kernel stack. User threads belong to a Process
// and keep their user register frame at the top of the kernel stack; kernel threads have no
// process. A thread is created Runnable, becomes Blocked inside WaitQueue::wait_until, and
// Dead when it exits; the scheduler frees a dead thread's stack only after switching away.
#pragma once

#include "arch/ThreadState.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "sched/WaitQueue.h"

class Process;

enum class ThreadState : u8 {
    Runnable,
    Running,
    Blocked,
    Dead,
};

class Thread {
public:
    static constexpr usize kernel_stack_size = 16 * 1024;

    static ErrorOr<Thread*> create_kernel_thread(void (*entry)(void*), void* argument, char const* name);
    // A user thread starting from `frame` (copied to the top of its kernel stack).
    static ErrorOr<Thread*> create_user_thread(Process& process, Registers const& frame);
    static Thread& current();
    // The thread object for the boot context, which becomes this CPU's idle thread.
    static Thread* adopt_boot_context();

    u32 tid() const { return m_tid; }
    Process* process() const { return m_process.ptr(); }
    char const* name() const { return m_name; }
    ThreadState state() const { return m_state; }
    Registers& user_frame() { return *reinterpret_cast<Registers*>(m_kernel_stack_top - sizeof(Registers)); }
    ArchThreadState& arch_state() { return m_arch_state; }
    bool is_idle() const { return m_is_idle; }

    // set_tid_address / CLONE_CHILD_CLEARTID
    u64 clear_child_tid { 0 };
    // Set by execve and signal delivery: the next return to user mode must restore the
    // whole frame (iretq) rather than take the sysret fast path.
    bool needs_full_return { false };
    u64 cpu_time_ns { 0 };
    // rt_sigsuspend: the mask to restore once a signal has been handled (Linux's
    // saved_sigmask). The handler frame records it, so sigreturn restores it.
    u64 saved_sigmask { 0 };
    bool restore_sigmask { false };
    // The current syscall returned -ERESTARTSYS: the return path restarts it or makes it EINTR.
    bool syscall_interrupted { false };

    // Scheduler bookkeeping: read and written only by sched/Scheduler.cpp under its lock.
    ThreadState m_state { ThreadState::Runnable };
    bool m_timed_out { false };
    u64 m_kernel_stack_top { 0 };
    u64 m_saved_rsp { 0 };
    u64 m_wake_deadline_ns { 0 };
    Thread* m_run_next { nullptr };
    Thread* m_sleep_next { nullptr };

private:
    friend void release_dead_thread(Thread*);
    Thread() = default;
    ~Thread();
    ErrorOr<void> allocate_stack();

    u32 m_tid { 0 };
    RefPtr<Process> m_process;
    char m_name[16] {};
    bool m_is_idle { false };
    u8* m_kernel_stack { nullptr };
    ArchThreadState m_arch_state;
};
