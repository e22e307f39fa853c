// epoll instances (see Epoll.h).
#include "fs/Epoll.h"
#include "fs/FileSystem.h"
#include "fs/Inode.h"
#include "fs/OpenFileDescription.h"
#include "klib/Spinlock.h"

namespace {
constinit Spinlock epoll_lock;
constexpr u64 never_reported = ~0ULL;
constexpr u32 always_reported = fs::POLLERR_ | fs::POLLHUP_;
}

ErrorOr<RefPtr<EpollFile>> EpollFile::try_create()
{
    return adopt_ref_or_enomem(new (std::nothrow) EpollFile());
}

EpollFile::~EpollFile()
{
    SpinlockGuard guard(epoll_lock);
    for (auto& entry : m_entries) {
        auto& watchers = entry.description->m_epoll_watchers;
        for (usize i = 0; i < watchers.size(); ++i) {
            if (watchers[i] == this) {
                watchers.remove(i);
                break;
            }
        }
    }
    m_entries.clear();
}

void epoll_detach_description(OpenFileDescription& description)
{
    SpinlockGuard guard(epoll_lock);
    for (EpollFile* epoll : description.m_epoll_watchers) {
        epoll->m_entries.remove_all_matching([&](EpollFile::Entry const& entry) { return entry.description == &description; });
        epoll->notify_readiness_changed();
    }
    description.m_epoll_watchers.clear();
}

bool EpollFile::reaches_locked(EpollFile const* target, int depth) const
{
    if (this == target)
        return true;
    if (depth > fs::epoll_max_nesting)
        return true; // too deep: treat as a loop (ELOOP)
    for (auto const& entry : m_entries) {
        File& file = entry.description->file();
        if (file.is_epoll() && static_cast<EpollFile const&>(file).reaches_locked(target, depth + 1))
            return true;
    }
    return false;
}

ErrorOr<void> EpollFile::control(int op, int fd, OpenFileDescription& target, EpollEvent const& event)
{
    if (&target.file() == this)
        return Error(EINVAL);
    if (!target.file().can_poll())
        return Error(EPERM);
    u32 events = event.events;
    if ((events & fs::EPOLLEXCLUSIVE_) && op != fs::EPOLL_CTL_DEL_) {
        if (op == fs::EPOLL_CTL_MOD_ || target.file().is_epoll() || (events & fs::EPOLLONESHOT_))
            return Error(EINVAL);
    }

    SpinlockGuard guard(epoll_lock);
    Entry* existing = nullptr;
    for (auto& entry : m_entries)
        if (entry.fd == fd && entry.description == &target)
            existing = &entry;

    switch (op) {
    case fs::EPOLL_CTL_ADD_: {
        if (existing)
            return Error(EEXIST);
        if (target.file().is_epoll() && static_cast<EpollFile&>(target.file()).reaches_locked(this, 1))
            return Error(ELOOP);
        TRY(target.m_epoll_watchers.try_ensure_capacity(target.m_epoll_watchers.size() + 1));
        TRY(m_entries.try_append(Entry { &target, fd, events | always_reported, event.data, true, never_reported, never_reported, true }));
        target.m_epoll_watchers.append(this);
        break;
    }
    case fs::EPOLL_CTL_MOD_:
        if (!existing)
            return Error(ENOENT);
        if (existing->events & fs::EPOLLEXCLUSIVE_)
            return Error(EINVAL);
        existing->events = events | always_reported;
        existing->data = event.data;
        existing->armed = true;
        existing->reported_sequence = never_reported;
        existing->requeued = true;
        break;
    case fs::EPOLL_CTL_DEL_: {
        if (!existing)
            return Error(ENOENT);
        usize index = static_cast<usize>(existing - m_entries.data());
        m_entries.remove(index);
        auto& watchers = target.m_epoll_watchers;
        for (usize i = 0; i < watchers.size(); ++i) {
            if (watchers[i] == this) {
                watchers.remove(i);
                break;
            }
        }
        break;
    }
    default:
        return Error(EINVAL);
    }
    // The set of ready entries may have changed (matters for nested epolls and pollers).
    notify_readiness_changed();
    return {};
}

// On Linux's ready list: just added or modified, notified since last looked at, or re-queued
// after a level-triggered report. Nested epoll files are always looked at (their own entries
// apply the rule).
bool EpollFile::may_be_ready(Entry const& entry)
{
    File& file = entry.description->file();
    return entry.requeued || file.is_epoll() || entry.checked_sequence != file.readiness_sequence();
}

u32 EpollFile::entry_ready_locked(Entry& entry, int depth)
{
    if (!entry.armed || !may_be_ready(entry))
        return 0;
    File& file = entry.description->file();
    u32 status;
    if (file.is_epoll()) {
        if (depth > fs::epoll_max_nesting)
            return 0;
        status = static_cast<EpollFile&>(file).any_ready_locked(depth + 1) ? (fs::POLLIN_ | fs::POLLRDNORM_) : 0;
    } else {
        status = entry.description->poll_status();
    }
    u32 revents = status & entry.events & ~(fs::EPOLLET_ | fs::EPOLLONESHOT_ | fs::EPOLLEXCLUSIVE_ | fs::EPOLLWAKEUP_);
    if (!revents)
        return 0;
    if ((entry.events & fs::EPOLLET_) && entry.reported_sequence == file.readiness_sequence())
        return 0;
    return revents;
}

bool EpollFile::any_ready_locked(int depth)
{
    for (auto& entry : m_entries)
        if (entry_ready_locked(entry, depth))
            return true;
    return false;
}

usize EpollFile::collect_ready(EpollEvent* out, usize max)
{
    SpinlockGuard guard(epoll_lock);
    usize count = 0;
    usize total = m_entries.size();
    if (total == 0 || max == 0)
        return 0;
    usize start = m_scan_start % total;
    for (usize n = 0; n < total && count < max; ++n) {
        auto& entry = m_entries[(start + n) % total];
        u64 sequence = entry.description->file().readiness_sequence();
        u32 revents = entry_ready_locked(entry, 1);
        entry.checked_sequence = sequence;
        entry.requeued = false;
        if (!revents)
            continue;
        entry.requeued = !(entry.events & (fs::EPOLLET_ | fs::EPOLLONESHOT_));
        out[count].events = revents;
        out[count].data = entry.data;
        ++count;
        if (entry.events & fs::EPOLLET_)
            entry.reported_sequence = entry.description->file().readiness_sequence();
        if (entry.events & fs::EPOLLONESHOT_)
            entry.armed = false;
        m_scan_start = (start + n + 1) % total;
    }
    return count;
}

u32 EpollFile::poll_status(OpenFileDescription&)
{
    SpinlockGuard guard(epoll_lock);
    return any_ready_locked(1) ? (fs::POLLIN_ | fs::POLLRDNORM_) : 0;
}

ErrorOr<void> EpollFile::fdinfo(OpenFileDescription const&, StringBuilder& builder) const
{
    struct Line {
        int fd;
        u32 events;
        u64 data;
        u64 pos;
        u64 ino;
        u64 dev;
    };
    Vector<Line> lines;
    {
        SpinlockGuard guard(epoll_lock);
        TRY(lines.try_ensure_capacity(m_entries.size()));
        for (auto const& entry : m_entries) {
            Inode* inode = entry.description->inode();
            lines.append(Line { entry.fd, entry.events, entry.data, 0, inode ? inode->ino() : 0, inode ? inode->fs().dev() : 0 });
        }
    }
    for (auto const& line : lines)
        TRY(builder.try_appendf("tfd: %8d events: %8x data: %16llx  pos:%llu ino:%llx sdev:%llx\n",
            line.fd, line.events, static_cast<unsigned long long>(line.data), static_cast<unsigned long long>(line.pos),
            static_cast<unsigned long long>(line.ino), static_cast<unsigned long long>(line.dev)));
    return {};
}
