// Shared vocabulary of the file system layer: Linux's file-type/permission bits, open flags,
// poll bits, limits, device-number encoding, credentials for permission checks, and the
// InodeMetadata snapshot that stat/statx/fdinfo/procfs are built from.
//
// The values are Linux's x86_64 ABI values. They are spelled as our own constants (not the
// UAPI macros) so pure code can be compiled on the host next to the C library's headers;
// syscalls/fs/ static_asserts them against <linux/*.h>.
#pragma once

#include "klib/Types.h"

namespace fs {

// ---- Limits ------------------------------------------------------------------------------
constexpr usize path_max = 4096;          // PATH_MAX, including the terminating NUL
constexpr usize name_max = 255;           // NAME_MAX
constexpr u32 max_symlink_follows = 40;   // MAXSYMLINKS
constexpr usize pipe_buf = 4096;          // PIPE_BUF (atomic pipe write size)

// ---- File type and permission bits (st_mode) ---------------------------------------------
constexpr u32 S_TYPE_MASK = 0170000;
constexpr u32 S_SOCKET = 0140000;
constexpr u32 S_SYMLINK = 0120000;
constexpr u32 S_REGULAR = 0100000;
constexpr u32 S_BLOCKDEV = 0060000;
constexpr u32 S_DIRECTORY = 0040000;
constexpr u32 S_CHARDEV = 0020000;
constexpr u32 S_FIFO = 0010000;
constexpr u32 S_SETUID = 04000;
constexpr u32 S_SETGID = 02000;
constexpr u32 S_STICKY = 01000;
constexpr u32 S_PERMISSION_MASK = 07777;

constexpr bool mode_is_directory(u32 mode) { return (mode & S_TYPE_MASK) == S_DIRECTORY; }
constexpr bool mode_is_regular(u32 mode) { return (mode & S_TYPE_MASK) == S_REGULAR; }
constexpr bool mode_is_symlink(u32 mode) { return (mode & S_TYPE_MASK) == S_SYMLINK; }
constexpr bool mode_is_chardev(u32 mode) { return (mode & S_TYPE_MASK) == S_CHARDEV; }
constexpr bool mode_is_fifo(u32 mode) { return (mode & S_TYPE_MASK) == S_FIFO; }
// d_type for getdents64 (DT_*): the file-type bits shifted down.
constexpr u8 mode_to_dirent_type(u32 mode) { return static_cast<u8>((mode & S_TYPE_MASK) >> 12); }

// ---- Open flags (fcntl.h, x86_64) ---------------------------------------------------------
constexpr u32 O_ACCESS_MASK = 03;
constexpr u32 O_READ_ONLY = 00;
constexpr u32 O_WRITE_ONLY = 01;
constexpr u32 O_READ_WRITE = 02;
constexpr u32 O_CREATE = 0100;
constexpr u32 O_EXCLUSIVE = 0200;
constexpr u32 O_NO_CTTY = 0400;
constexpr u32 O_TRUNCATE = 01000;
constexpr u32 O_APPEND_ = 02000;
constexpr u32 O_NONBLOCK_ = 04000;
constexpr u32 O_DSYNC_ = 010000;
constexpr u32 O_ASYNC_ = 020000;
constexpr u32 O_DIRECT_ = 040000;
constexpr u32 O_LARGEFILE_ = 0100000;
constexpr u32 O_DIRECTORY_ = 0200000;
constexpr u32 O_NOFOLLOW_ = 0400000;
constexpr u32 O_NOATIME_ = 01000000;
constexpr u32 O_CLOEXEC_ = 02000000;
constexpr u32 O_SYNC_ = 04010000;
constexpr u32 O_PATH_ = 010000000;
constexpr u32 O_TMPFILE_ = 020000000; // __O_TMPFILE (O_TMPFILE also has O_DIRECTORY)
// Flags F_SETFL may change (Linux's SETFL_MASK minus O_DIRECT, which we ignore anyway).
constexpr u32 O_SETFL_MASK = O_APPEND_ | O_NONBLOCK_ | O_ASYNC_ | O_DIRECT_ | O_NOATIME_;

// ---- *at() flags ---------------------------------------------------------------------------
constexpr int AT_FDCWD_ = -100;
constexpr u32 AT_SYMLINK_NOFOLLOW_ = 0x100;
constexpr u32 AT_REMOVEDIR_ = 0x200;
constexpr u32 AT_EACCESS_ = 0x200;
constexpr u32 AT_SYMLINK_FOLLOW_ = 0x400;
constexpr u32 AT_NO_AUTOMOUNT_ = 0x800;
constexpr u32 AT_EMPTY_PATH_ = 0x1000;
constexpr u32 AT_STATX_SYNC_TYPE_ = 0x6000;

// access() modes
constexpr int ACCESS_F = 0, ACCESS_X = 1, ACCESS_W = 2, ACCESS_R = 4;

// ---- Poll bits (poll.h; EPOLL* share the values) -------------------------------------------
constexpr u32 POLLIN_ = 0x0001;
constexpr u32 POLLPRI_ = 0x0002;
constexpr u32 POLLOUT_ = 0x0004;
constexpr u32 POLLERR_ = 0x0008;
constexpr u32 POLLHUP_ = 0x0010;
constexpr u32 POLLNVAL_ = 0x0020;
constexpr u32 POLLRDNORM_ = 0x0040;
constexpr u32 POLLRDBAND_ = 0x0080;
constexpr u32 POLLWRNORM_ = 0x0100;
constexpr u32 POLLWRBAND_ = 0x0200;
constexpr u32 POLLMSG_ = 0x0400;
constexpr u32 POLLRDHUP_ = 0x2000;
// What a file without a poll method reports (Linux's DEFAULT_POLLMASK).
constexpr u32 POLL_DEFAULT_MASK_ = POLLIN_ | POLLOUT_ | POLLRDNORM_ | POLLWRNORM_;

// ---- Device numbers --------------------------------------------------------------------------
// Linux's new_encode_dev(): the st_dev/st_rdev encoding of struct stat.
constexpr u64 encode_dev(u32 major, u32 minor)
{
    return (minor & 0xff) | ((major & 0xfff) << 8) | (static_cast<u64>(minor & ~0xffu) << 12);
}
constexpr u32 dev_major(u64 dev) { return static_cast<u32>((dev >> 8) & 0xfff); }
constexpr u32 dev_minor(u64 dev) { return static_cast<u32>((dev & 0xff) | ((dev >> 12) & 0xfff00)); }

}

// Who is asking, for permission checks: the file-system uid/gid of the caller.
struct FsCredentials {
    u32 uid { 0 };
    u32 gid { 0 };
    static FsCredentials root() { return {}; }
    bool is_root() const { return uid == 0; }
};

// A snapshot of an inode's attributes (what stat reports). Times are CLOCK_REALTIME in ns.
struct InodeMetadata {
    u64 dev { 0 };     // st_dev: the file system's device number (encode_dev)
    u64 ino { 0 };
    u32 mode { 0 };
    u32 nlink { 1 };
    u32 uid { 0 };
    u32 gid { 0 };
    u64 rdev { 0 };    // st_rdev for device nodes
    u64 size { 0 };
    u64 blksize { 4096 };
    u64 blocks { 0 };  // 512-byte units actually allocated
    u64 atime_ns { 0 };
    u64 mtime_ns { 0 };
    u64 ctime_ns { 0 };
    u64 btime_ns { 0 }; // creation (statx), 0 = unknown
    u32 mount_id { 0 }; // statx stx_mnt_id and fdinfo mnt_id

    bool is_directory() const { return fs::mode_is_directory(mode); }
    bool is_regular() const { return fs::mode_is_regular(mode); }
    bool is_symlink() const { return fs::mode_is_symlink(mode); }
};

// Permission check in Linux's style: owner/group/other bits; root passes everything except
// execute on a non-directory without any x bit. `mask` is a combination of ACCESS_R/W/X.
inline bool may_access(InodeMetadata const& md, int mask, FsCredentials const& cred)
{
    if (cred.is_root()) {
        if ((mask & fs::ACCESS_X) && !md.is_directory() && !(md.mode & 0111))
            return false;
        return true;
    }
    u32 bits;
    if (cred.uid == md.uid)
        bits = (md.mode >> 6) & 7;
    else if (cred.gid == md.gid)
        bits = (md.mode >> 3) & 7;
    else
        bits = md.mode & 7;
    return (static_cast<u32>(mask) & ~bits & 7) == 0;
}
