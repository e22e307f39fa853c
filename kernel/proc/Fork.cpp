// fork/clone(SIGCHLD): a new process with a copy of the address space (private pages copied,
// shared ones shared), the fd table, cwd, credentials, umask and signal dispositions; pending
// signals are not inherited. The child's thread returns to user mode with rax = 0.
#include "fs/Custody.h"
#include "mm/AddressSpace.h"
#include "proc/Process.h"
#include "proc/ProcessTable.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"
#include "trace/events/Events.h"

void release_dead_thread(Thread*);

ErrorOr<i32> Process::fork(Registers const& parent_frame)
{
    auto child = TRY(try_create_blank());
    child->m_pgid = m_pgid;
    child->m_sid = m_sid;
    memcpy(child->m_comm, m_comm, sizeof(m_comm));
    child->m_credentials = m_credentials;
    child->m_umask = m_umask;
    memcpy(child->m_limits, m_limits, sizeof(m_limits));
    child->m_fds = TRY(m_fds->try_clone());
    child->m_cwd = m_cwd;
    child->m_executable = m_executable;
    child->m_signals = m_signals;
    child->m_signals.pending = 0;
    child->m_arg_start = m_arg_start;
    child->m_arg_end = m_arg_end;
    child->m_env_start = m_env_start;
    child->m_env_end = m_env_end;
    child->m_address_space = TRY(m_address_space->try_clone());

    Registers frame = parent_frame;
    frame.rax = 0;
    Thread* thread = TRY(Thread::create_user_thread(*child, frame));
    thread->arch_state() = Thread::current().arch_state();
    // The FPU registers are live on this CPU: capture them for the child.
    arch_capture_fpu_state(thread->arch_state());
    child->m_main_thread = thread;
    if (auto inserted = ProcessTable::insert(*child, this); inserted.is_error()) {
        child->m_main_thread = nullptr;
        release_dead_thread(thread);
        return inserted.release_error();
    }
    i32 pid = child->pid();
    trace::trace_task_newtask(thread, 17 /* SIGCHLD: fork's clone flags */);
    trace::trace_sched_process_fork(&Thread::current(), thread);
    Scheduler::make_runnable(*thread);
    return pid;
}
