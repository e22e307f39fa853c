// Cyclic pid bitmap allocator (see Pid.h).
#include "proc/Pid.h"
#include "klib/Spinlock.h"

namespace {
Spinlock lock;
u64 used[pid_max / 64];
i32 last_pid;
}

ErrorOr<i32> allocate_pid()
{
    SpinlockGuard guard(lock);
    for (i32 attempt = 0; attempt < pid_max; ++attempt) {
        i32 candidate = last_pid + 1 + attempt;
        if (candidate >= pid_max)
            candidate = (candidate % pid_max) + (candidate >= pid_max ? 1 : 0);
        if (candidate <= 0)
            continue;
        u64 bit = 1ULL << (candidate % 64);
        if (used[candidate / 64] & bit)
            continue;
        used[candidate / 64] |= bit;
        last_pid = candidate;
        return candidate;
    }
    return Error(EAGAIN);
}

void release_pid(i32 pid)
{
    if (pid <= 0 || pid >= pid_max)
        return;
    SpinlockGuard guard(lock);
    used[pid / 64] &= ~(1ULL << (pid % 64));
}
