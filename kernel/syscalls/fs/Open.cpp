// open, openat, creat, close.
#include "syscalls/fs/FsSyscalls.h"

ErrorOr<u64> sys_openat(int dirfd, u64 user_path, int flags, u32 mode)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    u32 open_flags = static_cast<u32>(flags) | fs::O_LARGEFILE_; // force_o_largefile() on 64-bit
    if (open_flags & (fs::O_CREATE | fs::O_TMPFILE_))
        mode = mode & ~Process::current().umask() & fs::S_PERMISSION_MASK;
    else
        mode = 0;
    auto description = TRY(vfs_open_at(*base, path.view(), open_flags, mode, fsys::credentials()));
    int fd = TRY(fsys::install(move(description), open_flags & fs::O_CLOEXEC_));
    return static_cast<u64>(fd);
}

ErrorOr<u64> sys_open(u64 user_path, int flags, u32 mode)
{
    return sys_openat(fs::AT_FDCWD_, user_path, flags, mode);
}

ErrorOr<u64> sys_creat(u64 user_path, u32 mode)
{
    return sys_openat(fs::AT_FDCWD_, user_path, static_cast<int>(fs::O_CREATE | fs::O_WRITE_ONLY | fs::O_TRUNCATE), mode);
}

ErrorOr<u64> sys_close(int fd)
{
    TRY(fsys::fds().close(fd));
    return 0;
}
