// pipe, pipe2.
#include "fs/Pipe.h"
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"

ErrorOr<u64> sys_pipe2(u64 user_fds, int flags)
{
    if (flags & ~static_cast<int>(fs::O_CLOEXEC_ | fs::O_NONBLOCK_ | fs::O_DIRECT_))
        return Error(EINVAL);
    u32 status = static_cast<u32>(flags) & fs::O_NONBLOCK_;
    bool cloexec = flags & fs::O_CLOEXEC_;
    auto ends = TRY(create_pipe());
    auto reader = TRY(OpenFileDescription::try_create(move(ends.read_end), fs::O_READ_ONLY | status));
    auto writer = TRY(OpenFileDescription::try_create(move(ends.write_end), fs::O_WRITE_ONLY | status));
    auto& table = fsys::fds();
    int read_fd = TRY(fsys::install(move(reader), cloexec));
    auto write_fd_or_error = fsys::install(move(writer), cloexec);
    if (write_fd_or_error.is_error()) {
        (void)table.close(read_fd);
        return write_fd_or_error.release_error();
    }
    int write_fd = write_fd_or_error.release_value();
    int pair[2] = { read_fd, write_fd };
    auto copied = copy_to_user(user_fds, pair, sizeof(pair));
    if (copied.is_error()) {
        (void)table.close(read_fd);
        (void)table.close(write_fd);
        return copied.release_error();
    }
    return 0;
}

ErrorOr<u64> sys_pipe(u64 user_fds) { return sys_pipe2(user_fds, 0); }
