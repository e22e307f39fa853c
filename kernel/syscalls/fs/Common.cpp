// Shared helpers of the file syscalls (see FsSyscalls.h), plus the static checks that our
// constants match Linux's UAPI headers.
#include "syscalls/fs/FsSyscalls.h"
#include "fs/Epoll.h"
#include "fs/Mount.h"
#include "mm/UserBuffer.h"
#include "time/Clock.h"
#include <asm/poll.h>
#include <asm/stat.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

static_assert(fs::O_CREATE == O_CREAT && fs::O_EXCLUSIVE == O_EXCL && fs::O_TRUNCATE == O_TRUNC);
static_assert(fs::O_APPEND_ == O_APPEND && fs::O_NONBLOCK_ == O_NONBLOCK && fs::O_DIRECTORY_ == O_DIRECTORY);
static_assert(fs::O_NOFOLLOW_ == O_NOFOLLOW && fs::O_CLOEXEC_ == O_CLOEXEC && fs::O_PATH_ == O_PATH);
static_assert(fs::O_LARGEFILE_ == O_LARGEFILE && fs::O_SYNC_ == O_SYNC && fs::O_TMPFILE_ == __O_TMPFILE);
static_assert(fs::AT_FDCWD_ == AT_FDCWD && fs::AT_SYMLINK_NOFOLLOW_ == AT_SYMLINK_NOFOLLOW);
static_assert(fs::AT_REMOVEDIR_ == AT_REMOVEDIR && fs::AT_EMPTY_PATH_ == AT_EMPTY_PATH && fs::AT_EACCESS_ == AT_EACCESS);
static_assert(fs::POLLIN_ == POLLIN && fs::POLLOUT_ == POLLOUT && fs::POLLHUP_ == POLLHUP && fs::POLLERR_ == POLLERR);
static_assert(fs::POLLNVAL_ == POLLNVAL && fs::POLLRDHUP_ == POLLRDHUP && fs::POLLRDNORM_ == POLLRDNORM);
static_assert(fs::EPOLLET_ == EPOLLET && fs::EPOLLONESHOT_ == EPOLLONESHOT && fs::EPOLLEXCLUSIVE_ == EPOLLEXCLUSIVE);
static_assert(fs::EPOLL_CTL_ADD_ == EPOLL_CTL_ADD && fs::EPOLL_CTL_MOD_ == EPOLL_CTL_MOD && fs::EPOLL_CTL_DEL_ == EPOLL_CTL_DEL);
static_assert(sizeof(EpollEvent) == sizeof(epoll_event));
static_assert(sizeof(struct stat) == 144 && sizeof(struct statx) == 256);

namespace fsys {

ErrorOr<String> copy_path(u64 user_path)
{
    return copy_string_from_user(user_path, fs::path_max - 1);
}

ErrorOr<String> copy_nonempty_path(u64 user_path)
{
    auto path = TRY(copy_path(user_path));
    if (path.is_empty())
        return Error(ENOENT);
    return path;
}

ErrorOr<RefPtr<Custody>> base_for(int dirfd, StringView path)
{
    if (path.starts_with("/")) {
        auto root = vfs_root_custody();
        if (!root)
            return Error(ENOENT);
        return root;
    }
    if (dirfd == fs::AT_FDCWD_)
        return current_cwd();
    auto d = TRY(description(dirfd));
    auto* custody = d->custody();
    if (!custody || !custody->inode().is_directory())
        return Error(ENOTDIR);
    return RefPtr<Custody>(custody);
}

ErrorOr<RefPtr<OpenFileDescription>> description_for_empty_path(int dirfd)
{
    if (dirfd == fs::AT_FDCWD_) {
        auto cwd = current_cwd();
        return vfs_open_custody(cwd, fs::O_PATH_, credentials(), false);
    }
    return description(dirfd);
}

FsCredentials credentials() { return current_fs_credentials(); }

FsCredentials real_credentials()
{
    auto const& cred = Process::current().credentials();
    return FsCredentials { cred.uid, cred.gid };
}

ErrorOr<InodeMetadata> custody_metadata(Custody& custody)
{
    auto md = custody.inode().metadata();
    md.mount_id = vfs_mount_id_of(custody.inode().fs());
    return md;
}

ErrorOr<void> copy_stat_to_user(u64 user_stat, InodeMetadata const& md)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_dev = md.dev;
    st.st_ino = md.ino;
    st.st_nlink = md.nlink;
    st.st_mode = md.mode;
    st.st_uid = md.uid;
    st.st_gid = md.gid;
    st.st_rdev = md.rdev;
    st.st_size = static_cast<long>(md.size);
    st.st_blksize = static_cast<long>(md.blksize);
    st.st_blocks = static_cast<long>(md.blocks);
    st.st_atime = md.atime_ns / NS_PER_SEC;
    st.st_atime_nsec = md.atime_ns % NS_PER_SEC;
    st.st_mtime = md.mtime_ns / NS_PER_SEC;
    st.st_mtime_nsec = md.mtime_ns % NS_PER_SEC;
    st.st_ctime = md.ctime_ns / NS_PER_SEC;
    st.st_ctime_nsec = md.ctime_ns % NS_PER_SEC;
    return copy_to_user(user_stat, &st);
}

ErrorOr<void> copy_statx_to_user(u64 user_statx, InodeMetadata const& md, u32)
{
    struct statx stx;
    memset(&stx, 0, sizeof(stx));
    stx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID | (md.btime_ns ? STATX_BTIME : 0);
    stx.stx_blksize = static_cast<u32>(md.blksize);
    stx.stx_nlink = md.nlink;
    stx.stx_uid = md.uid;
    stx.stx_gid = md.gid;
    stx.stx_mode = static_cast<u16>(md.mode);
    stx.stx_ino = md.ino;
    stx.stx_size = md.size;
    stx.stx_blocks = md.blocks;
    auto set_time = [](statx_timestamp& ts, u64 ns) {
        ts.tv_sec = static_cast<i64>(ns / NS_PER_SEC);
        ts.tv_nsec = static_cast<u32>(ns % NS_PER_SEC);
    };
    set_time(stx.stx_atime, md.atime_ns);
    set_time(stx.stx_btime, md.btime_ns);
    set_time(stx.stx_ctime, md.ctime_ns);
    set_time(stx.stx_mtime, md.mtime_ns);
    stx.stx_rdev_major = fs::dev_major(md.rdev);
    stx.stx_rdev_minor = fs::dev_minor(md.rdev);
    stx.stx_dev_major = fs::dev_major(md.dev);
    stx.stx_dev_minor = fs::dev_minor(md.dev);
    stx.stx_mnt_id = md.mount_id;
    return copy_to_user(user_statx, &stx);
}

}
