// Path-based VFS operations with Linux's errno rules (see VfsOps.h). The special last
// components follow fs/namei.c: "/" is LAST_ROOT, "." LAST_DOT and ".." LAST_DOTDOT.
#include "fs/VfsOps.h"
#include "fs/FileSystem.h"
#include "fs/Inode.h"
#include "fs/InodeFile.h"
#include "fs/Mount.h"

namespace {

enum class LastKind { Normal, Root, Dot, DotDot };

LastKind last_kind(PathResolution const& resolution)
{
    auto name = resolution.last_name.view();
    if (name.is_empty())
        return LastKind::Root;
    if (name == ".")
        return LastKind::Dot;
    if (name == "..")
        return LastKind::DotDot;
    return LastKind::Normal;
}

ErrorOr<void> check_directory_writable(Custody& directory, FsCredentials const& cred)
{
    if (!may_access(directory.inode().metadata(), fs::ACCESS_W | fs::ACCESS_X, cred))
        return Error(EACCES);
    return {};
}

int access_mask_for_open(u32 flags)
{
    switch (flags & fs::O_ACCESS_MASK) {
    case fs::O_READ_ONLY:
        return fs::ACCESS_R;
    case fs::O_WRITE_ONLY:
        return fs::ACCESS_W;
    default:
        return fs::ACCESS_R | fs::ACCESS_W; // O_RDWR and the special mode 3
    }
}

}

ErrorOr<RefPtr<OpenFileDescription>> vfs_open_custody(RefPtr<Custody> custody, u32 flags, FsCredentials const& cred, bool just_created)
{
    Inode& inode = custody->inode();
    auto md = inode.metadata();
    if (flags & fs::O_PATH_) {
        if ((flags & fs::O_DIRECTORY_) && !md.is_directory())
            return Error(ENOTDIR);
        auto file = TRY(InodeFile::try_create(inode));
        u32 kept = fs::O_PATH_ | (flags & (fs::O_DIRECTORY_ | fs::O_NOFOLLOW_ | fs::O_LARGEFILE_));
        return OpenFileDescription::try_create(RefPtr<File>(move(file)), kept, move(custody));
    }
    if (md.is_symlink())
        return Error(ELOOP); // O_NOFOLLOW on a symlink
    if ((flags & fs::O_DIRECTORY_) && !md.is_directory())
        return Error(ENOTDIR);
    u32 access = flags & fs::O_ACCESS_MASK;
    bool wants_write = access != fs::O_READ_ONLY || (flags & fs::O_TRUNCATE);
    if (md.is_directory() && (wants_write || (flags & fs::O_CREATE)))
        return Error(EISDIR);
    int mask = access_mask_for_open(flags);
    if (flags & fs::O_TRUNCATE)
        mask |= fs::ACCESS_W;
    if (!just_created && !may_access(md, mask, cred))
        return Error(EACCES);
    TRY(inode.check_open(mask));
    if ((flags & fs::O_TRUNCATE) && md.is_regular() && !just_created)
        TRY(inode.truncate(0));
    auto file = TRY(inode.open(flags));
    return OpenFileDescription::try_create(move(file), flags, move(custody));
}

ErrorOr<RefPtr<OpenFileDescription>> vfs_open_at(Custody& base, StringView path, u32 flags, u32 mode, FsCredentials const& cred)
{
    if ((flags & fs::O_TMPFILE_) == fs::O_TMPFILE_)
        return Error(EOPNOTSUPP);
    if (flags & fs::O_PATH_)
        flags &= fs::O_PATH_ | fs::O_DIRECTORY_ | fs::O_NOFOLLOW_ | fs::O_CLOEXEC_ | fs::O_LARGEFILE_;

    if (!(flags & fs::O_CREATE) || (flags & fs::O_PATH_)) {
        auto custody = TRY(resolve_custody(path, base, cred, !(flags & fs::O_NOFOLLOW_)));
        return vfs_open_custody(move(custody), flags, cred, false);
    }

    auto resolution = TRY(resolve_path(path, base, cred, ResolveParent));
    if (last_kind(resolution) != LastKind::Normal || resolution.trailing_slash)
        return Error(EISDIR);
    if (resolution.custody) {
        if (flags & fs::O_EXCLUSIVE)
            return Error(EEXIST);
        RefPtr<Custody> custody = resolution.custody;
        if (custody->inode().is_symlink()) {
            if (flags & fs::O_NOFOLLOW_)
                return Error(ELOOP);
            custody = TRY(resolve_custody(path, base, cred, true));
        }
        return vfs_open_custody(move(custody), flags, cred, false);
    }
    auto& parent = *resolution.parent;
    TRY(check_directory_writable(parent, cred));
    auto inode = TRY(parent.inode().create(resolution.last_name.view(), mode & fs::S_PERMISSION_MASK, cred));
    auto custody = TRY(Custody::try_create(resolution.parent, resolution.last_name.view(), move(inode)));
    return vfs_open_custody(move(custody), flags, cred, true);
}

ErrorOr<void> vfs_mkdir(Custody& base, StringView path, u32 mode, FsCredentials const& cred)
{
    auto resolution = TRY(resolve_path(path, base, cred, ResolveParent));
    if (last_kind(resolution) != LastKind::Normal || resolution.custody)
        return Error(EEXIST);
    TRY(check_directory_writable(*resolution.parent, cred));
    TRY(resolution.parent->inode().mkdir(resolution.last_name.view(), mode & fs::S_PERMISSION_MASK, cred));
    return {};
}

ErrorOr<void> vfs_mknod(Custody& base, StringView path, u32 mode, u64 rdev, FsCredentials const& cred)
{
    auto resolution = TRY(resolve_path(path, base, cred, ResolveParent));
    if (last_kind(resolution) != LastKind::Normal || resolution.custody)
        return Error(EEXIST);
    if (resolution.trailing_slash)
        return Error(ENOENT);
    TRY(check_directory_writable(*resolution.parent, cred));
    TRY(resolution.parent->inode().mknod(resolution.last_name.view(), mode, rdev, cred));
    return {};
}

ErrorOr<void> vfs_unlink(Custody& base, StringView path, FsCredentials const& cred)
{
    auto resolution = TRY(resolve_path(path, base, cred, ResolveParent));
    if (last_kind(resolution) != LastKind::Normal)
        return Error(EISDIR);
    if (!resolution.custody)
        return Error(ENOENT);
    bool is_directory = resolution.custody->inode().is_directory();
    if (resolution.trailing_slash)
        return Error(is_directory ? EISDIR : ENOTDIR);
    if (is_directory)
        return Error(EISDIR);
    TRY(check_directory_writable(*resolution.parent, cred));
    return resolution.parent->inode().unlink(resolution.last_name.view());
}

ErrorOr<void> vfs_rmdir(Custody& base, StringView path, FsCredentials const& cred)
{
    auto resolution = TRY(resolve_path(path, base, cred, ResolveParent));
    switch (last_kind(resolution)) {
    case LastKind::Root:
        return Error(EBUSY);
    case LastKind::Dot:
        return Error(EINVAL);
    case LastKind::DotDot:
        return Error(ENOTEMPTY);
    case LastKind::Normal:
        break;
    }
    if (!resolution.custody)
        return Error(ENOENT);
    if (!resolution.custody->inode().is_directory())
        return Error(ENOTDIR);
    if (vfs_is_mount_boundary(resolution.custody->inode()))
        return Error(EBUSY);
    TRY(check_directory_writable(*resolution.parent, cred));
    return resolution.parent->inode().rmdir(resolution.last_name.view());
}

ErrorOr<void> vfs_rename(Custody& old_base, StringView old_path, Custody& new_base, StringView new_path, FsCredentials const& cred)
{
    auto from = TRY(resolve_path(old_path, old_base, cred, ResolveParent));
    auto to = TRY(resolve_path(new_path, new_base, cred, ResolveParent));
    if (last_kind(from) != LastKind::Normal || last_kind(to) != LastKind::Normal)
        return Error(EBUSY);
    if (!from.custody)
        return Error(ENOENT);
    Inode& source = from.custody->inode();
    bool source_is_directory = source.is_directory();
    if ((from.trailing_slash || to.trailing_slash) && !source_is_directory)
        return Error(ENOTDIR);
    Inode& old_directory = from.parent->inode();
    Inode& new_directory = to.parent->inode();
    if (&old_directory.fs() != &new_directory.fs())
        return Error(EXDEV);
    if (vfs_is_mount_boundary(source))
        return Error(EBUSY);
    if (to.custody) {
        Inode& target = to.custody->inode();
        if (&target == &source)
            return {}; // same object: rename does nothing
        if (vfs_is_mount_boundary(target))
            return Error(EBUSY);
        if (&target.fs() != &old_directory.fs())
            return Error(EXDEV);
    }
    TRY(check_directory_writable(*from.parent, cred));
    TRY(check_directory_writable(*to.parent, cred));
    return old_directory.rename(from.last_name.view(), new_directory, to.last_name.view());
}

ErrorOr<void> vfs_symlink(StringView target, Custody& base, StringView link_path, FsCredentials const& cred)
{
    if (target.is_empty())
        return Error(ENOENT);
    if (target.length() >= fs::path_max)
        return Error(ENAMETOOLONG);
    auto resolution = TRY(resolve_path(link_path, base, cred, ResolveParent));
    if (last_kind(resolution) != LastKind::Normal || resolution.custody)
        return Error(EEXIST);
    if (resolution.trailing_slash)
        return Error(ENOENT);
    TRY(check_directory_writable(*resolution.parent, cred));
    TRY(resolution.parent->inode().symlink(resolution.last_name.view(), target, cred));
    return {};
}

ErrorOr<String> vfs_readlink(Custody& base, StringView path, FsCredentials const& cred)
{
    auto custody = TRY(resolve_custody(path, base, cred, false));
    if (!custody->inode().is_symlink())
        return Error(EINVAL);
    return custody->inode().readlink();
}

ErrorOr<void> vfs_access(Custody& base, StringView path, int mode, bool follow, FsCredentials const& cred)
{
    if (mode & ~(fs::ACCESS_R | fs::ACCESS_W | fs::ACCESS_X))
        return Error(EINVAL);
    auto custody = TRY(resolve_custody(path, base, cred, follow));
    if (mode == fs::ACCESS_F)
        return {};
    if (!may_access(custody->inode().metadata(), mode, cred))
        return Error(EACCES);
    return {};
}

ErrorOr<void> vfs_truncate(Custody& base, StringView path, u64 length, FsCredentials const& cred)
{
    auto custody = TRY(resolve_custody(path, base, cred, true));
    Inode& inode = custody->inode();
    auto md = inode.metadata();
    if (md.is_directory())
        return Error(EISDIR);
    if (!md.is_regular())
        return Error(EINVAL);
    if (!may_access(md, fs::ACCESS_W, cred))
        return Error(EACCES);
    TRY(inode.check_open(fs::ACCESS_W));
    return inode.truncate(length);
}

ErrorOr<RefPtr<Custody>> vfs_resolve_directory(Custody& base, StringView path, FsCredentials const& cred)
{
    auto custody = TRY(resolve_custody(path, base, cred, true));
    auto md = custody->inode().metadata();
    if (!md.is_directory())
        return Error(ENOTDIR);
    if (!may_access(md, fs::ACCESS_X, cred))
        return Error(EACCES);
    return custody;
}
