// poll, ppoll. Readiness comes from File::poll_status(); waiting uses the global readiness
// generation (fs/Readiness.h): sample it, check every fd, sleep until it moves.
#include "fs/Readiness.h"
#include "mm/UserBuffer.h"
#include "sched/Thread.h"
#include "syscalls/fs/FsSyscalls.h"
#include "time/Clock.h"

namespace {

struct PollFd {
    i32 fd;
    i16 events;
    i16 revents;
};

constexpr u64 unblockable = signal_bit(9) | signal_bit(19); // SIGKILL, SIGSTOP

ErrorOr<u64> do_poll(u64 user_fds, u64 nfds, bool has_timeout, u64 timeout_ns)
{
    if (nfds > static_cast<u64>(fsys::fd_limit()))
        return Error(EINVAL);
    Vector<PollFd> fds;
    TRY(fds.try_resize(static_cast<usize>(nfds)));
    if (nfds)
        TRY(copy_from_user(fds.data(), user_fds, sizeof(PollFd) * nfds));
    u64 deadline = 0;
    if (has_timeout && timeout_ns)
        deadline = clock_monotonic_ns() + timeout_ns;
    u64 ready;
    for (;;) {
        u64 generation = poll_generation();
        ready = 0;
        for (auto& pfd : fds) {
            pfd.revents = 0;
            if (pfd.fd < 0)
                continue;
            auto description = fsys::description(pfd.fd);
            u32 revents;
            if (description.is_error()) {
                revents = fs::POLLNVAL_;
            } else {
                u32 wanted = static_cast<u16>(pfd.events) | fs::POLLERR_ | fs::POLLHUP_;
                revents = description.value()->poll_status() & wanted;
            }
            pfd.revents = static_cast<i16>(revents);
            if (revents)
                ++ready;
        }
        if (ready || (has_timeout && timeout_ns == 0))
            break;
        auto waited = poll_wait_for_change(generation, deadline);
        if (waited.is_error()) {
            if (waited.error().code() == ETIMEDOUT)
                break;
            return waited.release_error();
        }
    }
    if (nfds)
        TRY(copy_to_user(user_fds, fds.data(), sizeof(PollFd) * nfds));
    return ready;
}

}

// Temporarily replaces the signal mask for ppoll/epoll_pwait/pselect-style waits. When the
// wait ends with EINTR the old mask is restored only after the signal has been delivered
// (Thread::restore_sigmask, like sigsuspend); otherwise at once.
class ScopedSignalMask {
public:
    ErrorOr<void> install(u64 user_sigmask, usize sigset_size)
    {
        if (!user_sigmask)
            return {};
        if (sigset_size != 8)
            return Error(EINVAL);
        u64 mask;
        TRY(copy_from_user(&mask, user_sigmask));
        auto& signals = Process::current().signals();
        m_old = signals.blocked;
        signals.blocked = mask & ~unblockable;
        m_active = true;
        return {};
    }
    void finish(bool interrupted)
    {
        if (!m_active)
            return;
        m_active = false;
        if (interrupted) {
            Thread& thread = Thread::current();
            thread.saved_sigmask = m_old;
            thread.restore_sigmask = true;
        } else {
            Process::current().signals().blocked = m_old;
        }
    }
    ~ScopedSignalMask() { finish(false); }

private:
    u64 m_old { 0 };
    bool m_active { false };
};

ErrorOr<u64> sys_poll(u64 user_fds, u64 nfds, int timeout_ms)
{
    if (timeout_ms < 0)
        return do_poll(user_fds, nfds, false, 0);
    return do_poll(user_fds, nfds, true, static_cast<u64>(timeout_ms) * 1000000ULL);
}

ErrorOr<u64> sys_ppoll(u64 user_fds, u64 nfds, u64 user_timeout, u64 user_sigmask, usize sigset_size)
{
    bool has_timeout = false;
    u64 timeout_ns = 0;
    if (user_timeout) {
        struct {
            i64 seconds;
            i64 nanoseconds;
        } ts;
        TRY(copy_from_user(&ts, user_timeout));
        if (ts.seconds < 0 || ts.nanoseconds < 0 || ts.nanoseconds >= static_cast<i64>(NS_PER_SEC))
            return Error(EINVAL);
        has_timeout = true;
        u64 seconds = klib::min<u64>(static_cast<u64>(ts.seconds), 1ULL << 32);
        timeout_ns = seconds * NS_PER_SEC + static_cast<u64>(ts.nanoseconds);
    }
    ScopedSignalMask mask;
    TRY(mask.install(user_sigmask, sigset_size));
    u64 started = clock_monotonic_ns();
    auto result = do_poll(user_fds, nfds, has_timeout, timeout_ns);
    mask.finish(result.is_error() && (result.error().code() == EINTR || result.error().code() == ERESTARTSYS));
    if (has_timeout && timeout_ns) {
        // Like Linux, ppoll stores the time left, so a restarted call waits only for that.
        u64 elapsed = clock_monotonic_ns() - started;
        u64 left = elapsed < timeout_ns ? timeout_ns - elapsed : 0;
        struct {
            i64 seconds;
            i64 nanoseconds;
        } remaining { static_cast<i64>(left / NS_PER_SEC), static_cast<i64>(left % NS_PER_SEC) };
        (void)copy_to_user(user_timeout, &remaining);
    }
    return result;
}
