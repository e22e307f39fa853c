// PseudoFS: the machinery behind /proc and /sys — a tree of directories, generated files
// and symlinks that exist only in memory and produce their content on demand.
//
//  - A generated file builds its whole content into a buffer when it is opened and again
//    whenever it is read at offset 0, so a small file comes in one read and re-reading from
//    the start sees fresh data. Writes (when the file has a writer) hand each write's bytes
//    to the writer.
//  - Directories hold registered children (static tables that later subsystems extend by
//    path, e.g. procfs_register_file("kallsyms", ...)) and may add dynamic children
//    (/proc/<pid>) through DynamicDirectory.
//  - Nothing here can be created, removed or renamed from user space (EPERM/EACCES).
//
// getdents positions: 0 ".", 1 "..", 2.. registered children by index (children are only
// ever appended), then dynamic entries at dynamic_position_base + their own key.
//
// Locking: one spinlock per PseudoFS guards the children lists; generators run without it.
#pragma once

#include "fs/FileSystem.h"
#include "fs/Inode.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"

using PseudoGenerator = ErrorOr<void> (*)(StringBuilder&);
using PseudoWriter = ErrorOr<void> (*)(StringView data);

constexpr u64 dynamic_position_base = 1ULL << 32;

class PseudoFS;

// Base of every pseudo inode: fixed mode and owner, times = creation time.
class PseudoInode : public Inode {
public:
    InodeMetadata metadata() const override;

protected:
    PseudoInode(PseudoFS& fs, u64 ino, u32 mode, u32 uid = 0, u32 gid = 0);
    PseudoFS& pseudo_fs() const;

    u32 m_mode;
    u32 m_uid;
    u32 m_gid;
    u64 m_time;
};

// A file whose content is generated.
class GeneratedInode : public PseudoInode {
public:
    virtual ErrorOr<void> generate(StringBuilder&) = 0;
    virtual bool is_writable() const { return false; }
    virtual ErrorOr<void> write_data(StringView) { return Error(EACCES); }

    ErrorOr<RefPtr<File>> open(u32 flags) override;
    ErrorOr<void> check_open(int mask) const override;
    ErrorOr<usize> read_at(u64 offset, UserBuffer const&, usize size) override;
    ErrorOr<void> truncate(u64) override { return is_writable() ? ErrorOr<void>() : Error(EACCES); }

protected:
    GeneratedInode(PseudoFS& fs, u64 ino, u32 mode, u32 uid = 0, u32 gid = 0)
        : PseudoInode(fs, ino, fs::S_REGULAR | (mode & fs::S_PERMISSION_MASK), uid, gid)
    {
    }
};

// A symlink whose target is computed when read.
class GeneratedSymlinkInode : public PseudoInode {
public:
    ErrorOr<String> readlink() override = 0;

protected:
    GeneratedSymlinkInode(PseudoFS& fs, u64 ino, u32 uid = 0, u32 gid = 0)
        : PseudoInode(fs, ino, fs::S_SYMLINK | 0777, uid, gid)
    {
    }
};

// Dynamic entries of a directory (the pids of /proc).
class DynamicDirectory {
public:
    virtual ErrorOr<RefPtr<Inode>> lookup_dynamic(StringView name) = 0;
    // Visits dynamic entries with key >= first_key; positions are dynamic_position_base + key.
    virtual ErrorOr<void> iterate_dynamic(u64 first_key, DirectoryVisitor&) = 0;

protected:
    ~DynamicDirectory() = default;
};

class PseudoDirectoryInode : public PseudoInode {
public:
    ErrorOr<RefPtr<Inode>> lookup(StringView name) override;
    ErrorOr<void> iterate(u64 position, DirectoryVisitor&) override;
    bool has_entries() const override { return true; }

    // Registration (kernel code only).
    ErrorOr<void> add_child(StringView name, RefPtr<Inode>);
    RefPtr<Inode> child(StringView name);
    void set_dynamic(DynamicDirectory* dynamic) { m_dynamic = dynamic; }
    void set_parent_ino(u64 ino) { m_parent_ino = ino; }

protected:
    friend class PseudoFS;
    PseudoDirectoryInode(PseudoFS& fs, u64 ino, u32 mode = 0555, u32 uid = 0, u32 gid = 0)
        : PseudoInode(fs, ino, fs::S_DIRECTORY | (mode & fs::S_PERMISSION_MASK), uid, gid)
    {
    }
    // Overridable per-instance child lists (per-process directories build theirs).
    struct Child {
        String name;
        RefPtr<Inode> inode;
    };
    Vector<Child> m_children;
    DynamicDirectory* m_dynamic { nullptr };
    u64 m_parent_ino { 0 };
};

class PseudoFS final : public FileSystem {
public:
    static ErrorOr<RefPtr<PseudoFS>> try_create(StringView type_name, u64 magic);

    StringView type_name() const override { return { m_type_name, m_type_name_length }; }
    u64 magic() const override { return m_magic; }
    RefPtr<Inode> root() override;
    PseudoDirectoryInode& root_directory() { return *m_root; }
    Spinlock& lock() { return m_lock; }

    // Registration by path relative to the root ("sys/kernel/ostype"); missing directories
    // are created. EEXIST if the final name exists.
    ErrorOr<void> register_file(StringView path, PseudoGenerator, PseudoWriter = nullptr, u32 mode = 0);
    ErrorOr<void> register_symlink(StringView path, StringView target);
    ErrorOr<RefPtr<PseudoDirectoryInode>> register_directory(StringView path);
    ErrorOr<void> register_inode(StringView path, RefPtr<Inode>);

    // Helpers for subclasses and dynamic directories.
    ErrorOr<RefPtr<PseudoDirectoryInode>> make_directory(u64 ino = 0, u32 mode = 0555, u32 uid = 0, u32 gid = 0);
    ErrorOr<RefPtr<Inode>> make_static_file(PseudoGenerator, PseudoWriter, u32 mode);
    ErrorOr<RefPtr<Inode>> make_static_symlink(StringView target);

private:
    PseudoFS() = default;
    ErrorOr<RefPtr<PseudoDirectoryInode>> directory_for(StringView path, bool create, StringView& last);

    Spinlock m_lock;
    RefPtr<PseudoDirectoryInode> m_root;
    char m_type_name[16] {};
    usize m_type_name_length { 0 };
    u64 m_magic { 0 };
};
