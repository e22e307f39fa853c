// The mount table (see Mount.h): a small vector under one spinlock.
#include "fs/Mount.h"
#include "fs/Inode.h"
#include "klib/Spinlock.h"

namespace {

struct MountEntry {
    u32 id;
    u32 parent_id;
    RefPtr<FileSystem> fs;
    RefPtr<Inode> covered; // null for the root mount
    RefPtr<Custody> mountpoint;
    String source;
    String options;
};

Spinlock mount_lock;
Vector<MountEntry>* mounts = nullptr; // allocated on first use (no static constructors needed)
RefPtr<Custody>* root_custody = nullptr;
u32 next_mount_id = 1;

ErrorOr<void> ensure_table()
{
    if (!mounts) {
        mounts = new (std::nothrow) Vector<MountEntry>();
        if (!mounts)
            return Error(ENOMEM);
    }
    if (!root_custody) {
        root_custody = new (std::nothrow) RefPtr<Custody>();
        if (!root_custody)
            return Error(ENOMEM);
    }
    return {};
}

}

ErrorOr<RefPtr<Custody>> vfs_set_root_filesystem(RefPtr<FileSystem> fs, StringView source, StringView options)
{
    auto custody = TRY(Custody::try_create(nullptr, "", fs->root()));
    auto source_copy = TRY(String::try_create(source));
    auto options_copy = TRY(String::try_create(options));
    SpinlockGuard guard(mount_lock);
    TRY(ensure_table());
    if (*root_custody)
        return Error(EBUSY);
    TRY(mounts->try_append(MountEntry { next_mount_id++, 0, move(fs), nullptr, custody, move(source_copy), move(options_copy) }));
    *root_custody = custody;
    return custody;
}

RefPtr<Custody> vfs_root_custody()
{
    SpinlockGuard guard(mount_lock);
    return root_custody ? *root_custody : RefPtr<Custody>();
}

ErrorOr<void> vfs_mount_filesystem(RefPtr<FileSystem> fs, Custody& mountpoint, StringView source, StringView options)
{
    if (!mountpoint.inode().is_directory())
        return Error(ENOTDIR);
    auto source_copy = TRY(String::try_create(source));
    auto options_copy = TRY(String::try_create(options));
    u32 parent_fs_mount = vfs_mount_id_of(mountpoint.inode().fs());
    SpinlockGuard guard(mount_lock);
    TRY(ensure_table());
    TRY(mounts->try_append(MountEntry { next_mount_id++, parent_fs_mount, move(fs), mountpoint.inode_ref(), RefPtr<Custody>(&mountpoint), move(source_copy), move(options_copy) }));
    return {};
}

RefPtr<Inode> vfs_mounted_root_at(Inode& inode)
{
    RefPtr<FileSystem> fs;
    {
        SpinlockGuard guard(mount_lock);
        if (!mounts)
            return nullptr;
        for (usize i = mounts->size(); i > 0; --i) {
            auto& entry = (*mounts)[i - 1];
            if (entry.covered.ptr() == &inode) {
                fs = entry.fs;
                break;
            }
        }
    }
    if (!fs)
        return nullptr;
    return fs->root();
}

bool vfs_is_mount_boundary(Inode& inode)
{
    SpinlockGuard guard(mount_lock);
    if (!mounts)
        return false;
    for (auto& entry : *mounts) {
        if (entry.covered.ptr() == &inode)
            return true;
        if (entry.covered && entry.fs.ptr() == &inode.fs() && entry.fs->root().ptr() == &inode)
            return true;
    }
    return false;
}

u32 vfs_mount_id_of(FileSystem const& fs)
{
    SpinlockGuard guard(mount_lock);
    if (!mounts)
        return 0;
    for (auto& entry : *mounts)
        if (entry.fs.ptr() == &fs)
            return entry.id;
    return 0;
}

ErrorOr<Vector<MountSnapshot>> vfs_mount_snapshot()
{
    Vector<MountSnapshot> result;
    SpinlockGuard guard(mount_lock);
    if (!mounts)
        return result;
    TRY(result.try_ensure_capacity(mounts->size()));
    for (auto& entry : *mounts) {
        auto source = TRY(entry.source.try_clone());
        auto options = TRY(entry.options.try_clone());
        TRY(result.try_append(MountSnapshot { entry.id, entry.parent_id, entry.fs, entry.mountpoint, move(source), move(options) }));
    }
    return result;
}

void vfs_reset_mounts_for_testing()
{
    Vector<MountEntry> old;
    RefPtr<Custody> old_root;
    {
        SpinlockGuard guard(mount_lock);
        if (mounts)
            old = move(*mounts);
        if (root_custody)
            old_root = move(*root_custody);
        next_mount_id = 1;
    }
}
