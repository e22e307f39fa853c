// ramfs (see RamFS.h): RamInode implements every Inode operation over in-memory state.
#include "fs/ramfs/RamFS.h"
#include "fs/DeviceRegistry.h"
#include "fs/Inode.h"
#include "fs/RamPages.h"
#include "klib/HashMap.h"
#include "mm/UserBuffer.h"
#include "time/Clock.h"

namespace {
constexpr u64 ramfs_magic = 0x858458f6;
constexpr u64 tmpfs_magic = 0x01021994;
constexpr u64 max_file_size = 0x7fffffffffffffffULL; // MAX_LFS_FILESIZE
constexpr usize bounce_size = 512;
}

class RamInode final : public Inode {
public:
    static ErrorOr<RefPtr<RamInode>> try_create(RamFS& fs, u32 mode, FsCredentials const& cred, u64 rdev = 0)
    {
        return adopt_ref_or_enomem(new (std::nothrow) RamInode(fs, mode, cred, rdev));
    }

    ~RamInode() override
    {
        m_pages.for_each([](u64, u8*& page) { ram_page_free(page); });
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
        md.rdev = m_rdev;
        md.size = size_locked();
        md.blksize = ram_page_size;
        md.blocks = m_pages.size() * (ram_page_size / 512);
        md.atime_ns = m_atime;
        md.mtime_ns = m_mtime;
        md.ctime_ns = m_ctime;
        md.btime_ns = m_btime;
        return md;
    }

    // ---- Directories -------------------------------------------------------------------

    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        SpinlockGuard guard(lock());
        if (!is_directory_locked())
            return Error(ENOTDIR);
        if (auto* entry = find_entry_locked(name))
            return RefPtr<Inode>(entry->inode);
        return Error(ENOENT);
    }

    ErrorOr<RefPtr<Inode>> create(StringView name, u32 mode, FsCredentials const& cred) override
    {
        auto inode = TRY(RamInode::try_create(ramfs(), fs::S_REGULAR | (mode & fs::S_PERMISSION_MASK), cred));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<RefPtr<Inode>> mkdir(StringView name, u32 mode, FsCredentials const& cred) override
    {
        auto inode = TRY(RamInode::try_create(ramfs(), fs::S_DIRECTORY | (mode & fs::S_PERMISSION_MASK), cred));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<RefPtr<Inode>> symlink(StringView name, StringView target, FsCredentials const& cred) override
    {
        auto inode = TRY(RamInode::try_create(ramfs(), fs::S_SYMLINK | 0777, cred));
        inode->m_target = TRY(String::try_create(target));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<RefPtr<Inode>> mknod(StringView name, u32 mode, u64 rdev, FsCredentials const& cred) override
    {
        u32 type = mode & fs::S_TYPE_MASK;
        if (type == 0)
            type = fs::S_REGULAR;
        if (type == fs::S_DIRECTORY || type == fs::S_SYMLINK)
            return Error(EINVAL);
        bool is_device = type == fs::S_CHARDEV || type == fs::S_BLOCKDEV;
        auto inode = TRY(RamInode::try_create(ramfs(), type | (mode & fs::S_PERMISSION_MASK), cred, is_device ? rdev : 0));
        TRY(add_entry(name, inode));
        return RefPtr<Inode>(move(inode));
    }

    ErrorOr<void> unlink(StringView name) override
    {
        RefPtr<RamInode> removed;
        SpinlockGuard guard(lock());
        if (!is_directory_locked())
            return Error(ENOTDIR);
        usize index;
        if (!find_index_locked(name, index))
            return Error(ENOENT);
        if (m_entries[index].inode->is_directory_locked())
            return Error(EISDIR);
        removed = move(m_entries[index].inode);
        m_entries.remove(index);
        u64 now = clock_realtime_ns();
        if (removed->m_nlink)
            --removed->m_nlink;
        removed->m_ctime = now;
        m_mtime = m_ctime = now;
        // `removed` is released after `guard`: the inode may be freed outside the lock.
        return {};
    }

    ErrorOr<void> rmdir(StringView name) override
    {
        RefPtr<RamInode> removed;
        SpinlockGuard guard(lock());
        if (!is_directory_locked())
            return Error(ENOTDIR);
        usize index;
        if (!find_index_locked(name, index))
            return Error(ENOENT);
        auto& child = *m_entries[index].inode;
        if (!child.is_directory_locked())
            return Error(ENOTDIR);
        if (!child.m_entries.is_empty())
            return Error(ENOTEMPTY);
        removed = move(m_entries[index].inode);
        m_entries.remove(index);
        removed->m_nlink = 0;
        removed->m_parent = nullptr;
        if (m_nlink > 2)
            --m_nlink;
        u64 now = clock_realtime_ns();
        removed->m_ctime = now;
        m_mtime = m_ctime = now;
        return {};
    }

    ErrorOr<void> rename(StringView old_name, Inode& new_directory_inode, StringView new_name) override
    {
        if (&new_directory_inode.fs() != &fs())
            return Error(EXDEV);
        auto& new_directory = static_cast<RamInode&>(new_directory_inode);
        auto new_name_copy = TRY(String::try_create(new_name));
        RefPtr<RamInode> replaced;
        SpinlockGuard guard(lock());
        if (!is_directory_locked() || !new_directory.is_directory_locked())
            return Error(ENOTDIR);
        usize source_index;
        if (!find_index_locked(old_name, source_index))
            return Error(ENOENT);
        RefPtr<RamInode> source = m_entries[source_index].inode;
        bool source_is_directory = source->is_directory_locked();
        usize target_index;
        bool target_exists = new_directory.find_index_locked(new_name, target_index);
        if (target_exists) {
            auto& target = *new_directory.m_entries[target_index].inode;
            if (&target == source.ptr())
                return {};
            if (source_is_directory) {
                if (!target.is_directory_locked())
                    return Error(ENOTDIR);
                if (!target.m_entries.is_empty())
                    return Error(ENOTEMPTY);
            } else if (target.is_directory_locked()) {
                return Error(EISDIR);
            }
        }
        if (source_is_directory) {
            // The new parent must not be the source or below it.
            for (RamInode* p = &new_directory; p; p = p->m_parent)
                if (p == source.ptr())
                    return Error(EINVAL);
        }
        if (!target_exists)
            TRY(new_directory.m_entries.try_append(Entry { move(new_name_copy), source, new_directory.m_next_cookie++ }));

        u64 now = clock_realtime_ns();
        if (target_exists) {
            auto& slot = new_directory.m_entries[target_index];
            replaced = move(slot.inode);
            slot.inode = source;
            if (replaced->is_directory_locked()) {
                replaced->m_nlink = 0;
                replaced->m_parent = nullptr;
                if (new_directory.m_nlink > 2)
                    --new_directory.m_nlink;
            } else if (replaced->m_nlink) {
                --replaced->m_nlink;
            }
            replaced->m_ctime = now;
        }
        // Remove the old entry (find it again: appending may have moved it when the new
        // directory is this one).
        usize index;
        for (index = 0; index < m_entries.size(); ++index)
            if (m_entries[index].inode == source && m_entries[index].name == old_name)
                break;
        VERIFY(index < m_entries.size());
        m_entries.remove(index);
        if (source_is_directory && &new_directory != this) {
            if (m_nlink > 2)
                --m_nlink;
            ++new_directory.m_nlink;
            source->m_parent = &new_directory;
        }
        source->m_ctime = now;
        m_mtime = m_ctime = now;
        new_directory.m_mtime = new_directory.m_ctime = now;
        return {};
    }

    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        SpinlockGuard guard(lock());
        if (!is_directory_locked())
            return Error(ENOTDIR);
        if (position == 0) {
            if (!visitor.visit(".", ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1))
                return {};
            position = 1;
        }
        if (position == 1) {
            u64 parent_ino = m_parent ? m_parent->ino() : ino();
            if (!visitor.visit("..", parent_ino, fs::mode_to_dirent_type(fs::S_DIRECTORY), 2))
                return {};
            position = 2;
        }
        for (auto& entry : m_entries) {
            if (entry.cookie < position)
                continue;
            if (!visitor.visit(entry.name.view(), entry.inode->ino(), fs::mode_to_dirent_type(entry.inode->m_mode), entry.cookie + 1))
                return {};
        }
        return {};
    }

    bool has_entries() const override
    {
        SpinlockGuard guard(lock());
        return !m_entries.is_empty();
    }

    // ---- Data --------------------------------------------------------------------------

    ErrorOr<usize> read_at(u64 offset, UserBuffer const& buffer, usize size) override
    {
        u8 bounce[bounce_size];
        usize done = 0;
        while (done < size) {
            usize chunk;
            {
                SpinlockGuard guard(lock());
                if (is_directory_locked())
                    return Error(EISDIR);
                if (!is_regular_locked())
                    return Error(EINVAL);
                u64 position = offset + done;
                if (position >= m_size)
                    break;
                u64 page_offset = position % ram_page_size;
                chunk = klib::min<u64>(size - done, klib::min<u64>(m_size - position, klib::min<u64>(bounce_size, ram_page_size - page_offset)));
                u8** page = m_pages.get(position / ram_page_size);
                if (page)
                    memcpy(bounce, *page + page_offset, chunk);
                else
                    memset(bounce, 0, chunk);
                m_atime = clock_realtime_ns();
            }
            auto copied = buffer.write(bounce, chunk, done);
            if (copied.is_error()) {
                if (done)
                    break;
                return copied.release_error();
            }
            done += chunk;
        }
        return done;
    }

    ErrorOr<usize> write_at(u64 offset, UserBuffer const& buffer, usize size) override
    {
        return write_impl(offset, buffer, size, false, nullptr);
    }

    ErrorOr<usize> append(UserBuffer const& buffer, usize size, u64& written_at) override
    {
        return write_impl(0, buffer, size, true, &written_at);
    }

    ErrorOr<void> truncate(u64 new_size) override
    {
        if (new_size > max_file_size)
            return Error(EFBIG);
        Vector<u8*> freed;
        {
            SpinlockGuard guard(lock());
            if (is_directory_locked())
                return Error(EISDIR);
            if (!is_regular_locked())
                return Error(EINVAL);
            if (new_size < m_size) {
                // Zero the tail of the last partial page, drop whole pages past the end.
                u64 first_dropped = klib::align_up(new_size, ram_page_size) / ram_page_size;
                if (new_size % ram_page_size) {
                    if (u8** page = m_pages.get(new_size / ram_page_size))
                        memset(*page + new_size % ram_page_size, 0, ram_page_size - new_size % ram_page_size);
                }
                Vector<u64> keys;
                m_pages.for_each([&](u64 key, u8*&) {
                    if (key >= first_dropped)
                        (void)keys.try_append(key);
                });
                for (u64 key : keys) {
                    u8* page = *m_pages.get(key);
                    m_pages.remove(key);
                    if (freed.try_append(page).is_error())
                        ram_page_free(page);
                }
            }
            m_size = new_size;
            m_mtime = m_ctime = clock_realtime_ns();
        }
        for (u8* page : freed)
            ram_page_free(page);
        return {};
    }

    ErrorOr<String> readlink() override
    {
        SpinlockGuard guard(lock());
        if (!fs::mode_is_symlink(m_mode))
            return Error(EINVAL);
        return m_target.try_clone();
    }

    // ---- Attributes --------------------------------------------------------------------

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
        if (uid != static_cast<u32>(-1))
            m_uid = uid;
        if (gid != static_cast<u32>(-1))
            m_gid = gid;
        m_ctime = clock_realtime_ns();
        return {};
    }

    ErrorOr<void> set_times(u64 atime_ns, u64 mtime_ns) override
    {
        SpinlockGuard guard(lock());
        m_atime = atime_ns;
        m_mtime = mtime_ns;
        m_ctime = clock_realtime_ns();
        return {};
    }

    ErrorOr<RefPtr<File>> open(u32 flags) override
    {
        u32 type;
        u64 rdev;
        {
            SpinlockGuard guard(lock());
            type = m_mode & fs::S_TYPE_MASK;
            rdev = m_rdev;
        }
        switch (type) {
        case fs::S_CHARDEV:
            return open_char_device(rdev, *this, flags);
        case fs::S_BLOCKDEV:
        case fs::S_FIFO:
        case fs::S_SOCKET:
            return Error(ENXIO);
        default:
            return Inode::open(flags);
        }
    }

private:
    friend class RamFS;

    struct Entry {
        String name;
        RefPtr<RamInode> inode;
        u64 cookie;
    };

    RamInode(RamFS& fs, u32 mode, FsCredentials const& cred, u64 rdev)
        : Inode(fs, fs.allocate_ino())
        , m_mode(mode)
        , m_uid(cred.uid)
        , m_gid(cred.gid)
        , m_nlink(fs::mode_is_directory(mode) ? 2 : 1)
        , m_rdev(rdev)
    {
        m_atime = m_mtime = m_ctime = m_btime = clock_realtime_ns();
    }

    RamFS& ramfs() const { return static_cast<RamFS&>(fs()); }
    Spinlock& lock() const { return ramfs().lock(); }
    bool is_directory_locked() const { return fs::mode_is_directory(m_mode); }
    bool is_regular_locked() const { return fs::mode_is_regular(m_mode); }
    u64 size_locked() const
    {
        if (fs::mode_is_symlink(m_mode))
            return m_target.length();
        if (fs::mode_is_directory(m_mode))
            return ram_page_size;
        return m_size;
    }

    Entry* find_entry_locked(StringView name)
    {
        usize index;
        return find_index_locked(name, index) ? &m_entries[index] : nullptr;
    }
    bool find_index_locked(StringView name, usize& index) const
    {
        for (usize i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].name == name) {
                index = i;
                return true;
            }
        }
        return false;
    }

    ErrorOr<void> add_entry(StringView name, RefPtr<RamInode> const& inode)
    {
        auto name_copy = TRY(String::try_create(name));
        SpinlockGuard guard(lock());
        if (!is_directory_locked())
            return Error(ENOTDIR);
        if (m_nlink == 0)
            return Error(ENOENT); // the directory was removed
        if (find_entry_locked(name))
            return Error(EEXIST);
        TRY(m_entries.try_append(Entry { move(name_copy), inode, m_next_cookie++ }));
        if (inode->is_directory_locked()) {
            inode->m_parent = this;
            ++m_nlink;
        }
        m_mtime = m_ctime = clock_realtime_ns();
        return {};
    }

    ErrorOr<usize> write_impl(u64 offset, UserBuffer const& buffer, usize size, bool append, u64* written_at)
    {
        u8 bounce[bounce_size];
        usize done = 0;
        if (append) {
            SpinlockGuard guard(lock());
            offset = m_size;
        }
        if (written_at)
            *written_at = offset;
        u64 end;
        if (!klib::checked_add<u64>(offset, size, end) || end > max_file_size)
            return Error(EFBIG);
        while (done < size) {
            u64 position = offset + done;
            u64 page_offset = position % ram_page_size;
            usize chunk = klib::min<u64>(size - done, klib::min<u64>(bounce_size, ram_page_size - page_offset));
            auto copied = buffer.read(bounce, chunk, done);
            if (copied.is_error()) {
                if (done)
                    break;
                return copied.release_error();
            }
            SpinlockGuard guard(lock());
            if (is_directory_locked())
                return Error(EISDIR);
            if (!is_regular_locked())
                return Error(EINVAL);
            u64 key = position / ram_page_size;
            u8** slot = m_pages.get(key);
            u8* page = slot ? *slot : nullptr;
            if (!page) {
                page = ram_page_allocate();
                if (!page || m_pages.try_set(key, page).is_error()) {
                    ram_page_free(page);
                    if (done)
                        break;
                    return Error(ENOSPC);
                }
            }
            memcpy(page + page_offset, bounce, chunk);
            done += chunk;
            if (position + chunk > m_size)
                m_size = position + chunk;
            m_mtime = m_ctime = clock_realtime_ns();
        }
        return done;
    }

    u32 m_mode;
    u32 m_uid;
    u32 m_gid;
    u32 m_nlink;
    u64 m_rdev;
    u64 m_size { 0 };
    u64 m_atime { 0 }, m_mtime { 0 }, m_ctime { 0 }, m_btime { 0 };
    // Directory state.
    Vector<Entry> m_entries;
    u64 m_next_cookie { 2 };
    RamInode* m_parent { nullptr };
    // Regular file data: page index -> page.
    HashMap<u64, u8*> m_pages;
    // Symlink target.
    String m_target;
};

ErrorOr<RefPtr<RamFS>> RamFS::try_create(StringView type_name, u32 root_mode)
{
    auto fs = TRY(adopt_ref_or_enomem(new (std::nothrow) RamFS()));
    fs->m_type_name_length = klib::min<usize>(type_name.length(), sizeof(fs->m_type_name) - 1);
    memcpy(fs->m_type_name, type_name.chars(), fs->m_type_name_length);
    fs->m_root = TRY(RamInode::try_create(*fs, fs::S_DIRECTORY | (root_mode & fs::S_PERMISSION_MASK), FsCredentials::root()));
    return fs;
}

RamFS::~RamFS() = default;

u64 RamFS::magic() const
{
    return type_name() == "ramfs" ? ramfs_magic : tmpfs_magic;
}

RefPtr<Inode> RamFS::root() { return m_root; }
