// Process exit and wait4. Exit releases what a zombie does not need (address space, files,
// cwd), hands the children to init, becomes a zombie, signals the parent (SIGCHLD) and wakes
// its waiters, then the thread dies. When init (pid 1) exits, the machine powers off with
// init's exit code (128 + signal number if a signal killed it) as its status.
#include "arch/Cpu.h"
#include "arch/Paging.h"
#include "console/Console.h"
#include "fs/Custody.h"
#include "lib/LinuxFunctions.h"
#include "mm/AddressSpace.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "proc/ProcessTable.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"
#include "trace/kprobes/Kprobes.h"
#include "syscalls/Syscall.h"
#include <linux/wait.h>
#include "trace/events/Events.h"

// Linux's do_exit (kernel/exit.c): every exit of the current process goes through here.
extern "C" __attribute__((noinline)) void do_exit(long code)
{
    Process::current().exit(static_cast<int>(code));
}

void Process::exit(int wait_status)
{
    if (m_pid == 1) {
        int code = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;
        kprintf("init exited with status %d; powering off\n", code);
        arch::power_off(code);
    }
    Thread& thread = Thread::current();
    // Return probes of functions this thread will never return from.
    kprobes::release_task_instances(thread);
    trace::trace_sched_process_exit(&thread);
    if (thread.clear_child_tid) {
        u32 zero = 0;
        (void)copy_to_user(thread.clear_child_tid, &zero);
    }
    m_fds->close_all();
    m_cwd = nullptr;
    // Leave the address space: switch to the kernel tables before freeing it.
    arch::activate_page_table(arch::kernel_page_table());
    AddressSpace* space = exchange(m_address_space, nullptr);
    m_address_space = nullptr;
    delete space;

    bool orphaned_zombies = ProcessTable::reparent_children(*this);
    Process* parent;
    {
        SpinlockGuard guard(ProcessTable::lock());
        m_exit_status = wait_status;
        m_state = ProcessState::Zombie;
        parent = ProcessTable::parent_of(*this);
        m_main_thread = nullptr;
    }
    if (orphaned_zombies) {
        if (Process* init = ProcessTable::init_process())
            init->child_exit_queue().wake_all();
    }
    if (parent) {
        SignalInfo info;
        bool killed = (wait_status & 0x7f) != 0;
        info.code = killed ? ((wait_status & 0x80) ? 3 /* CLD_DUMPED */ : 2 /* CLD_KILLED */) : 1 /* CLD_EXITED */;
        info.pid = m_pid;
        info.uid = m_credentials.uid;
        info.status = killed ? (wait_status & 0x7f) : ((wait_status >> 8) & 0xff);
        send_signal(*parent, 17 /* SIGCHLD */, info);
        parent->child_exit_queue().wake_all();
    }
    Scheduler::exit_current_thread();
}

ErrorOr<i32> Process::wait_for_child(i32 pid, int options, int& status_out)
{
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
        return Error(EINVAL);
    auto matches = [&](Process& child) {
        if (pid > 0)
            return child.pid() == pid;
        if (pid == 0)
            return child.pgid() == m_pgid;
        if (pid < -1)
            return child.pgid() == -pid;
        return true;
    };
    RefPtr<Process> reaped;
    bool any_match = false;
    auto find_zombie = [&]() {
        SpinlockGuard guard(ProcessTable::lock());
        any_match = false;
        for (auto& child : ProcessTable::children_of(*this)) {
            if (!matches(*child))
                continue;
            any_match = true;
            if (child->state() == ProcessState::Zombie) {
                reaped = child;
                return true;
            }
        }
        return !any_match;
    };
    if (options & WNOHANG) {
        find_zombie();
        if (!reaped) {
            if (!any_match)
                return Error(ECHILD);
            return 0;
        }
    } else {
        TRY(m_child_exit_queue.wait_until(find_zombie));
        if (!reaped)
            return Error(ECHILD);
    }
    status_out = reaped->exit_status();
    i32 child_pid = reaped->pid();
    ProcessTable::remove(*reaped);
    return child_pid;
}
