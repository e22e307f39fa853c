// chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat, utimensat, mknod, mknodat,
// statfs, fstatfs.
#include "fs/FileSystem.h"
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"
#include "time/Clock.h"
#include <asm/statfs.h>

namespace {

constexpr i64 utime_now = (1L << 30) - 1;  // UTIME_NOW
constexpr i64 utime_omit = (1L << 30) - 2; // UTIME_OMIT

ErrorOr<RefPtr<Custody>> custody_at(int dirfd, u64 user_path, bool follow)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    return resolve_custody(path.view(), *base, fsys::credentials(), follow);
}

ErrorOr<void> do_chmod(Inode& inode, u32 mode)
{
    auto cred = fsys::credentials();
    if (!cred.is_root() && inode.metadata().uid != cred.uid)
        return Error(EPERM);
    return inode.chmod(mode & fs::S_PERMISSION_MASK);
}

ErrorOr<void> do_chown(Inode& inode, u32 uid, u32 gid)
{
    auto cred = fsys::credentials();
    auto md = inode.metadata();
    bool uid_change = uid != static_cast<u32>(-1) && uid != md.uid;
    bool gid_change = gid != static_cast<u32>(-1) && gid != md.gid;
    if (!cred.is_root() && (uid_change || (gid_change && (md.uid != cred.uid || gid != cred.gid))))
        return Error(EPERM);
    return inode.chown(uid, gid);
}

ErrorOr<void> fill_statfs(FileSystem& fs, u64 user_statfs)
{
    struct statfs st;
    memset(&st, 0, sizeof(st));
    st.f_type = static_cast<long>(fs.magic());
    st.f_bsize = 4096;
    st.f_frsize = 4096;
    st.f_namelen = static_cast<long>(fs::name_max);
    u64 dev = fs.dev();
    st.f_fsid.val[0] = static_cast<int>(dev);
    st.f_flags = 0x20; // ST_RELATIME
    return copy_to_user(user_statfs, &st);
}

}

ErrorOr<u64> sys_fchmodat(int dirfd, u64 user_path, u32 mode)
{
    auto custody = TRY(custody_at(dirfd, user_path, true));
    TRY(do_chmod(custody->inode(), mode));
    return 0;
}

ErrorOr<u64> sys_chmod(u64 user_path, u32 mode) { return sys_fchmodat(fs::AT_FDCWD_, user_path, mode); }

ErrorOr<u64> sys_fchmod(int fd, u32 mode)
{
    auto description = TRY(fsys::description(fd));
    if (description->is_path_only())
        return Error(EBADF);
    auto* inode = description->inode();
    if (!inode)
        return Error(EPERM);
    TRY(do_chmod(*inode, mode));
    return 0;
}

ErrorOr<u64> sys_fchownat(int dirfd, u64 user_path, u32 uid, u32 gid, int flags)
{
    if (flags & ~static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_ | fs::AT_EMPTY_PATH_))
        return Error(EINVAL);
    auto path = TRY(fsys::copy_path(user_path));
    if (path.is_empty()) {
        if (!(flags & fs::AT_EMPTY_PATH_))
            return Error(ENOENT);
        auto description = TRY(fsys::description_for_empty_path(dirfd));
        if (!description->inode())
            return Error(EPERM);
        TRY(do_chown(*description->inode(), uid, gid));
        return 0;
    }
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    auto custody = TRY(resolve_custody(path.view(), *base, fsys::credentials(), !(flags & fs::AT_SYMLINK_NOFOLLOW_)));
    TRY(do_chown(custody->inode(), uid, gid));
    return 0;
}

ErrorOr<u64> sys_chown(u64 user_path, u32 uid, u32 gid) { return sys_fchownat(fs::AT_FDCWD_, user_path, uid, gid, 0); }
ErrorOr<u64> sys_lchown(u64 user_path, u32 uid, u32 gid) { return sys_fchownat(fs::AT_FDCWD_, user_path, uid, gid, static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_)); }

ErrorOr<u64> sys_fchown(int fd, u32 uid, u32 gid)
{
    auto description = TRY(fsys::description(fd));
    if (description->is_path_only())
        return Error(EBADF);
    if (!description->inode())
        return Error(EPERM);
    TRY(do_chown(*description->inode(), uid, gid));
    return 0;
}

ErrorOr<u64> sys_utimensat(int dirfd, u64 user_path, u64 user_times, int flags)
{
    if (flags & ~static_cast<int>(fs::AT_SYMLINK_NOFOLLOW_ | fs::AT_EMPTY_PATH_))
        return Error(EINVAL);
    struct {
        i64 seconds;
        i64 nanoseconds;
    } times[2];
    bool explicit_times = user_times != 0;
    if (explicit_times) {
        TRY(copy_from_user(times, user_times, sizeof(times)));
        for (auto& t : times)
            if (t.nanoseconds != utime_now && t.nanoseconds != utime_omit && (t.nanoseconds < 0 || t.nanoseconds >= static_cast<i64>(NS_PER_SEC)))
                return Error(EINVAL);
    }
    RefPtr<Inode> inode;
    if (!user_path) {
        // utimensat(fd, NULL, ...) is futimens(fd, ...).
        auto description = TRY(fsys::description_for_empty_path(dirfd));
        inode = description->inode();
    } else {
        auto path = TRY(fsys::copy_path(user_path));
        if (path.is_empty()) {
            if (!(flags & fs::AT_EMPTY_PATH_))
                return Error(ENOENT);
            auto description = TRY(fsys::description_for_empty_path(dirfd));
            inode = description->inode();
        } else {
            auto base = TRY(fsys::base_for(dirfd, path.view()));
            auto custody = TRY(resolve_custody(path.view(), *base, fsys::credentials(), !(flags & fs::AT_SYMLINK_NOFOLLOW_)));
            inode = custody->inode_ref();
        }
    }
    if (!inode)
        return Error(EPERM);
    auto md = inode->metadata();
    auto cred = fsys::credentials();
    bool only_now = !explicit_times || (times[0].nanoseconds == utime_now && times[1].nanoseconds == utime_now);
    if (!cred.is_root() && md.uid != cred.uid) {
        if (!only_now)
            return Error(EPERM);
        if (!may_access(md, fs::ACCESS_W, cred))
            return Error(EACCES);
    }
    u64 now = clock_realtime_ns();
    auto pick = [&](int i, u64 current) -> u64 {
        if (!explicit_times || times[i].nanoseconds == utime_now)
            return now;
        if (times[i].nanoseconds == utime_omit)
            return current;
        return static_cast<u64>(times[i].seconds) * NS_PER_SEC + static_cast<u64>(times[i].nanoseconds);
    };
    TRY(inode->set_times(pick(0, md.atime_ns), pick(1, md.mtime_ns)));
    return 0;
}

ErrorOr<u64> sys_mknodat(int dirfd, u64 user_path, u32 mode, u64 device)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    u32 type = mode & fs::S_TYPE_MASK;
    if (type == 0)
        type = fs::S_REGULAR;
    switch (type) {
    case fs::S_REGULAR:
    case fs::S_FIFO:
    case fs::S_SOCKET:
        break;
    case fs::S_CHARDEV:
    case fs::S_BLOCKDEV:
        if (!fsys::credentials().is_root())
            return Error(EPERM);
        break;
    default:
        return Error(EINVAL);
    }
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    u32 permissions = mode & ~Process::current().umask() & fs::S_PERMISSION_MASK;
    TRY(vfs_mknod(*base, path.view(), type | permissions, device & 0xffffffff, fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_mknod(u64 user_path, u32 mode, u64 device) { return sys_mknodat(fs::AT_FDCWD_, user_path, mode, device); }

ErrorOr<u64> sys_statfs(u64 user_path, u64 user_statfs)
{
    auto custody = TRY(custody_at(fs::AT_FDCWD_, user_path, true));
    TRY(fill_statfs(custody->inode().fs(), user_statfs));
    return 0;
}

ErrorOr<u64> sys_fstatfs(int fd, u64 user_statfs)
{
    auto description = TRY(fsys::description(fd));
    auto* inode = description->inode();
    if (!inode) {
        // Pipes and anonymous files: Linux reports their pseudo file systems.
        struct statfs st;
        memset(&st, 0, sizeof(st));
        st.f_type = description->file().is_pipe() ? 0x50495045 /* PIPEFS_MAGIC */ : 0x09041934 /* ANON_INODE_FS_MAGIC */;
        st.f_bsize = 4096;
        st.f_frsize = 4096;
        st.f_namelen = 255;
        TRY(copy_to_user(user_statfs, &st));
        return 0;
    }
    TRY(fill_statfs(inode->fs(), user_statfs));
    return 0;
}
