// bpffs ("bpf", statfs magic BPF_FS_MAGIC 0xcafe4a11), mounted on /sys/fs/bpf: an in-memory
// tree of directories, symlinks and pinned BPF objects (maps, programs, links). A pinned
// object is a regular-file inode holding a reference to the object, so the object lives as
// long as the pin even when every fd is closed; unlink drops it. As in Linux, names with a
// '.' are reserved (lookup gives EPERM), regular files cannot be created with open/mknod,
// and opening a pinned object gives EIO (objects are reached with BPF_OBJ_GET).
//
// Locking: one spinlock per file system guards every directory's entries and every inode's
// metadata. Objects are released outside it.
#pragma once

#include "bpf/syscall/BpfObject.h"
#include "fs/FileSystem.h"
#include "fs/Inode.h"
#include "klib/RefPtr.h"
#include "klib/Spinlock.h"

class Custody;

namespace bpffs {

constexpr u64 magic = 0xcafe4a11; // BPF_FS_MAGIC

// What a pin holds (Linux's enum bpf_type).
enum class ObjectKind : u8 {
    None,
    Map,
    Program,
    Link,
};

struct PinnedObject {
    ObjectKind kind { ObjectKind::None };
    RefPtr<bpf::kernel::BpfObject> object;
};

class BpfFS final : public FileSystem {
public:
    static ErrorOr<RefPtr<BpfFS>> try_create();
    ~BpfFS() override;

    StringView type_name() const override { return "bpf"; }
    u64 magic() const override { return bpffs::magic; }
    RefPtr<Inode> root() override;

    Spinlock& lock() { return m_lock; }

private:
    BpfFS() = default;
    Spinlock m_lock;
    RefPtr<Inode> m_root;
};

// Creates the pin `name` in `directory` (Linux's bpf_obj_do_pin after the path lookup):
// EPERM when `directory` is not a bpffs directory, EEXIST when the name is taken. `mode` is
// the permission bits (0600 minus the umask).
ErrorOr<void> pin_object(Inode& directory, StringView name, PinnedObject object, u32 mode, FsCredentials const& credentials);
// The object pinned at `inode` (a new reference), or EACCES when it is not a pinned object.
ErrorOr<PinnedObject> pinned_object(Inode& inode);

}
