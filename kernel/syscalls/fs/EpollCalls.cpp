// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait (see fs/Epoll.h).
#include "fs/Epoll.h"
#include "fs/Readiness.h"
#include "mm/UserBuffer.h"
#include "sched/Thread.h"
#include "syscalls/fs/FsSyscalls.h"
#include "time/Clock.h"

namespace {

constexpr int max_events_per_call = 0x7fffffff / static_cast<int>(sizeof(EpollEvent)); // EP_MAX_EVENTS
constexpr u64 unblockable = signal_bit(9) | signal_bit(19);

ErrorOr<u64> create_epoll(bool cloexec)
{
    auto epoll = TRY(EpollFile::try_create());
    auto description = TRY(OpenFileDescription::try_create(RefPtr<File>(move(epoll)), fs::O_READ_WRITE));
    return static_cast<u64>(TRY(fsys::install(move(description), cloexec)));
}

ErrorOr<u64> do_epoll_wait(int epoll_fd, u64 user_events, int max_events, int timeout_ms)
{
    if (max_events <= 0 || max_events > max_events_per_call)
        return Error(EINVAL);
    auto description = TRY(fsys::description(epoll_fd));
    if (!description->file().is_epoll())
        return Error(EINVAL);
    auto& epoll = static_cast<EpollFile&>(description->file());
    usize capacity = klib::min<usize>(static_cast<usize>(max_events), 1024);
    Vector<EpollEvent> events;
    TRY(events.try_resize(capacity));
    u64 deadline = timeout_ms > 0 ? clock_monotonic_ns() + static_cast<u64>(timeout_ms) * 1000000ULL : 0;
    for (;;) {
        u64 generation = poll_generation();
        usize count = epoll.collect_ready(events.data(), capacity);
        if (count) {
            TRY(copy_to_user(user_events, events.data(), count * sizeof(EpollEvent)));
            return count;
        }
        if (timeout_ms == 0)
            return 0;
        auto waited = poll_wait_for_change(generation, deadline);
        if (waited.is_error()) {
            if (waited.error().code() == ETIMEDOUT)
                return 0;
            return waited.release_error();
        }
    }
}

}

ErrorOr<u64> sys_epoll_create(int size)
{
    if (size <= 0)
        return Error(EINVAL);
    return create_epoll(false);
}

ErrorOr<u64> sys_epoll_create1(int flags)
{
    if (flags & ~static_cast<int>(fs::EPOLL_CLOEXEC_))
        return Error(EINVAL);
    return create_epoll(flags & fs::EPOLL_CLOEXEC_);
}

ErrorOr<u64> sys_epoll_ctl(int epoll_fd, int op, int fd, u64 user_event)
{
    EpollEvent event { 0, 0 };
    if (op != fs::EPOLL_CTL_DEL_)
        TRY(copy_from_user(&event, user_event));
    auto epoll_description = TRY(fsys::description(epoll_fd));
    auto target = TRY(fsys::description(fd));
    if (!target->file().can_poll())
        return Error(EPERM);
    if (epoll_description == target || !epoll_description->file().is_epoll())
        return Error(EINVAL);
    auto& epoll = static_cast<EpollFile&>(epoll_description->file());
    TRY(epoll.control(op, fd, *target, event));
    return 0;
}

ErrorOr<u64> sys_epoll_wait(int epoll_fd, u64 user_events, int max_events, int timeout_ms)
{
    return do_epoll_wait(epoll_fd, user_events, max_events, timeout_ms);
}

ErrorOr<u64> sys_epoll_pwait(int epoll_fd, u64 user_events, int max_events, int timeout_ms, u64 user_sigmask, usize sigset_size)
{
    if (!user_sigmask)
        return do_epoll_wait(epoll_fd, user_events, max_events, timeout_ms);
    if (sigset_size != 8)
        return Error(EINVAL);
    u64 mask;
    TRY(copy_from_user(&mask, user_sigmask));
    auto& signals = Process::current().signals();
    u64 old = signals.blocked;
    signals.blocked = mask & ~unblockable;
    auto result = do_epoll_wait(epoll_fd, user_events, max_events, timeout_ms);
    if (result.is_error() && (result.error().code() == EINTR || result.error().code() == ERESTARTSYS)) {
        Thread& thread = Thread::current();
        thread.saved_sigmask = old;
        thread.restore_sigmask = true;
    } else {
        signals.blocked = old;
    }
    return result;
}
