// System information and resource syscalls: uname, sysinfo, rlimits, reboot, scheduling
// queries, getrandom.
#include "arch/Cpu.h"
#include "console/Console.h"
#include "klib/CString.h"
#include "lib/Random.h"
#include "mm/PhysicalMemory.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "sched/Scheduler.h"
#include "syscalls/Syscall.h"
#include "time/Clock.h"
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

namespace {

struct UserRlimit {
    u64 current;
    u64 maximum;
};

ErrorOr<void> check_resource(int resource)
{
    if (resource < 0 || resource >= Process::resource_limit_count)
        return Error(EINVAL);
    return {};
}

}

char const* kernel_release() { return "6.1.0-ext-ebpf"; }

ErrorOr<u64> sys_uname(u64 user_buffer)
{
    struct new_utsname name {};
    auto put = [](char* field, char const* text) { memcpy(field, text, strnlen(text, __NEW_UTS_LEN)); };
    put(name.sysname, "Linux");
    put(name.nodename, "ext-ebpf");
    put(name.release, kernel_release());
    put(name.version, "#1 SMP PREEMPT ext-ebpf");
    put(name.machine, arch::machine_name());
    put(name.domainname, "(none)");
    TRY(copy_to_user(user_buffer, &name));
    return 0;
}

ErrorOr<u64> sys_sysinfo(u64 user_info)
{
    struct sysinfo info {};
    info.uptime = static_cast<long>(clock_monotonic_ns() / NS_PER_SEC);
    info.totalram = PhysicalMemory::total_frames();
    info.freeram = PhysicalMemory::free_frames();
    info.procs = static_cast<u16>(Process::snapshot().size());
    info.mem_unit = PAGE_SIZE;
    TRY(copy_to_user(user_info, &info));
    return 0;
}

ErrorOr<u64> sys_getrlimit(int resource, u64 user_limit)
{
    TRY(check_resource(resource));
    auto& limit = Process::current().resource_limit(resource);
    UserRlimit value { limit.current, limit.maximum };
    TRY(copy_to_user(user_limit, &value));
    return 0;
}

ErrorOr<u64> sys_setrlimit(int resource, u64 user_limit)
{
    return sys_prlimit64(0, resource, user_limit, 0);
}

ErrorOr<u64> sys_prlimit64(int pid, int resource, u64 user_new_limit, u64 user_old_limit)
{
    TRY(check_resource(resource));
    RefPtr<Process> target = pid == 0 ? RefPtr<Process>(&Process::current()) : Process::from_pid(pid);
    if (!target)
        return Error(ESRCH);
    auto& limit = target->resource_limit(resource);
    UserRlimit old { limit.current, limit.maximum };
    if (user_new_limit) {
        UserRlimit requested;
        TRY(copy_from_user(&requested, user_new_limit));
        if (requested.current > requested.maximum)
            return Error(EINVAL);
        if (requested.maximum > limit.maximum && Process::current().credentials().euid != 0)
            return Error(EPERM);
        limit.current = requested.current;
        limit.maximum = requested.maximum;
    }
    if (user_old_limit)
        TRY(copy_to_user(user_old_limit, &old));
    return 0;
}

ErrorOr<u64> sys_reboot(u32 magic1, u32 magic2, u32 command, u64)
{
    if (magic1 != LINUX_REBOOT_MAGIC1 || (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A
        && magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
        return Error(EINVAL);
    if (Process::current().credentials().euid != 0)
        return Error(EPERM);
    switch (command) {
    case LINUX_REBOOT_CMD_POWER_OFF:
    case LINUX_REBOOT_CMD_HALT:
        kprintf("reboot: power down\n");
        arch::power_off(0);
    case LINUX_REBOOT_CMD_RESTART:
        kprintf("reboot: restart requested; powering off\n");
        arch::power_off(0);
    case LINUX_REBOOT_CMD_CAD_ON:
    case LINUX_REBOOT_CMD_CAD_OFF:
        return 0;
    default:
        return Error(EINVAL);
    }
}

ErrorOr<u64> sys_sched_yield()
{
    Scheduler::yield();
    return 0;
}

ErrorOr<u64> sys_sched_getaffinity(int pid, usize length, u64 user_mask)
{
    if (pid != 0 && !Process::from_pid(pid))
        return Error(ESRCH);
    // Linux requires room for nr_cpu_ids bits, in whole longs.
    if (length < sizeof(u64) || (length & (sizeof(u64) - 1)))
        return Error(EINVAL);
    u64 mask = (arch::cpu_count() >= 64) ? ~0ULL : ((1ULL << arch::cpu_count()) - 1);
    TRY(copy_to_user(user_mask, &mask));
    return sizeof(u64);
}

ErrorOr<u64> sys_getcpu(u64 user_cpu, u64 user_node, u64)
{
    u32 cpu = arch::current_cpu_id();
    u32 node = 0;
    if (user_cpu)
        TRY(copy_to_user(user_cpu, &cpu));
    if (user_node)
        TRY(copy_to_user(user_node, &node));
    return 0;
}

ErrorOr<u64> sys_getrandom(u64 user_buffer, usize length, u32 flags)
{
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return Error(EINVAL);
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
        return Error(EINVAL);
    length = min<usize>(length, 33554431);
    u8 chunk[256];
    usize done = 0;
    while (done < length) {
        usize n = min<usize>(sizeof(chunk), length - done);
        random_bytes(chunk, n);
        TRY(copy_to_user(user_buffer + done, chunk, n));
        done += n;
    }
    return done;
}
