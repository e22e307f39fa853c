// bpf() privilege checks (see Privileges.h).
#include "bpf/syscall/Privileges.h"
#include "fs/proc/ProcFS.h"
#include "proc/Process.h"
#include <linux/bpf.h>

namespace bpf::kernel {

bool bpf_capable() { return Process::current().credentials().is_privileged(); }
bool perfmon_capable() { return Process::current().credentials().is_privileged(); }
bool sys_admin_capable() { return Process::current().credentials().is_privileged(); }

ErrorOr<void> check_may_create_objects()
{
    if (sysctl_unprivileged_bpf_disabled() && !bpf_capable())
        return Error(EPERM);
    return {};
}

ErrorOr<void> check_may_create_map_type(u32 map_type)
{
    switch (map_type) {
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_PROG_ARRAY:
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case BPF_MAP_TYPE_CGROUP_ARRAY:
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
    case BPF_MAP_TYPE_RINGBUF:
    case BPF_MAP_TYPE_USER_RINGBUF:
    case BPF_MAP_TYPE_CGROUP_STORAGE:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
        return {};
    default:
        return check_bpf_capable();
    }
}

ErrorOr<void> check_may_load_program_type(u32 program_type)
{
    if (program_type != BPF_PROG_TYPE_SOCKET_FILTER && program_type != BPF_PROG_TYPE_CGROUP_SKB)
        return check_bpf_capable();
    return {};
}

ErrorOr<void> check_sys_admin()
{
    if (!sys_admin_capable())
        return Error(EPERM);
    return {};
}

ErrorOr<void> check_bpf_capable()
{
    if (!bpf_capable())
        return Error(EPERM);
    return {};
}

}
