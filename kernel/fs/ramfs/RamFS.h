// ramfs: the in-memory file system used for the root (rootfs), /tmp (tmpfs) and /dev
// (devtmpfs). Directories, regular files (sparse: 4 KiB pages allocated on first write),
// symlinks, device nodes; link counts, timestamps (CLOCK_REALTIME), rename within one
// instance (replacing a compatible target, refusing to move a directory below itself).
//
// Invariants: a directory's entries are kept in creation order with strictly increasing
// cookies, which are the getdents positions, so unlinking while reading a directory neither
// skips nor repeats entries. Directories know their parent (for ".." in getdents and the
// rename loop check).
//
// Locking: one spinlock per file system instance guards every inode's metadata, directory
// entries and page table. File data is copied through a small kernel bounce buffer, so the
// lock is never held while user memory is touched; a write is therefore not atomic with
// respect to concurrent readers (Linux makes the same promise for regular files: none).
#pragma once

#include "fs/FileSystem.h"
#include "klib/Spinlock.h"

class RamInode;

class RamFS final : public FileSystem {
public:
    // type_name: "rootfs", "tmpfs", "devtmpfs" or "ramfs" (shown in /proc/mounts).
    static ErrorOr<RefPtr<RamFS>> try_create(StringView type_name, u32 root_mode = 0755);
    ~RamFS() override;

    StringView type_name() const override { return { m_type_name, m_type_name_length }; }
    u64 magic() const override;
    RefPtr<Inode> root() override;

    Spinlock& lock() { return m_lock; }

private:
    RamFS() = default;

    Spinlock m_lock;
    RefPtr<RamInode> m_root;
    char m_type_name[16] {};
    usize m_type_name_length { 0 };
};
