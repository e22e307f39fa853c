// Process: a Linux-style thread group — address space, file descriptor table, working
// directory, credentials, signal dispositions, and its threads. Processes live in a global
// table keyed by pid (ProcessTable), which is protected by one spinlock; a RefPtr keeps a
// Process alive after it leaves the table (e.g. while /proc reads it).
//
// Invariants: pid 1 (init) reaps orphans; a zombie keeps only its exit status and rusage
// until its parent waits for it. Process::current() is the process of the thread running on
// this CPU (reached through the per-CPU area, there is no global "current" variable).
#pragma once

#include "fs/FdTable.h"
#include "klib/RefPtr.h"
#include "klib/String.h"
#include "klib/Vector.h"
#include "proc/Signals.h"
#include "sched/WaitQueue.h"

class AddressSpace;
class Custody;
class Thread;

using pid_t_ = i32;

struct Credentials {
    u32 uid { 0 }, euid { 0 }, suid { 0 }, fsuid { 0 };
    u32 gid { 0 }, egid { 0 }, sgid { 0 }, fsgid { 0 };
};

enum class ProcessState : u8 {
    Running,
    Zombie,
};

class Process : public RefCounted {
public:
    static Process& current();
    static RefPtr<Process> from_pid(i32 pid);
    // Calls callback(Process&) for every process in pid order, under the table lock: the
    // callback must not block or allocate large amounts.
    template<typename Callback>
    static void for_each(Callback callback);
    static Vector<RefPtr<Process>> snapshot(); // all live processes (for /proc listing)

    ~Process() override;

    i32 pid() const { return m_pid; }
    i32 ppid() const;
    i32 pgid() const { return m_pgid; }
    i32 sid() const { return m_sid; }
    StringView comm() const { return { m_comm, strnlen(m_comm, sizeof(m_comm)) }; }
    void set_comm(StringView name);
    ProcessState state() const { return m_state; }
    int exit_status() const { return m_exit_status; }

    Credentials const& credentials() const { return m_credentials; }
    FdTable& fds() { return *m_fds; }
    RefPtr<Custody> cwd() const;
    void set_cwd(RefPtr<Custody>);
    AddressSpace& address_space() { return *m_address_space; }
    RefPtr<Custody> executable() const;
    SignalState& signals() { return m_signals; }

    // /proc support: user-memory ranges of argv and envp set up by execve.
    u64 arg_start() const { return m_arg_start; }
    u64 arg_end() const { return m_arg_end; }
    u64 env_start() const { return m_env_start; }
    u64 env_end() const { return m_env_end; }
    u64 start_time_ns() const { return m_start_time_ns; }
    u64 user_time_ns() const { return m_user_time_ns; }
    u64 system_time_ns() const { return m_system_time_ns; }
    Thread* main_thread() const { return m_main_thread; }
    u32 thread_count() const { return m_thread_count; }

    WaitQueue& child_exit_queue() { return m_child_exit_queue; }

private:
    friend class ProcessTable;
    friend class ProcessLifecycle;
    Process() = default;

    i32 m_pid { 0 };
    i32 m_pgid { 0 };
    i32 m_sid { 0 };
    RefPtr<Process> m_parent;
    char m_comm[16] {};
    ProcessState m_state { ProcessState::Running };
    int m_exit_status { 0 };
    Credentials m_credentials;
    RefPtr<FdTable> m_fds;
    RefPtr<Custody> m_cwd;
    RefPtr<Custody> m_executable;
    AddressSpace* m_address_space { nullptr };
    SignalState m_signals;
    Thread* m_main_thread { nullptr };
    u32 m_thread_count { 0 };
    u64 m_arg_start { 0 }, m_arg_end { 0 }, m_env_start { 0 }, m_env_end { 0 };
    u64 m_start_time_ns { 0 };
    u64 m_user_time_ns { 0 };
    u64 m_system_time_ns { 0 };
    WaitQueue m_child_exit_queue;
};
