// open, openat, creat, close.
#include "lib/LinuxFunctions.h"
#include "syscalls/fs/FsSyscalls.h"

namespace {

ErrorOr<u64> open_file(int dirfd, u64 user_path, OpenHow const& how)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    u32 open_flags = static_cast<u32>(how.flags);
    u32 mode = static_cast<u32>(how.mode);
    if (open_flags & (fs::O_CREATE | fs::O_TMPFILE_))
        mode = mode & ~Process::current().umask() & fs::S_PERMISSION_MASK;
    else
        mode = 0;
    auto description = TRY(vfs_open_at(*base, path.view(), open_flags, mode, fsys::credentials()));
    int fd = TRY(fsys::install(move(description), open_flags & fs::O_CLOEXEC_));
    return static_cast<u64>(fd);
}

}

// Linux's do_sys_openat2 (fs/open.c): every open goes through here.
extern "C" __attribute__((noinline)) long do_sys_openat2(int dfd, char const* filename, OpenHow* how)
{
    return linux_return_value(open_file(dfd, reinterpret_cast<u64>(filename), *how));
}

ErrorOr<u64> sys_openat(int dirfd, u64 user_path, int flags, u32 mode)
{
    // build_open_how(): O_LARGEFILE forced on 64-bit, the mode kept only when creating.
    u64 open_flags = static_cast<u32>(flags) | fs::O_LARGEFILE_;
    OpenHow how { open_flags, (open_flags & (fs::O_CREATE | fs::O_TMPFILE_)) ? (mode & 07777) : 0, 0 };
    return from_linux_return_value(do_sys_openat2(dirfd, reinterpret_cast<char const*>(user_path), &how));
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
