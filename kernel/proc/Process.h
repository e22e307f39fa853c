// Process: a Linux-style thread group — address space, file descriptor table, working
// directory, credentials, signal dispositions, and its (today: one) thread. Processes live in
// a global table keyed by pid, protected by one spinlock; a RefPtr keeps a Process alive
// after it leaves the table (e.g. while /proc reads it).
//
// Invariants: every process but init has a parent in the table; when a parent exits, its
// children are handed to init, which reaps them. A zombie keeps only its exit status until
// its parent waits for it. Process::current() is the process of the thread running on this
// CPU (reached through the per-CPU block; there is no global "current" variable).
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

// Linux's cred: real/effective/saved/filesystem ids and the supplementary groups (sorted,
// at most max_groups). Effective uid 0 stands for every capability (there are no others).
struct Credentials {
    static constexpr u32 max_groups = 32;
    u32 uid { 0 }, euid { 0 }, suid { 0 }, fsuid { 0 };
    u32 gid { 0 }, egid { 0 }, sgid { 0 }, fsgid { 0 };
    u32 group_count { 0 };
    u32 groups[max_groups] {};
    bool is_privileged() const { return euid == 0; }
};

enum class ProcessState : u8 {
    Running,
    Zombie,
};

class Process : public RefCounted {
public:
    static Process& current();
    static RefPtr<Process> from_pid(i32 pid);
    // All live processes (including zombies) in pid order.
    static Vector<RefPtr<Process>> snapshot();
    template<typename Callback>
    static void for_each(Callback callback)
    {
        for (auto& process : snapshot())
            callback(*process);
    }

    // Boot: creates pid 1 running `path` with the given argv (kernel strings).
    static ErrorOr<void> create_init(StringView path, Vector<String>&& argv, Vector<String>&& envp);

    ~Process() override;

    i32 pid() const { return m_pid; }
    i32 ppid() const;
    i32 pgid() const { return m_pgid; }
    i32 sid() const { return m_sid; }
    void set_pgid(i32 pgid) { m_pgid = pgid; }
    void set_sid(i32 sid) { m_sid = sid; }
    StringView comm() const;
    void set_comm(StringView name);
    ProcessState state() const { return m_state; }
    // wait4-style status word of a zombie.
    int exit_status() const { return m_exit_status; }
    u32 umask() const { return m_umask; }
    void set_umask(u32 mask) { m_umask = mask & 0777; }

    Credentials const& credentials() const { return m_credentials; }
    // Only the process itself changes its credentials (syscalls/core/CredentialCalls.cpp).
    void set_credentials(Credentials const& credentials) { m_credentials = credentials; }
    struct ResourceLimit {
        u64 current;
        u64 maximum;
    };
    static constexpr int resource_limit_count = 16; // RLIM_NLIMITS
    ResourceLimit& resource_limit(int resource) { return m_limits[resource]; }
    FdTable& fds() { return *m_fds; }
    RefPtr<Custody> cwd() const;
    void set_cwd(RefPtr<Custody>);
    AddressSpace& address_space() { return *m_address_space; }
    // Null once the process has exited (zombies have no memory).
    AddressSpace* address_space_or_null() { return m_address_space; }
    RefPtr<Custody> executable() const;
    SignalState& signals() { return m_signals; }

    u64 arg_start() const { return m_arg_start; }
    u64 arg_end() const { return m_arg_end; }
    u64 env_start() const { return m_env_start; }
    u64 env_end() const { return m_env_end; }
    u64 start_time_ns() const { return m_start_time_ns; }
    u64 user_time_ns() const { return m_user_time_ns; }
    u64 system_time_ns() const { return m_system_time_ns; }
    void account_tick(bool user_mode);
    Thread* main_thread() const { return m_main_thread; }
    u32 thread_count() const { return m_main_thread ? 1 : 0; }
    WaitQueue& child_exit_queue() { return m_child_exit_queue; }

    // Lifecycle (proc/Fork.cpp, proc/Exec.cpp, proc/Exit.cpp).
    ErrorOr<i32> fork(Registers const& parent_frame);
    ErrorOr<void> exec(StringView path, Vector<String>&& argv, Vector<String>&& envp, Registers& frame);
    [[noreturn]] void exit(int wait_status);
    // wait4: the status word and pid of a matching zombie child.
    ErrorOr<i32> wait_for_child(i32 pid, int options, int& status_out);

private:
    friend class ProcessTable;
    Process() = default;
    static ErrorOr<RefPtr<Process>> try_create_blank();

    i32 m_pid { 0 };
    i32 m_pgid { 0 };
    i32 m_sid { 0 };
    Process* m_parent { nullptr };          // valid while this process is in the table
    Vector<RefPtr<Process>> m_children;     // guarded by the process table lock
    char m_comm[16] {};
    ProcessState m_state { ProcessState::Running };
    int m_exit_status { 0 };
    u32 m_umask { 022 };
    Credentials m_credentials;
    RefPtr<FdTable> m_fds;
    RefPtr<Custody> m_cwd;
    RefPtr<Custody> m_executable;
    AddressSpace* m_address_space { nullptr };
    SignalState m_signals;
    Thread* m_main_thread { nullptr };
    u64 m_arg_start { 0 }, m_arg_end { 0 }, m_env_start { 0 }, m_env_end { 0 };
    u64 m_start_time_ns { 0 };
    u64 m_user_time_ns { 0 };
    u64 m_system_time_ns { 0 };
    WaitQueue m_child_exit_queue;
    ResourceLimit m_limits[resource_limit_count] = {
        { ~0ULL, ~0ULL },                       // CPU
        { ~0ULL, ~0ULL },                       // FSIZE
        { ~0ULL, ~0ULL },                       // DATA
        { 8ULL << 20, ~0ULL },                  // STACK
        { 0, ~0ULL },                           // CORE
        { ~0ULL, ~0ULL },                       // RSS
        { 4096, 4096 },                         // NPROC
        { 1024, 1024 },                         // NOFILE
        { 8ULL << 20, 8ULL << 20 },             // MEMLOCK
        { ~0ULL, ~0ULL },                       // AS
        { ~0ULL, ~0ULL },                       // LOCKS
        { 4096, 4096 },                         // SIGPENDING
        { 819200, 819200 },                     // MSGQUEUE
        { 0, 0 },                               // NICE
        { 0, 0 },                               // RTPRIO
        { ~0ULL, ~0ULL },                       // RTTIME
    };
};
