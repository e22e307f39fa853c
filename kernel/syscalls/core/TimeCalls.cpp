// Time syscalls: clocks, sleeps, process times.
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "sched/Thread.h"
#include "syscalls/Syscall.h"
#include "time/Clock.h"
#include <linux/resource.h>
#include <linux/time.h>
#include <linux/times.h>

namespace {

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

WaitQueue sleep_queue; // sleepers wake by deadline or signal only

ErrorOr<u64> read_clock(int clock)
{
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
        return clock_realtime_ns();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        return clock_monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID: {
        Process& process = Process::current();
        return process.user_time_ns() + process.system_time_ns();
    }
    case CLOCK_THREAD_CPUTIME_ID:
        return Thread::current().cpu_time_ns;
    default:
        return Error(EINVAL);
    }
}

ErrorOr<Timespec> read_timespec(u64 user_timespec)
{
    Timespec ts;
    TRY(copy_from_user(&ts, user_timespec));
    if (ts.seconds < 0 || ts.nanoseconds < 0 || ts.nanoseconds >= static_cast<i64>(NS_PER_SEC))
        return Error(EINVAL);
    return ts;
}

// Sleeps until CLOCK_MONOTONIC reaches deadline; EINTR (with remaining time) on a signal.
ErrorOr<void> sleep_until(u64 deadline, u64 user_remaining)
{
    auto result = sleep_queue.wait_until([&] { return clock_monotonic_ns() >= deadline; }, deadline);
    if (result.is_error() && result.error().code() == ERESTARTSYS) {
        if (user_remaining) {
            u64 now = clock_monotonic_ns();
            u64 left = deadline > now ? deadline - now : 0;
            Timespec remaining { static_cast<i64>(left / NS_PER_SEC), static_cast<i64>(left % NS_PER_SEC) };
            TRY(copy_to_user(user_remaining, &remaining));
        }
        return Error(EINTR); // nanosleep is never restarted with the full time
    }
    return {};
}

}

ErrorOr<u64> sys_clock_gettime(int clock, u64 user_timespec)
{
    u64 ns = TRY(read_clock(clock));
    Timespec ts { static_cast<i64>(ns / NS_PER_SEC), static_cast<i64>(ns % NS_PER_SEC) };
    TRY(copy_to_user(user_timespec, &ts));
    return 0;
}

ErrorOr<u64> sys_clock_getres(int clock, u64 user_timespec)
{
    TRY(read_clock(clock));
    if (user_timespec) {
        Timespec ts { 0, 1 };
        TRY(copy_to_user(user_timespec, &ts));
    }
    return 0;
}

ErrorOr<u64> sys_gettimeofday(u64 user_timeval, u64 user_timezone)
{
    if (user_timeval) {
        u64 ns = clock_realtime_ns();
        i64 tv[2] = { static_cast<i64>(ns / NS_PER_SEC), static_cast<i64>((ns % NS_PER_SEC) / 1000) };
        TRY(copy_to_user(user_timeval, tv, sizeof(tv)));
    }
    if (user_timezone) {
        i32 tz[2] = { 0, 0 };
        TRY(copy_to_user(user_timezone, tz, sizeof(tz)));
    }
    return 0;
}

ErrorOr<u64> sys_time(u64 user_time)
{
    i64 seconds = static_cast<i64>(clock_realtime_ns() / NS_PER_SEC);
    if (user_time)
        TRY(copy_to_user(user_time, &seconds));
    return static_cast<u64>(seconds);
}

ErrorOr<u64> sys_nanosleep(u64 user_request, u64 user_remaining)
{
    Timespec request = TRY(read_timespec(user_request));
    u64 deadline = clock_monotonic_ns() + static_cast<u64>(request.seconds) * NS_PER_SEC + static_cast<u64>(request.nanoseconds);
    TRY(sleep_until(deadline, user_remaining));
    return 0;
}

ErrorOr<u64> sys_clock_nanosleep(int clock, int flags, u64 user_request, u64 user_remaining)
{
    // Linux: unknown clocks are EINVAL, known clocks without a sleep operation EOPNOTSUPP.
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
        break;
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
        return Error(EOPNOTSUPP);
    default:
        return Error(EINVAL); // includes the CPU-time clocks, whose sleeps are not supported
    }
    if (clock == CLOCK_REALTIME_ALARM)
        clock = CLOCK_REALTIME;
    if (clock == CLOCK_BOOTTIME_ALARM)
        clock = CLOCK_BOOTTIME;
    if (flags & ~TIMER_ABSTIME)
        return Error(EINVAL);
    Timespec request = TRY(read_timespec(user_request));
    u64 requested = static_cast<u64>(request.seconds) * NS_PER_SEC + static_cast<u64>(request.nanoseconds);
    u64 deadline;
    if (flags & TIMER_ABSTIME) {
        u64 now_on_clock = TRY(read_clock(clock));
        u64 now = clock_monotonic_ns();
        deadline = requested > now_on_clock ? now + (requested - now_on_clock) : now;
        user_remaining = 0;
    } else {
        deadline = clock_monotonic_ns() + requested;
    }
    auto result = sleep_until(deadline, user_remaining);
    if (result.is_error())
        return result.release_error();
    return 0;
}

ErrorOr<u64> sys_times(u64 user_tms)
{
    Process& process = Process::current();
    constexpr u64 ns_per_clock_tick = NS_PER_SEC / 100;
    if (user_tms) {
        struct tms t {};
        t.tms_utime = static_cast<long>(process.user_time_ns() / ns_per_clock_tick);
        t.tms_stime = static_cast<long>(process.system_time_ns() / ns_per_clock_tick);
        TRY(copy_to_user(user_tms, &t));
    }
    return clock_monotonic_ns() / ns_per_clock_tick;
}

ErrorOr<u64> sys_getrusage(int who, u64 user_usage)
{
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return Error(EINVAL);
    struct rusage usage {};
    if (who != RUSAGE_CHILDREN) {
        Process& process = Process::current();
        usage.ru_utime.tv_sec = static_cast<long>(process.user_time_ns() / NS_PER_SEC);
        usage.ru_utime.tv_usec = static_cast<long>((process.user_time_ns() % NS_PER_SEC) / 1000);
        usage.ru_stime.tv_sec = static_cast<long>(process.system_time_ns() / NS_PER_SEC);
        usage.ru_stime.tv_usec = static_cast<long>((process.system_time_ns() % NS_PER_SEC) / 1000);
    }
    TRY(copy_to_user(user_usage, &usage));
    return 0;
}
