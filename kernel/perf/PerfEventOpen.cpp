// perf_event_open(2) (Linux 6.x's SYSCALL_DEFINE5(perf_event_open) and perf_event_alloc),
// checks in Linux's order: flags, the attr copy, privileges, sampling limits, group_fd, the
// target task, the CPU, the event type, the attributes this kernel refuses, then the
// per-target permissions. The fd ("anon_inode:[perf_event]", O_RDWR) is installed last.
//
// Privileges follow perf_event_paranoid (default 2): uid 0 may do everything; another uid
// may only count its own processes (same uid), user space only (exclude_kernel = 1), with
// no CPU-wide events (EACCES) and no raw tracepoint data (EPERM).
#include "arch/Cpu.h"
#include "fs/proc/ProcFS.h"
#include "mm/UserBuffer.h"
#include "perf/PerfEvent.h"
#include "proc/Process.h"
#include "syscalls/Syscall.h"

namespace {

using namespace perf;

struct UserAttr final : AttrSource {
    u64 address { 0 };
    ErrorOr<void> read(u64 offset, void* destination, usize size) override
    {
        return copy_from_user(destination, address + offset, size);
    }
};

constexpr u64 all_flags = PERF_FLAG_FD_NO_GROUP | PERF_FLAG_FD_OUTPUT | PERF_FLAG_PID_CGROUP | PERF_FLAG_FD_CLOEXEC;

ErrorOr<EventKind> software_kind(u64 config)
{
    switch (config) {
    case PERF_COUNT_SW_CPU_CLOCK:
        return EventKind::CpuClock;
    case PERF_COUNT_SW_TASK_CLOCK:
        return EventKind::TaskClock;
    case PERF_COUNT_SW_BPF_OUTPUT:
        return EventKind::BpfOutput;
    case PERF_COUNT_SW_DUMMY:
        return EventKind::Dummy;
    default:
        // Unknown configs (>= PERF_COUNT_SW_MAX) are ENOENT in Linux; the software counters
        // this kernel does not keep (page faults, context switches, ...) answer the same.
        return Error(ENOENT);
    }
}

// ptrace_may_access(PTRACE_MODE_READ_REALCREDS) for an unprivileged caller.
bool may_observe(Credentials const& caller, Credentials const& target)
{
    return caller.uid == target.uid && caller.uid == target.euid && caller.uid == target.suid
        && caller.gid == target.gid && caller.gid == target.egid && caller.gid == target.sgid;
}

}

ErrorOr<u64> sys_perf_event_open(u64 user_attr, int pid, int cpu, int group_fd, u64 flags)
{
    if (flags & ~all_flags)
        return Error(EINVAL);
    UserAttr source;
    source.address = user_attr;
    auto copied = copy_attr(source);
    if (copied.is_error()) {
        if (copied.error().code() == E2BIG) {
            u32 supported = supported_attr_size;
            (void)copy_to_user(user_attr + offsetof(perf_event_attr, size), &supported, sizeof(supported));
        }
        return copied.release_error();
    }
    perf_event_attr attr = copied.release_value();

    Process& caller = Process::current();
    bool privileged = caller.credentials().euid == 0;
    int paranoid = sysctl_perf_event_paranoid();
    // perf_allow_kernel()
    if (!privileged && paranoid > 1 && (!attr.exclude_kernel || (attr.sample_type & PERF_SAMPLE_PHYS_ADDR)))
        return Error(EACCES);
    if (attr.namespaces && !privileged)
        return Error(EACCES);
    if (attr.freq) {
        if (attr.sample_freq > max_sample_rate)
            return Error(EINVAL);
    } else if (attr.sample_period & (1ULL << 63)) {
        return Error(EINVAL);
    }
    if ((flags & PERF_FLAG_PID_CGROUP) && (pid == -1 || cpu == -1))
        return Error(EINVAL);

    if (group_fd != -1) {
        auto group = caller.fds().get(group_fd);
        if (group.is_error() || !perf_event_from_file(group.value()->file()))
            return Error(EBADF);
        // Every event here is alone in its group (docs/perf.md).
        return Error(EINVAL);
    }

    RefPtr<Process> task;
    if (pid != -1 && !(flags & PERF_FLAG_PID_CGROUP)) {
        task = pid == 0 ? RefPtr<Process>(&caller) : Process::from_pid(pid);
        if (!task || task->state() == ProcessState::Zombie)
            return Error(ESRCH);
    }
    // perf_event_alloc(): a CPU beyond the possible ones is EINVAL; -1 needs a task.
    if (static_cast<u32>(cpu) >= arch::cpu_count() && (!task || cpu != -1))
        return Error(EINVAL);

    EventConfig config;
    config.attr = attr;
    config.cpu = cpu;
    config.task = task;
    switch (attr.type) {
    case PERF_TYPE_SOFTWARE:
        config.kind = TRY(software_kind(attr.config));
        break;
    case PERF_TYPE_TRACEPOINT: {
        // perf_trace_init(): an id that names no event is EINVAL.
        config.kind = EventKind::Tracepoint;
        config.tracepoint = attr.config > 0xffffffffULL ? nullptr : trace::find_tracepoint(static_cast<u32>(attr.config));
        if (!config.tracepoint)
            return Error(EINVAL);
        // perf_trace_event_perm(): raw tracepoint data is for the privileged.
        if ((attr.sample_type & PERF_SAMPLE_RAW) && !privileged && paranoid > -1)
            return Error(EPERM);
        break;
    }
    default: {
        auto const* pmu = find_pmu(attr.type);
        if (!pmu)
            return Error(ENOENT); // hardware, cache, raw and breakpoint PMUs do not exist here
        config.probe = TRY(pmu->open(attr, task.ptr()));
        config.kind = EventKind::Tracepoint;
        config.tracepoint = &config.probe->tracepoint();
        break;
    }
    }
    TRY(check_supported_attr(attr));
    if (flags & PERF_FLAG_PID_CGROUP)
        return Error(EINVAL); // no perf cgroup support (perf_cgroup_connect)
    if (!privileged) {
        if (!task && paranoid > 0)
            return Error(EACCES); // perf_allow_cpu()
        if (task && !may_observe(caller.credentials(), task->credentials()))
            return Error(EACCES);
    }

    auto event = TRY(PerfEvent::create(move(config)));
    u32 open_flags = fs::O_READ_WRITE | ((flags & PERF_FLAG_FD_CLOEXEC) ? fs::O_CLOEXEC_ : 0);
    return TRY(install_anonymous_fd(move(event), open_flags));
}
