// getdents64, getcwd, chdir, fchdir, mkdir(at), unlink(at), rmdir, rename(at/at2),
// symlink(at), truncate, ftruncate, fsync, fdatasync, sync, syncfs, umask.
#include "lib/LinuxFunctions.h"
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"

ErrorOr<u64> sys_getdents64(int fd, u64 user_dirents, u32 count)
{
    auto description = TRY(fsys::description(fd));
    return TRY(description->get_dir_entries(UserBuffer::user(user_dirents, count), count));
}

ErrorOr<u64> sys_getcwd(u64 user_buffer, usize size)
{
    auto cwd = current_cwd();
    if (!cwd)
        return Error(ENOENT);
    auto path = TRY(cwd->absolute_path());
    if (size < path.length() + 1)
        return Error(ERANGE);
    TRY(copy_to_user(user_buffer, path.c_str(), path.length() + 1));
    return path.length() + 1;
}

ErrorOr<u64> sys_chdir(u64 user_path)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    auto base = TRY(fsys::base_for(fs::AT_FDCWD_, path.view()));
    auto directory = TRY(vfs_resolve_directory(*base, path.view(), fsys::credentials()));
    Process::current().set_cwd(move(directory));
    return 0;
}

ErrorOr<u64> sys_fchdir(int fd)
{
    auto description = TRY(fsys::description(fd));
    auto* custody = description->custody();
    if (!custody || !custody->inode().is_directory())
        return Error(ENOTDIR);
    if (!may_access(custody->inode().metadata(), fs::ACCESS_X, fsys::credentials()))
        return Error(EACCES);
    Process::current().set_cwd(RefPtr<Custody>(custody));
    return 0;
}

ErrorOr<u64> sys_mkdirat(int dirfd, u64 user_path, u32 mode)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    mode = mode & ~Process::current().umask() & 01777;
    TRY(vfs_mkdir(*base, path.view(), mode, fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_mkdir(u64 user_path, u32 mode) { return sys_mkdirat(fs::AT_FDCWD_, user_path, mode); }

namespace {

ErrorOr<u64> unlink_file(int dirfd, StringView path)
{
    auto base = TRY(fsys::base_for(dirfd, path));
    TRY(vfs_unlink(*base, path, fsys::credentials()));
    return 0;
}

}

// Linux's do_unlinkat (fs/namei.c): unlink and unlinkat without AT_REMOVEDIR.
extern "C" __attribute__((noinline)) long do_unlinkat(int dfd, LinuxFilename* name)
{
    return linux_return_value(unlink_file(dfd, StringView(name->name)));
}

ErrorOr<u64> sys_unlinkat(int dirfd, u64 user_path, int flags)
{
    if (flags & ~static_cast<int>(fs::AT_REMOVEDIR_))
        return Error(EINVAL);
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    if (!(flags & fs::AT_REMOVEDIR_)) {
        LinuxFilename name { path.c_str(), user_path, 1, nullptr };
        return from_linux_return_value(do_unlinkat(dirfd, &name));
    }
    auto base = TRY(fsys::base_for(dirfd, path.view()));
    TRY(vfs_rmdir(*base, path.view(), fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_unlink(u64 user_path) { return sys_unlinkat(fs::AT_FDCWD_, user_path, 0); }
ErrorOr<u64> sys_rmdir(u64 user_path) { return sys_unlinkat(fs::AT_FDCWD_, user_path, static_cast<int>(fs::AT_REMOVEDIR_)); }

ErrorOr<u64> sys_renameat2(int old_dirfd, u64 user_old_path, int new_dirfd, u64 user_new_path, u32 flags)
{
    if (flags != 0)
        return Error(EINVAL); // RENAME_NOREPLACE / EXCHANGE / WHITEOUT are not supported
    auto old_path = TRY(fsys::copy_nonempty_path(user_old_path));
    auto new_path = TRY(fsys::copy_nonempty_path(user_new_path));
    auto old_base = TRY(fsys::base_for(old_dirfd, old_path.view()));
    auto new_base = TRY(fsys::base_for(new_dirfd, new_path.view()));
    TRY(vfs_rename(*old_base, old_path.view(), *new_base, new_path.view(), fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_renameat(int old_dirfd, u64 user_old_path, int new_dirfd, u64 user_new_path)
{
    return sys_renameat2(old_dirfd, user_old_path, new_dirfd, user_new_path, 0);
}

ErrorOr<u64> sys_rename(u64 user_old_path, u64 user_new_path)
{
    return sys_renameat2(fs::AT_FDCWD_, user_old_path, fs::AT_FDCWD_, user_new_path, 0);
}

ErrorOr<u64> sys_symlinkat(u64 user_target, int new_dirfd, u64 user_link_path)
{
    auto target = TRY(fsys::copy_nonempty_path(user_target));
    auto link_path = TRY(fsys::copy_nonempty_path(user_link_path));
    auto base = TRY(fsys::base_for(new_dirfd, link_path.view()));
    TRY(vfs_symlink(target.view(), *base, link_path.view(), fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_symlink(u64 user_target, u64 user_link_path)
{
    return sys_symlinkat(user_target, fs::AT_FDCWD_, user_link_path);
}

ErrorOr<u64> sys_truncate(u64 user_path, i64 length)
{
    auto path = TRY(fsys::copy_nonempty_path(user_path));
    if (length < 0)
        return Error(EINVAL);
    auto base = TRY(fsys::base_for(fs::AT_FDCWD_, path.view()));
    TRY(vfs_truncate(*base, path.view(), static_cast<u64>(length), fsys::credentials()));
    return 0;
}

ErrorOr<u64> sys_ftruncate(int fd, i64 length)
{
    auto description = TRY(fsys::description(fd));
    if (length < 0)
        return Error(EINVAL);
    if (!description->is_writable())
        return Error(description->is_path_only() ? EBADF : EINVAL);
    TRY(description->file().truncate(static_cast<u64>(length)));
    return 0;
}

ErrorOr<u64> sys_fsync(int fd)
{
    auto description = TRY(fsys::description(fd));
    // Everything lives in memory: there is nothing to flush. Files without backing store
    // (pipes, terminals) refuse like Linux's missing ->fsync.
    if (!description->file().is_regular() && !description->file().is_directory())
        return Error(EINVAL);
    return 0;
}

ErrorOr<u64> sys_fdatasync(int fd) { return sys_fsync(fd); }

ErrorOr<u64> sys_sync() { return 0; }

ErrorOr<u64> sys_syncfs(int fd)
{
    TRY(fsys::description(fd));
    return 0;
}

ErrorOr<u64> sys_umask(u32 mask)
{
    auto& process = Process::current();
    u32 old = process.umask();
    process.set_umask(mask & 0777);
    return old;
}
