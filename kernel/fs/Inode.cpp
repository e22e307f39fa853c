// Inode: the Linux errno defaults for operations an inode kind does not support.
#include "fs/Inode.h"
#include "fs/Custody.h"
#include "fs/InodeFile.h"

ErrorOr<RefPtr<Inode>> Inode::lookup(StringView) { return Error(ENOTDIR); }
// Linux: a directory without ->create refuses O_CREAT with EACCES, the others with EPERM.
ErrorOr<RefPtr<Inode>> Inode::create(StringView, u32, FsCredentials const&) { return Error(is_directory() ? EACCES : ENOTDIR); }
ErrorOr<RefPtr<Inode>> Inode::mkdir(StringView, u32, FsCredentials const&) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<RefPtr<Inode>> Inode::symlink(StringView, StringView, FsCredentials const&) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<RefPtr<Inode>> Inode::mknod(StringView, u32, u64, FsCredentials const&) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<void> Inode::unlink(StringView) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<void> Inode::rmdir(StringView) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<void> Inode::rename(StringView, Inode&, StringView) { return Error(is_directory() ? EPERM : ENOTDIR); }
ErrorOr<void> Inode::iterate(u64, DirectoryVisitor&) { return Error(ENOTDIR); }

ErrorOr<usize> Inode::read_at(u64, UserBuffer const&, usize) { return Error(is_directory() ? EISDIR : EINVAL); }
ErrorOr<usize> Inode::write_at(u64, UserBuffer const&, usize) { return Error(is_directory() ? EISDIR : EINVAL); }
ErrorOr<usize> Inode::append(UserBuffer const& buffer, usize size, u64& written_at)
{
    written_at = metadata().size;
    return write_at(written_at, buffer, size);
}
ErrorOr<void> Inode::truncate(u64) { return Error(is_directory() ? EISDIR : EINVAL); }
ErrorOr<String> Inode::readlink() { return Error(EINVAL); }
ErrorOr<RefPtr<Custody>> Inode::resolve_magic_link() { return Error(EINVAL); }

ErrorOr<void> Inode::chmod(u32) { return Error(EPERM); }
ErrorOr<void> Inode::chown(u32, u32) { return Error(EPERM); }
ErrorOr<void> Inode::set_times(u64, u64) { return Error(EPERM); }

ErrorOr<RefPtr<File>> Inode::open(u32)
{
    auto file = TRY(InodeFile::try_create(*this));
    return RefPtr<File>(move(file));
}
