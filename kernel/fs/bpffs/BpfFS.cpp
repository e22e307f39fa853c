// bpffs (see BpfFS.h): BpfInode is a directory, a symlink or a pinned object.
#include "fs/bpffs/BpfFS.h"
#include "fs/File.h"
#include "time/Clock.h"

namespace bpffs {

namespace {

class BpfInode final : public Inode {
public:
    static ErrorOr<RefPtr<BpfInode>> try_create(BpfFS& fs, u32 mode, FsCredentials const& cred)
    {
        return adopt_ref_or_enomem(new (std::nothrow) BpfInode(fs, mode, cred));
    }

    InodeMetadata metadata() const override
    {
        SpinlockGuard guard(lock());
        InodeMetadata md;
        md.dev = fs().dev();
        md.ino = ino();
        md.mode = m_mode;
        md.nlink = m_nlink;
        md.uid = m_uid;
        md.gid = m_gid;
        md.size = 0;
        md.atime_ns = md.mtime_ns = m_mtime;
        md.ctime_ns = m_ctime;
        return md;
    }

    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        if (!is_dir())
            return Error(ENOTDIR);
        if (name.find('.') >= 0) // bpf_lookup(): dots are reserved
            return Error(EPERM);
        SpinlockGuard guard(lock());
        if (auto* entry = find(name))
            return RefPtr<Inode>(entry->inode);
        return Error(ENOENT);
    }

    ErrorOr<RefPtr<Inode>> create(StringView, u32, FsCredentials const&) override { return Error(is_dir() ? EACCES : ENOTDIR); }
    ErrorOr<RefPtr<Inode>> mknod(StringView, u32, u64, FsCredentials const&) override { return Error(is_dir() ? EPERM : ENOTDIR); }

    ErrorOr<RefPtr<Inode>> mkdir(StringView name, u32 mode, FsCredentials const& cred) override
    {
        auto inode = TRY(try_create(bpf_fs(), fs::S_DIRECTORY | (mode & fs::S_PERMISSION_MASK), cred));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<RefPtr<Inode>> symlink(StringView name, StringView target, FsCredentials const& cred) override
    {
        auto inode = TRY(try_create(bpf_fs(), fs::S_SYMLINK | 0777, cred));
        inode->m_target = TRY(String::try_create(target));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<void> unlink(StringView name) override
    {
        RefPtr<BpfInode> removed;
        SpinlockGuard guard(lock());
        if (!is_dir())
            return Error(ENOTDIR);
        usize index;
        if (!find_index(name, index))
            return Error(ENOENT);
        if (m_entries[index].inode->is_dir())
            return Error(EISDIR);
        removed = move(m_entries[index].inode);
        m_entries.remove(index);
        removed->m_nlink = 0;
        touch();
        return {};
    }

    ErrorOr<void> rmdir(StringView name) override
    {
        RefPtr<BpfInode> removed;
        SpinlockGuard guard(lock());
        if (!is_dir())
            return Error(ENOTDIR);
        usize index;
        if (!find_index(name, index))
            return Error(ENOENT);
        auto& child = *m_entries[index].inode;
        if (!child.is_dir())
            return Error(ENOTDIR);
        if (!child.m_entries.is_empty())
            return Error(ENOTEMPTY);
        removed = move(m_entries[index].inode);
        m_entries.remove(index);
        removed->m_nlink = 0;
        removed->m_parent = nullptr;
        --m_nlink;
        touch();
        return {};
    }

    ErrorOr<void> rename(StringView old_name, Inode& new_directory_inode, StringView new_name) override
    {
        if (&new_directory_inode.fs() != &fs())
            return Error(EXDEV);
        auto& destination = static_cast<BpfInode&>(new_directory_inode);
        auto new_name_copy = TRY(String::try_create(new_name));
        RefPtr<BpfInode> replaced;
        SpinlockGuard guard(lock());
        if (!is_dir() || !destination.is_dir())
            return Error(ENOTDIR);
        usize source_index;
        if (!find_index(old_name, source_index))
            return Error(ENOENT);
        RefPtr<BpfInode> source = m_entries[source_index].inode;
        usize target_index;
        bool target_exists = destination.find_index(new_name, target_index);
        if (target_exists) {
            auto& target = *destination.m_entries[target_index].inode;
            if (&target == source.ptr())
                return {};
            if (source->is_dir()) {
                if (!target.is_dir())
                    return Error(ENOTDIR);
                if (!target.m_entries.is_empty())
                    return Error(ENOTEMPTY);
            } else if (target.is_dir()) {
                return Error(EISDIR);
            }
        }
        if (source->is_dir())
            for (BpfInode* p = &destination; p; p = p->m_parent)
                if (p == source.ptr())
                    return Error(EINVAL);
        if (target_exists) {
            replaced = move(destination.m_entries[target_index].inode);
            destination.m_entries[target_index].inode = source;
            replaced->m_nlink = 0;
        } else {
            TRY(destination.m_entries.try_append(Entry { move(new_name_copy), source }));
        }
        for (usize index = 0; index < m_entries.size(); ++index) {
            if (m_entries[index].inode == source && m_entries[index].name == old_name) {
                m_entries.remove(index);
                break;
            }
        }
        if (source->is_dir() && &destination != this) {
            --m_nlink;
            ++destination.m_nlink;
            source->m_parent = &destination;
        }
        touch();
        destination.touch();
        return {};
    }

    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        if (!is_dir())
            return Error(ENOTDIR);
        SpinlockGuard guard(lock());
        if (position == 0) {
            if (!visitor.visit(".", ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1))
                return {};
            position = 1;
        }
        if (position == 1) {
            if (!visitor.visit("..", m_parent ? m_parent->ino() : ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 2))
                return {};
            position = 2;
        }
        for (usize i = position - 2; i < m_entries.size(); ++i) {
            auto& entry = m_entries[i];
            if (!visitor.visit(entry.name.view(), entry.inode->ino(), fs::mode_to_dirent_type(entry.inode->m_mode), i + 3))
                return {};
        }
        return {};
    }

    bool has_entries() const override
    {
        SpinlockGuard guard(lock());
        return !m_entries.is_empty();
    }

    ErrorOr<String> readlink() override
    {
        if (!is_link())
            return Error(EINVAL);
        return m_target.try_clone();
    }

    ErrorOr<RefPtr<File>> open(u32 flags) override
    {
        if (fs::mode_is_regular(m_mode))
            return Error(EIO); // bpffs_obj_open(): pinned objects are reached with BPF_OBJ_GET
        return Inode::open(flags);
    }

    ErrorOr<void> chmod(u32 mode) override
    {
        SpinlockGuard guard(lock());
        m_mode = (m_mode & fs::S_TYPE_MASK) | (mode & fs::S_PERMISSION_MASK);
        m_ctime = clock_realtime_ns();
        return {};
    }

    ErrorOr<void> chown(u32 uid, u32 gid) override
    {
        SpinlockGuard guard(lock());
        if (uid != ~0u)
            m_uid = uid;
        if (gid != ~0u)
            m_gid = gid;
        m_ctime = clock_realtime_ns();
        return {};
    }

    ErrorOr<void> set_times(u64, u64 mtime) override
    {
        SpinlockGuard guard(lock());
        m_mtime = mtime;
        return {};
    }

    ErrorOr<void> add_entry(StringView name, RefPtr<BpfInode> inode)
    {
        if (!is_dir())
            return Error(ENOTDIR);
        auto copy = TRY(String::try_create(name));
        SpinlockGuard guard(lock());
        if (find(name))
            return Error(EEXIST);
        if (inode->is_dir()) {
            inode->m_parent = this;
            ++m_nlink;
        }
        TRY(m_entries.try_append(Entry { move(copy), move(inode) }));
        touch();
        return {};
    }

    PinnedObject m_object; // regular files only; immutable once the pin exists

private:
    struct Entry {
        String name;
        RefPtr<BpfInode> inode;
    };

    BpfInode(BpfFS& fs, u32 mode, FsCredentials const& cred)
        : Inode(fs, fs.allocate_ino())
        , m_mode(mode)
        , m_nlink(fs::mode_is_directory(mode) ? 2 : 1)
        , m_uid(cred.uid)
        , m_gid(cred.gid)
        , m_mtime(clock_realtime_ns())
        , m_ctime(m_mtime)
    {
    }

    BpfFS& bpf_fs() const { return static_cast<BpfFS&>(fs()); }
    // The type bits never change after creation, so these need no lock (and must not take
    // it: Inode::is_directory() goes through metadata(), which does).
    bool is_dir() const { return fs::mode_is_directory(m_mode); }
    bool is_link() const { return fs::mode_is_symlink(m_mode); }
    Spinlock& lock() const { return bpf_fs().lock(); }
    void touch() { m_mtime = m_ctime = clock_realtime_ns(); }

    Entry* find(StringView name)
    {
        usize index;
        return find_index(name, index) ? &m_entries[index] : nullptr;
    }
    bool find_index(StringView name, usize& index)
    {
        for (index = 0; index < m_entries.size(); ++index)
            if (m_entries[index].name == name)
                return true;
        return false;
    }

    u32 m_mode;
    u32 m_nlink;
    u32 m_uid;
    u32 m_gid;
    u64 m_mtime;
    u64 m_ctime;
    BpfInode* m_parent { nullptr };
    Vector<Entry> m_entries;
    String m_target;
};

}

ErrorOr<RefPtr<BpfFS>> BpfFS::try_create()
{
    auto fs = TRY(adopt_ref_or_enomem(new (std::nothrow) BpfFS()));
    // Linux mounts bpffs with mode 0700 ("mode=700" by systemd); the root's default is 0777|S_ISVTX.
    fs->m_root = TRY(BpfInode::try_create(*fs, fs::S_DIRECTORY | 01777, FsCredentials::root()));
    return fs;
}

BpfFS::~BpfFS() = default;

RefPtr<Inode> BpfFS::root() { return m_root; }

ErrorOr<void> pin_object(Inode& directory, StringView name, PinnedObject object, u32 mode, FsCredentials const& credentials)
{
    if (directory.fs().magic() != magic || !directory.is_directory())
        return Error(EPERM);
    auto& parent = static_cast<BpfInode&>(directory);
    auto inode = TRY(BpfInode::try_create(static_cast<BpfFS&>(directory.fs()), fs::S_REGULAR | (mode & fs::S_PERMISSION_MASK), credentials));
    inode->m_object = move(object);
    return parent.add_entry(name, move(inode));
}

ErrorOr<PinnedObject> pinned_object(Inode& inode)
{
    if (inode.fs().magic() != magic || !inode.is_regular())
        return Error(EACCES);
    auto& pinned = static_cast<BpfInode&>(inode);
    return PinnedObject { pinned.m_object.kind, pinned.m_object.object };
}

}
