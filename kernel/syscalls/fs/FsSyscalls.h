// Shared helpers of the file syscalls: the current process's fd table, path copying
// (PATH_MAX -> ENAMETOOLONG, bad pointer -> EFAULT), the base directory of *at() calls
// (absolute paths ignore dirfd; AT_FDCWD is the cwd; else dirfd must name a directory), the
// credentials for permission checks, and stat/statx conversion.
#pragma once

#include "fs/Vfs.h"
#include "proc/Process.h"
#include "syscalls/Syscall.h"

namespace fsys {

inline FdTable& fds() { return Process::current().fds(); }
// The RLIMIT_NOFILE soft limit (at most FdTable::max_fds): fds at or above it are refused.
inline int fd_limit()
{
    constexpr int rlimit_nofile = 7;
    u64 limit = Process::current().resource_limit(rlimit_nofile).current;
    return static_cast<int>(klib::min<u64>(limit, FdTable::max_fds));
}
// Installs a description at the lowest free fd below the limit.
inline ErrorOr<int> install(RefPtr<OpenFileDescription> description, bool cloexec, int min_fd = 0)
{
    return fds().allocate(move(description), cloexec, min_fd, fd_limit());
}
inline ErrorOr<RefPtr<OpenFileDescription>> description(int fd) { return fds().get(fd); }

// The path argument of a syscall. Empty paths are returned as such (callers decide between
// ENOENT and AT_EMPTY_PATH).
ErrorOr<String> copy_path(u64 user_path);
// Like copy_path, but an empty path is ENOENT.
ErrorOr<String> copy_nonempty_path(u64 user_path);
// The directory a relative `path` of an *at() call starts from.
ErrorOr<RefPtr<Custody>> base_for(int dirfd, StringView path);
// For AT_EMPTY_PATH: the object dirfd names (the cwd for AT_FDCWD).
ErrorOr<RefPtr<OpenFileDescription>> description_for_empty_path(int dirfd);

FsCredentials credentials();
// Real ids (access/faccessat without AT_EACCESS).
FsCredentials real_credentials();

// struct stat / struct statx in Linux's x86_64 layout.
ErrorOr<void> copy_stat_to_user(u64 user_stat, InodeMetadata const&);
ErrorOr<void> copy_statx_to_user(u64 user_statx, InodeMetadata const&, u32 requested_mask);
ErrorOr<InodeMetadata> custody_metadata(Custody&);

}
