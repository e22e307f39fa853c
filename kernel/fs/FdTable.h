// FdTable: a process's file descriptor table — slots holding a reference to an open file
// description plus the per-descriptor FD_CLOEXEC flag. Shared by reference (fork copies it,
// a future CLONE_FILES shares it). All methods take the table's spinlock; they never block.
// Descriptors are allocated lowest-first like Linux; the limit is RLIMIT_NOFILE (1024).
#pragma once

#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"

class OpenFileDescription;

class FdTable : public RefCounted {
public:
    static constexpr int max_fds = 1024;

    static ErrorOr<RefPtr<FdTable>> try_create();
    ErrorOr<RefPtr<FdTable>> try_clone() const;
    ~FdTable() override;

    // EBADF when fd is not open.
    ErrorOr<RefPtr<OpenFileDescription>> get(int fd) const;
    ErrorOr<bool> is_cloexec(int fd) const;
    ErrorOr<void> set_cloexec(int fd, bool cloexec);
    // Installs at the lowest free slot >= min_fd; EMFILE when full. `limit` is the caller's
    // RLIMIT_NOFILE soft limit (fds >= limit are never used); EINVAL if min_fd >= limit.
    ErrorOr<int> allocate(RefPtr<OpenFileDescription> description, bool cloexec, int min_fd = 0, int limit = max_fds);
    // dup2/dup3 semantics: replaces whatever is at fd (closing it) atomically.
    ErrorOr<void> install_at(int fd, RefPtr<OpenFileDescription> description, bool cloexec);
    ErrorOr<void> close(int fd);
    void close_on_exec();
    void close_all();
    // For /proc/<pid>/fd: calls callback(fd, description) for each open descriptor.
    template<typename Callback>
    void for_each(Callback callback) const
    {
        Vector<Slot> copy;
        {
            SpinlockGuard guard(m_lock);
            for (usize i = 0; i < m_slots.size(); ++i)
                if (m_slots[i].description)
                    (void)copy.try_append(Slot { m_slots[i].description, m_slots[i].cloexec, static_cast<int>(i) });
        }
        for (auto& slot : copy)
            callback(slot.fd, *slot.description);
    }

private:
    struct Slot {
        RefPtr<OpenFileDescription> description;
        bool cloexec { false };
        int fd { -1 };
    };
    mutable Spinlock m_lock;
    Vector<Slot> m_slots;
};
