// FileSystem: one instance of a file system type (the root ramfs, /tmp, devtmpfs, proc,
// sysfs, later bpf and tracefs). It owns the root inode, hands out inode numbers and has an
// anonymous device number (major 0, like Linux's nodev file systems) reported as st_dev.
//
// Invariants: file systems are never unmounted, so inodes keep a plain reference to their
// FileSystem. Inode numbers are unique within one file system. Thread-safe (atomics only).
#pragma once

#include "fs/FsTypes.h"
#include "klib/Atomic.h"
#include "klib/RefPtr.h"
#include "klib/StringView.h"

class Inode;

// A fresh anonymous device number (0:N) for things that are not a FileSystem instance
// (pipefs, anon_inodefs).
u64 allocate_anonymous_dev();

class FileSystem : public RefCounted {
public:
    ~FileSystem() override = default;

    // The type name shown in /proc/mounts and /proc/filesystems ("ramfs", "proc", ...).
    virtual StringView type_name() const = 0;
    // statfs f_type (e.g. RAMFS_MAGIC, PROC_SUPER_MAGIC, BPF_FS_MAGIC).
    virtual u64 magic() const = 0;
    virtual RefPtr<Inode> root() = 0;

    u64 dev() const { return m_dev; }
    u64 allocate_ino() { return m_next_ino.fetch_add(1); }

protected:
    FileSystem();

private:
    u64 m_dev;
    Atomic<u64> m_next_ino { 1 };
};
