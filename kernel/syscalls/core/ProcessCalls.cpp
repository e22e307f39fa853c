// Process syscalls: ids, fork/vfork/clone, execve, exit, wait4, process groups, TLS setup.
#include "arch/ThreadState.h"
#include "lib/LinuxFunctions.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "proc/ProcessTable.h"
#include "sched/Thread.h"
#include "syscalls/Syscall.h"
#include <asm/prctl.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/signal.h>

namespace {

constexpr usize max_exec_strings = 65536;

ErrorOr<Vector<String>> copy_string_array(u64 user_array)
{
    Vector<String> strings;
    if (!user_array)
        return strings;
    for (usize i = 0;; ++i) {
        if (i >= max_exec_strings)
            return Error(E2BIG);
        u64 pointer;
        TRY(copy_from_user(&pointer, user_array + i * sizeof(u64)));
        if (!pointer)
            break;
        TRY(strings.try_append(TRY(copy_string_from_user(pointer, 128 * 1024))));
    }
    return strings;
}

}

ErrorOr<u64> sys_getpid() { return static_cast<u64>(Process::current().pid()); }
ErrorOr<u64> sys_getppid() { return static_cast<u64>(Process::current().ppid()); }
ErrorOr<u64> sys_gettid() { return Thread::current().tid(); }
ErrorOr<u64> sys_getuid() { return Process::current().credentials().uid; }
ErrorOr<u64> sys_geteuid() { return Process::current().credentials().euid; }
ErrorOr<u64> sys_getgid() { return Process::current().credentials().gid; }
ErrorOr<u64> sys_getegid() { return Process::current().credentials().egid; }

ErrorOr<u64> sys_fork()
{
    return static_cast<u64>(TRY(Process::current().fork(Thread::current().user_frame())));
}

ErrorOr<u64> sys_vfork() { return sys_fork(); }

ErrorOr<u64> sys_clone(u64 flags, u64 stack, u64, u64, u64)
{
    // Only the fork-like form: an exit signal and nothing shared.
    if ((flags & ~static_cast<u64>(CSIGNAL)) != 0)
        return Error(EINVAL);
    if ((flags & CSIGNAL) != SIGCHLD && (flags & CSIGNAL) != 0)
        return Error(EINVAL);
    Registers frame = Thread::current().user_frame();
    if (stack)
        frame.rsp = stack;
    return static_cast<u64>(TRY(Process::current().fork(frame)));
}

ErrorOr<u64> sys_execve(u64 user_path, u64 user_argv, u64 user_envp)
{
    auto path = TRY(copy_string_from_user(user_path, 4095));
    if (path.is_empty())
        return Error(ENOENT);
    auto argv = TRY(copy_string_array(user_argv));
    auto envp = TRY(copy_string_array(user_envp));
    TRY(Process::current().exec(path.view(), move(argv), move(envp), Thread::current().user_frame()));
    return 0;
}

ErrorOr<u64> sys_exit(int status) { do_exit((status & 0xff) << 8); }
ErrorOr<u64> sys_exit_group(int status) { do_exit((status & 0xff) << 8); }

ErrorOr<u64> sys_wait4(int pid, u64 user_status, int options, u64 user_rusage)
{
    if (pid == INT32_MIN)
        return Error(ESRCH);
    int status = 0;
    i32 reaped = TRY(Process::current().wait_for_child(pid, options, status));
    if (reaped > 0 && user_status)
        TRY(copy_to_user(user_status, &status));
    if (reaped > 0 && user_rusage) {
        struct rusage usage {};
        TRY(copy_to_user(user_rusage, &usage));
    }
    return static_cast<u64>(reaped);
}

ErrorOr<u64> sys_set_tid_address(u64 user_tidptr)
{
    Thread::current().clear_child_tid = user_tidptr;
    return Thread::current().tid();
}

ErrorOr<u64> sys_arch_prctl(int code, u64 address)
{
    auto& state = Thread::current().arch_state();
    switch (code) {
    case ARCH_SET_FS:
        if (address >= 0x0000800000000000ULL)
            return Error(EPERM);
        arch_set_tls_base(state, address);
        return 0;
    case ARCH_GET_FS:
        TRY(copy_to_user(address, &state.fs_base));
        return 0;
    case ARCH_SET_GS:
        if (address >= 0x0000800000000000ULL)
            return Error(EPERM);
        state.gs_base = address;
        return 0;
    case ARCH_GET_GS:
        TRY(copy_to_user(address, &state.gs_base));
        return 0;
    default:
        return Error(EINVAL);
    }
}

ErrorOr<u64> sys_prctl(int option, u64 arg2, u64, u64, u64)
{
    Process& process = Process::current();
    switch (option) {
    case PR_SET_NAME: {
        char name[16] {};
        // Copy up to 16 bytes, stopping early at an unmapped page like Linux's strncpy_from_user.
        for (usize i = 0; i < 15; ++i) {
            TRY(copy_from_user(&name[i], arg2 + i, 1));
            if (!name[i])
                break;
        }
        process.set_comm(StringView(name, strnlen(name, 15)));
        return 0;
    }
    case PR_GET_NAME: {
        char name[16] {};
        memcpy(name, process.comm().chars(), process.comm().length());
        TRY(copy_to_user(arg2, name, sizeof(name)));
        return 0;
    }
    default:
        return Error(EINVAL);
    }
}

ErrorOr<u64> sys_setpgid(int pid, int pgid)
{
    if (pgid < 0)
        return Error(EINVAL);
    Process& current = Process::current();
    RefPtr<Process> target = pid == 0 ? RefPtr<Process>(&current) : Process::from_pid(pid);
    if (!target)
        return Error(ESRCH);
    if (target.ptr() != &current && target->ppid() != current.pid())
        return Error(ESRCH);
    target->set_pgid(pgid == 0 ? target->pid() : pgid);
    return 0;
}

ErrorOr<u64> sys_getpgid(int pid)
{
    if (pid == 0)
        return static_cast<u64>(Process::current().pgid());
    auto target = Process::from_pid(pid);
    if (!target)
        return Error(ESRCH);
    return static_cast<u64>(target->pgid());
}

ErrorOr<u64> sys_getpgrp() { return static_cast<u64>(Process::current().pgid()); }

ErrorOr<u64> sys_setsid()
{
    Process& current = Process::current();
    if (current.pgid() == current.pid())
        return Error(EPERM);
    current.set_sid(current.pid());
    current.set_pgid(current.pid());
    return static_cast<u64>(current.pid());
}

ErrorOr<u64> sys_getsid(int pid)
{
    if (pid == 0)
        return static_cast<u64>(Process::current().sid());
    auto target = Process::from_pid(pid);
    if (!target)
        return Error(ESRCH);
    return static_cast<u64>(target->sid());
}

ErrorOr<u64> sys_set_robust_list(u64, usize length)
{
    if (length != 24) // sizeof(struct robust_list_head)
        return Error(EINVAL);
    return 0;
}
