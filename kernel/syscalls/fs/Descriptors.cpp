// dup, dup2, dup3, fcntl, ioctl (the generic part; the rest goes to File::ioctl).
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"
#include "fs/Pipe.h"
#include <asm/ioctls.h>
#include <linux/fcntl.h>

ErrorOr<u64> sys_dup(int fd)
{
    auto description = TRY(fsys::description(fd));
    return static_cast<u64>(TRY(fsys::install(move(description), false)));
}

ErrorOr<u64> sys_dup3(int old_fd, int new_fd, int flags)
{
    if (flags & ~static_cast<int>(fs::O_CLOEXEC_))
        return Error(EINVAL);
    if (old_fd == new_fd)
        return Error(EINVAL);
    auto description = TRY(fsys::description(old_fd));
    if (new_fd < 0 || new_fd >= fsys::fd_limit())
        return Error(EBADF);
    TRY(fsys::fds().install_at(new_fd, move(description), flags & fs::O_CLOEXEC_));
    return static_cast<u64>(new_fd);
}

ErrorOr<u64> sys_dup2(int old_fd, int new_fd)
{
    if (old_fd == new_fd) {
        TRY(fsys::description(old_fd));
        return static_cast<u64>(new_fd);
    }
    auto description = TRY(fsys::description(old_fd));
    if (new_fd < 0 || new_fd >= fsys::fd_limit())
        return Error(EBADF);
    TRY(fsys::fds().install_at(new_fd, move(description), false));
    return static_cast<u64>(new_fd);
}

ErrorOr<u64> sys_fcntl(int fd, int command, u64 arg)
{
    auto description = TRY(fsys::description(fd));
    auto& table = fsys::fds();
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (arg >= static_cast<u64>(fsys::fd_limit()))
            return Error(EINVAL);
        return static_cast<u64>(TRY(fsys::install(move(description), command == F_DUPFD_CLOEXEC, static_cast<int>(arg))));
    }
    case F_GETFD:
        return TRY(table.is_cloexec(fd)) ? FD_CLOEXEC : 0;
    case F_SETFD:
        TRY(table.set_cloexec(fd, arg & FD_CLOEXEC));
        return 0;
    case F_GETFL:
        return description->flags();
    case F_SETFL:
        if (description->is_path_only())
            return Error(EBADF);
        description->set_status_flags(static_cast<u32>(arg));
        description->file().notify_readiness_changed();
        return 0;
    case F_GETLK: {
        if (description->is_path_only())
            return Error(EBADF);
        // Advisory record locks are not enforced: report every range as unlocked.
        struct flock lock;
        TRY(copy_from_user(&lock, arg));
        if (lock.l_type != F_RDLCK && lock.l_type != F_WRLCK)
            return Error(EINVAL);
        lock.l_type = F_UNLCK;
        TRY(copy_to_user(arg, &lock));
        return 0;
    }
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
        if (description->is_path_only())
            return Error(EBADF);
        struct flock lock;
        TRY(copy_from_user(&lock, arg));
        if (lock.l_type != F_RDLCK && lock.l_type != F_WRLCK && lock.l_type != F_UNLCK)
            return Error(EINVAL);
        if (lock.l_type == F_RDLCK && !description->is_readable())
            return Error(EBADF);
        if (lock.l_type == F_WRLCK && !description->is_writable())
            return Error(EBADF);
        return 0;
    }
    case F_GETOWN:
        return 0;
    case F_SETOWN:
        return 0;
    case F_GETPIPE_SZ:
        if (!description->file().is_pipe())
            return Error(EBADF);
        return pipe_capacity;
    case F_SETPIPE_SZ:
        if (!description->file().is_pipe())
            return Error(EBADF);
        if (arg > pipe_capacity)
            return Error(EPERM); // the ring has a fixed size
        return pipe_capacity;
    default:
        return Error(EINVAL);
    }
}

ErrorOr<u64> sys_ioctl(int fd, u32 request, u64 arg)
{
    auto description = TRY(fsys::description(fd));
    if (description->is_path_only())
        return Error(EBADF);
    switch (request) {
    case FIOCLEX:
        TRY(fsys::fds().set_cloexec(fd, true));
        return 0;
    case FIONCLEX:
        TRY(fsys::fds().set_cloexec(fd, false));
        return 0;
    case FIONBIO: {
        int on;
        TRY(copy_from_user(&on, arg));
        description->set_nonblocking(on != 0);
        return 0;
    }
    case FIOASYNC: {
        int on;
        TRY(copy_from_user(&on, arg));
        return 0;
    }
    case FIONREAD:
        if (description->file().is_regular()) {
            auto md = TRY(description->metadata());
            u64 offset = description->offset();
            int available = static_cast<int>(md.size > offset ? klib::min<u64>(md.size - offset, 0x7fffffff) : 0);
            TRY(copy_to_user(arg, &available));
            return 0;
        }
        break;
    default:
        break;
    }
    return description->file().ioctl(*description, request, arg);
}
