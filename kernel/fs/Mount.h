// The mount table: which file system roots cover which directories, plus the root of the
// whole tree. A mount makes the covered directory inode resolve to the mounted file system's
// root (path resolution calls vfs_mounted_root_at() after each lookup); ".." of a mounted
// root goes through the custody chain to the mount point's parent.
//
// Invariants: mounts are never removed; mount 1 is the root file system. Mounting over a
// mount point stacks (the newest mount wins). One spinlock guards the table; lookups copy
// references out under it.
#pragma once

#include "fs/Custody.h"
#include "fs/FileSystem.h"
#include "klib/Vector.h"

struct MountSnapshot {
    u32 id { 0 };
    u32 parent_id { 0 };
    RefPtr<FileSystem> fs;
    RefPtr<Custody> mountpoint; // the root mount's custody is the root custody
    String source;
    String options;
};

// Makes `fs` the root of the tree (once, at boot or in a test). Returns the root custody.
ErrorOr<RefPtr<Custody>> vfs_set_root_filesystem(RefPtr<FileSystem> fs, StringView source, StringView options);
RefPtr<Custody> vfs_root_custody();
// Mounts `fs` over the directory `mountpoint` (ENOTDIR if it is not a directory).
ErrorOr<void> vfs_mount_filesystem(RefPtr<FileSystem> fs, Custody& mountpoint, StringView source, StringView options);
// The root inode of the newest file system mounted over `inode`, or null.
RefPtr<Inode> vfs_mounted_root_at(Inode& inode);
// True when `inode` is covered by a mount or is the root of a mounted file system.
bool vfs_is_mount_boundary(Inode& inode);
// Mount id of the (first) mount of `fs`, 0 if not mounted.
u32 vfs_mount_id_of(FileSystem const& fs);
ErrorOr<Vector<MountSnapshot>> vfs_mount_snapshot();
// Forgets every mount (host tests only).
void vfs_reset_mounts_for_testing();
