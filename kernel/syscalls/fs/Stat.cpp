// fstat, stat, lstat, newfstatat, statx, access, faccessat, faccessat2, readlink, readlinkat.
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"

namespace {

constexpr u32 statx_reserved = 0x80000000U; // STATX__RESERVED

ErrorOr<InodeMetadata> metadata_at(int dirfd, u64 user_path, int flags, bool& empty_used)
{
    auto path = TRY(fsys::copy_path(user_path));
    empty_used = false;
    if (path.is_empty()) {
        if (!(flags & fs::AT_EMPTY_PATH_))
            return Error(ENOENT);
        empty_used = true;
        auto description = TRY(fsys::description_for_empty_path(dirfd));
        return description->metadata();
    }
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    bool follow = !(flags & fs::AT_SYMLINK_NOFOLLOW_);
    auto custody = TRY(resolve_custody(path.view(), *base, fsys::credentials(), follow));
    return fsys::custody_metadata(*custody);
}

ErrorOr<u64> do_readlinkat(int dirfd, u64 user_path, u64 user_buffer, int size)
{
    if (size <= 0)
        return Error(EINVAL);
    auto path = TRY(fsys::copy_path(user_path));
    String target;
    if (path.is_empty()) {
        // readlinkat(fd, "") reads the symlink an O_PATH|O_NOFOLLOW fd names.
        auto description = TRY(fsys::description_for_empty_path(dirfd));
        auto* inode = description->inode();
        if (!inode || !inode->is_symlink())
            return Error(ENOENT);
        target = TRY(inode->readlink());
    } else {
        auto base = TRY(fsys::base_for(dirfd, path.view()));
        target = TRY(vfs_readlink(*base, path.view(), fsys::credentials()));
    }
    usize n = klib::min<usize>(target.length(), static_cast<usize>(size));
    TRY(copy_to_user(user_buffer, target.c_str(), n));
    return n;
}

ErrorOr<u64> do_faccessat(int dirfd, u64 user_path, int mode, int flags)
{
    if (flags & ~static_cast<int>(fs::AT_EACCESS_ | fs::AT_SYMLINK_NOFOLLOW_ | fs::AT_EMPTY_PATH_))
        return Error(EINVAL);
    if (mode & ~(fs::ACCESS_R | fs::ACCESS_W | fs::ACCESS_X))
        return Error(EINVAL);
    auto cred = (flags & fs::AT_EACCESS_) ? fsys::credentials() : fsys::real_credentials();
    auto path = TRY(fsys::copy_path(user_path));
    if (path.is_empty()) {
        if (!(flags & fs::AT_EMPTY_PATH_))
            return Error(ENOENT);
        auto description = TRY(fsys::description_for_empty_path(dirfd));
        auto md = TRY(description->metadata());
        if (mode != fs::ACCESS_F && !may_access(md, mode, cred))
            return Error(EACCES);
        return 0;
    }
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    TRY(vfs_access(*base, path.view(), mode, !(flags & fs::AT_SYMLINK_NOFOLLOW_), cred));
    return 0;
}

}

ErrorOr<u64> sys_fstat(int fd, u64 user_stat)
{
    auto description = TRY(fsys::description(fd));
    auto md = TRY(description->metadata());
    TRY(fsys::copy_stat_to_user(user_stat, md));
    return 0;
}

ErrorOr<u64> sys_newfstatat(int dirfd, u64 user_path, u64 user_stat, int flags)
{
    if (flags & ~static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_ | fs::AT_EMPTY_PATH_ | fs::AT_NO_AUTOMOUNT_))
        return Error(EINVAL);
    bool empty_used;
    auto md = TRY(metadata_at(dirfd, user_path, flags, empty_used));
    TRY(fsys::copy_stat_to_user(user_stat, md));
    return 0;
}

ErrorOr<u64> sys_stat(u64 user_path, u64 user_stat)
{
    return sys_newfstatat(fs::AT_FDCWD_, user_path, user_stat, 0);
}

ErrorOr<u64> sys_lstat(u64 user_path, u64 user_stat)
{
    return sys_newfstatat(fs::AT_FDCWD_, user_path, user_stat, static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_));
}

ErrorOr<u64> sys_statx(int dirfd, u64 user_path, int flags, u32 mask, u64 user_statx)
{
    if (flags & ~static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_ | fs::AT_EMPTY_PATH_ | fs::AT_NO_AUTOMOUNT_ | fs::AT_STATX_SYNC_TYPE_))
        return Error(EINVAL);
    if ((flags & fs::AT_STATX_SYNC_TYPE_) == fs::AT_STATX_SYNC_TYPE_)
        return Error(EINVAL);
    if (mask & statx_reserved)
        return Error(EINVAL);
    bool empty_used;
    auto md = TRY(metadata_at(dirfd, user_path, flags, empty_used));
    TRY(fsys::copy_statx_to_user(user_statx, md, mask));
    return 0;
}

ErrorOr<u64> sys_access(u64 user_path, int mode) { return do_faccessat(fs::AT_FDCWD_, user_path, mode, 0); }
ErrorOr<u64> sys_faccessat(int dirfd, u64 user_path, int mode) { return do_faccessat(dirfd, user_path, mode, 0); }
ErrorOr<u64> sys_faccessat2(int dirfd, u64 user_path, int mode, int flags) { return do_faccessat(dirfd, user_path, mode, flags); }

ErrorOr<u64> sys_readlink(u64 user_path, u64 user_buffer, int size)
{
    return do_readlinkat(fs::AT_FDCWD_, user_path, user_buffer, size);
}

ErrorOr<u64> sys_readlinkat(int dirfd, u64 user_path, u64 user_buffer, int size)
{
    return do_readlinkat(dirfd, user_path, user_buffer, size);
}
