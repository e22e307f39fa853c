// Inode: a file-system object (directory, regular file, symlink, device node, pseudo-file).
// Every operation is virtual and every failure is a Linux errno; the defaults give what Linux
// returns for an object that does not support the operation (ENOTDIR for directory operations
// on non-directories, EISDIR for data operations on directories, EINVAL for readlink on a
// non-symlink, EPERM for creating things inside read-only pseudo directories...).
//
// Names passed to directory operations are single components: never empty, never "." or
// "..", without '/', at most NAME_MAX bytes (path resolution guarantees that).
//
// Data is moved through UserBuffer so one implementation serves syscalls and kernel callers
// (exec, the page-fault path of private file mappings). Implementations must not hold a
// spinlock while touching a user buffer (a fault may re-enter the file system): they bounce
// through small kernel buffers.
//
// Locking: each file system decides (ramfs uses one spinlock per file system instance).
#pragma once

#include "fs/FsTypes.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/String.h"

class Custody;
class File;
class FileSystem;
class UserBuffer;

// Receives directory entries from Inode::iterate. `next_position` is the position to resume
// after this entry (what getdents64 stores as d_off). Return false to stop.
class DirectoryVisitor {
public:
    virtual bool visit(StringView name, u64 ino, u8 dirent_type, u64 next_position) = 0;

protected:
    ~DirectoryVisitor() = default;
};

class Inode : public RefCounted {
public:
    ~Inode() override = default;

    FileSystem& fs() const { return m_fs; }
    u64 ino() const { return m_ino; }

    virtual InodeMetadata metadata() const = 0;
    u32 mode() const { return metadata().mode; }
    bool is_directory() const { return fs::mode_is_directory(mode()); }
    bool is_symlink() const { return fs::mode_is_symlink(mode()); }
    bool is_regular() const { return fs::mode_is_regular(mode()); }

    // ---- Directory operations -----------------------------------------------------------
    virtual ErrorOr<RefPtr<Inode>> lookup(StringView name);
    // Creates a regular file; `mode` carries the permission bits.
    virtual ErrorOr<RefPtr<Inode>> create(StringView name, u32 mode, FsCredentials const&);
    virtual ErrorOr<RefPtr<Inode>> mkdir(StringView name, u32 mode, FsCredentials const&);
    virtual ErrorOr<RefPtr<Inode>> symlink(StringView name, StringView target, FsCredentials const&);
    // Device node / fifo (mode carries the type bits).
    virtual ErrorOr<RefPtr<Inode>> mknod(StringView name, u32 mode, u64 rdev, FsCredentials const&);
    // Removes a non-directory entry (EISDIR for a directory).
    virtual ErrorOr<void> unlink(StringView name);
    // Removes an empty directory entry (ENOTDIR / ENOTEMPTY).
    virtual ErrorOr<void> rmdir(StringView name);
    // Moves entry `old_name` of this directory to `new_name` in `new_directory` (same file
    // system), replacing a compatible target like Linux's rename(2).
    virtual ErrorOr<void> rename(StringView old_name, Inode& new_directory, StringView new_name);
    // Entries from `position` on (0 = ".", 1 = "..", then file-system defined cookies).
    virtual ErrorOr<void> iterate(u64 position, DirectoryVisitor&);
    // True when the directory has entries other than "." and "..".
    virtual bool has_entries() const { return false; }

    // ---- Data ------------------------------------------------------------------------
    virtual ErrorOr<usize> read_at(u64 offset, UserBuffer const&, usize size);
    virtual ErrorOr<usize> write_at(u64 offset, UserBuffer const&, usize size);
    // Writes at the current end of file atomically with respect to other appends; returns the
    // number of bytes written and stores the offset written at.
    virtual ErrorOr<usize> append(UserBuffer const&, usize size, u64& written_at);
    virtual ErrorOr<void> truncate(u64 size);
    virtual ErrorOr<String> readlink();
    // "Magic" links (/proc/<pid>/cwd, exe, fd/N) resolve to a custody instead of a path.
    virtual bool is_magic_link() const { return false; }
    virtual ErrorOr<RefPtr<Custody>> resolve_magic_link();

    // ---- Attributes -------------------------------------------------------------------
    virtual ErrorOr<void> chmod(u32 mode);
    virtual ErrorOr<void> chown(u32 uid, u32 gid);
    virtual ErrorOr<void> set_times(u64 atime_ns, u64 mtime_ns);

    // ---- Opening ----------------------------------------------------------------------
    // Makes the File an open of this inode refers to. The default is an InodeFile (regular
    // files, directories, symlinks with O_PATH); device nodes and pseudo files override it.
    // `flags` are the open flags (access mode already checked by the VFS).
    virtual ErrorOr<RefPtr<File>> open(u32 flags);
    // Extra permission rule on top of the mode bits (pseudo files refuse writes without a
    // writer even for root). Called with the requested ACCESS_* mask.
    virtual ErrorOr<void> check_open(int) const { return {}; }

protected:
    Inode(FileSystem& fs, u64 ino)
        : m_fs(fs)
        , m_ino(ino)
    {
    }

private:
    FileSystem& m_fs;
    u64 m_ino;
};
