// FdTable (see FdTable.h). Descriptions being dropped are released after the table lock is
// released, so File::close() hooks never run under it.
#include "fs/FdTable.h"
#include "fs/OpenFileDescription.h"

ErrorOr<RefPtr<FdTable>> FdTable::try_create()
{
    return adopt_ref_or_enomem(new (std::nothrow) FdTable());
}

ErrorOr<RefPtr<FdTable>> FdTable::try_clone() const
{
    auto copy = TRY(try_create());
    SpinlockGuard guard(m_lock);
    TRY(copy->m_slots.try_ensure_capacity(m_slots.size()));
    for (auto const& slot : m_slots)
        TRY(copy->m_slots.try_append(Slot { slot.description, slot.cloexec, slot.fd }));
    return copy;
}

FdTable::~FdTable() = default;

ErrorOr<RefPtr<OpenFileDescription>> FdTable::get(int fd) const
{
    SpinlockGuard guard(m_lock);
    if (fd < 0 || static_cast<usize>(fd) >= m_slots.size() || !m_slots[fd].description)
        return Error(EBADF);
    return m_slots[fd].description;
}

ErrorOr<bool> FdTable::is_cloexec(int fd) const
{
    SpinlockGuard guard(m_lock);
    if (fd < 0 || static_cast<usize>(fd) >= m_slots.size() || !m_slots[fd].description)
        return Error(EBADF);
    return m_slots[fd].cloexec;
}

ErrorOr<void> FdTable::set_cloexec(int fd, bool cloexec)
{
    SpinlockGuard guard(m_lock);
    if (fd < 0 || static_cast<usize>(fd) >= m_slots.size() || !m_slots[fd].description)
        return Error(EBADF);
    m_slots[fd].cloexec = cloexec;
    return {};
}

ErrorOr<int> FdTable::allocate(RefPtr<OpenFileDescription> description, bool cloexec, int min_fd, int limit)
{
    VERIFY(description);
    limit = klib::clamp(limit, 0, static_cast<int>(max_fds));
    if (min_fd < 0 || min_fd >= limit)
        return Error(min_fd == 0 ? EMFILE : EINVAL);
    SpinlockGuard guard(m_lock);
    usize fd = static_cast<usize>(min_fd);
    while (fd < m_slots.size() && m_slots[fd].description)
        ++fd;
    if (fd >= static_cast<usize>(limit))
        return Error(EMFILE);
    if (fd >= m_slots.size()) {
        usize old = m_slots.size();
        TRY(m_slots.try_resize(fd + 1));
        for (usize i = old; i < m_slots.size(); ++i)
            m_slots[i].fd = static_cast<int>(i);
    }
    m_slots[fd].description = move(description);
    m_slots[fd].cloexec = cloexec;
    m_slots[fd].fd = static_cast<int>(fd);
    return static_cast<int>(fd);
}

ErrorOr<void> FdTable::install_at(int fd, RefPtr<OpenFileDescription> description, bool cloexec)
{
    VERIFY(description);
    if (fd < 0 || fd >= max_fds)
        return Error(EBADF);
    RefPtr<OpenFileDescription> replaced;
    {
        SpinlockGuard guard(m_lock);
        if (static_cast<usize>(fd) >= m_slots.size()) {
            usize old = m_slots.size();
            TRY(m_slots.try_resize(static_cast<usize>(fd) + 1));
            for (usize i = old; i < m_slots.size(); ++i)
                m_slots[i].fd = static_cast<int>(i);
        }
        replaced = move(m_slots[fd].description);
        m_slots[fd].description = move(description);
        m_slots[fd].cloexec = cloexec;
    }
    return {};
}

ErrorOr<void> FdTable::close(int fd)
{
    RefPtr<OpenFileDescription> closed;
    {
        SpinlockGuard guard(m_lock);
        if (fd < 0 || static_cast<usize>(fd) >= m_slots.size() || !m_slots[fd].description)
            return Error(EBADF);
        closed = move(m_slots[fd].description);
        m_slots[fd].cloexec = false;
    }
    return {};
}

void FdTable::close_on_exec()
{
    Vector<RefPtr<OpenFileDescription>> closed;
    SpinlockGuard guard(m_lock);
    for (auto& slot : m_slots) {
        if (slot.description && slot.cloexec) {
            // If the vector cannot grow, drop the reference under the lock (still correct,
            // only the close hook runs with the table locked).
            auto description = move(slot.description);
            slot.cloexec = false;
            if (closed.try_append(move(description)).is_error())
                description.clear();
        }
    }
    // `closed` is destroyed after `guard` (declared before it), i.e. outside the lock.
}

void FdTable::close_all()
{
    Vector<Slot> old;
    {
        SpinlockGuard guard(m_lock);
        old = move(m_slots);
    }
}
