// The path-based VFS operations behind the file syscalls (open, mkdir, unlink, rmdir, rename,
// symlink, readlink, access, truncate, chdir), with Linux's errno rules for each. Pure: the
// caller passes the base directory (cwd or dirfd), the credentials and, for creation, a mode
// that already has the umask applied. The syscall layer (syscalls/fs) and the kernel entry
// points in Vfs.h are thin wrappers around these.
#pragma once

#include "fs/OpenFileDescription.h"
#include "fs/PathResolution.h"

// open/openat semantics: O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH, the
// access mode and permission checks. O_CREAT on a dangling symlink gives ENOENT (Linux would
// create the target). O_TMPFILE gives EOPNOTSUPP.
ErrorOr<RefPtr<OpenFileDescription>> vfs_open_at(Custody& base, StringView path, u32 flags, u32 mode, FsCredentials const&);
ErrorOr<void> vfs_mkdir(Custody& base, StringView path, u32 mode, FsCredentials const&);
ErrorOr<void> vfs_mknod(Custody& base, StringView path, u32 mode, u64 rdev, FsCredentials const&);
ErrorOr<void> vfs_unlink(Custody& base, StringView path, FsCredentials const&);
ErrorOr<void> vfs_rmdir(Custody& base, StringView path, FsCredentials const&);
ErrorOr<void> vfs_rename(Custody& old_base, StringView old_path, Custody& new_base, StringView new_path, FsCredentials const&);
ErrorOr<void> vfs_symlink(StringView target, Custody& base, StringView link_path, FsCredentials const&);
ErrorOr<String> vfs_readlink(Custody& base, StringView path, FsCredentials const&);
// access(2): `mode` is F_OK or a combination of R_OK/W_OK/X_OK.
ErrorOr<void> vfs_access(Custody& base, StringView path, int mode, bool follow, FsCredentials const&);
ErrorOr<void> vfs_truncate(Custody& base, StringView path, u64 length, FsCredentials const&);
// Resolves a directory for chdir (ENOTDIR, EACCES without search permission).
ErrorOr<RefPtr<Custody>> vfs_resolve_directory(Custody& base, StringView path, FsCredentials const&);
// A File for an inode reached through `custody` opened with `flags` (used by vfs_open_at and
// by the magic links); performs O_TRUNC.
ErrorOr<RefPtr<OpenFileDescription>> vfs_open_custody(RefPtr<Custody> custody, u32 flags, FsCredentials const&, bool just_created);
