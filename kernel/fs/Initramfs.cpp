// initramfs: newc cpio parsing and unpacking (see Initramfs.h).
#include "fs/Initramfs.h"
#include "console/Console.h"
#include "fs/Inode.h"
#include "fs/VfsOps.h"
#include "mm/UserBuffer.h"

namespace {

constexpr usize header_size = 110;

bool parse_hex8(u8 const* p, u32& out)
{
    u32 value = 0;
    for (int i = 0; i < 8; ++i) {
        int digit = StringView::digit_value(static_cast<char>(p[i]));
        if (digit < 0)
            return false;
        value = (value << 4) | static_cast<u32>(digit);
    }
    out = value;
    return true;
}

Error malformed(usize offset, char const* what)
{
    kprintf("initramfs: malformed cpio archive at offset %zu: %s\n", offset, what);
    return Error(EINVAL);
}

}

ErrorOr<bool> CpioReader::next(CpioEntry& entry)
{
    for (;;) {
        // Skip zero padding between concatenated archives.
        while (m_offset < m_archive.size() && m_archive[m_offset] == 0)
            ++m_offset;
        if (m_offset >= m_archive.size())
            return false;
        usize start = m_offset;
        if (m_archive.size() - start < header_size)
            return malformed(start, "truncated header");
        u8 const* h = m_archive.data() + start;
        if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0)
            return malformed(start, "bad magic (only newc 070701/070702 is supported)");
        u32 fields[13];
        for (int i = 0; i < 13; ++i)
            if (!parse_hex8(h + 6 + 8 * i, fields[i]))
                return malformed(start, "bad hex field");
        u32 filesize = fields[6];
        u32 namesize = fields[11];
        if (namesize == 0)
            return malformed(start, "empty name");
        usize name_start = start + header_size;
        if (m_archive.size() - name_start < namesize)
            return malformed(start, "name past the end");
        if (m_archive[name_start + namesize - 1] != 0)
            return malformed(start, "name not NUL-terminated");
        usize data_start = klib::align_up(name_start + namesize, 4);
        if (data_start > m_archive.size() || m_archive.size() - data_start < filesize)
            return malformed(start, "data past the end");
        usize next_offset = klib::align_up(data_start + filesize, 4);
        m_offset = klib::min<usize>(next_offset, m_archive.size());

        StringView name(reinterpret_cast<char const*>(m_archive.data() + name_start), namesize - 1);
        if (name == "TRAILER!!!")
            continue; // another archive may follow
        entry.name = name;
        entry.ino = fields[0];
        entry.mode = fields[1];
        entry.uid = fields[2];
        entry.gid = fields[3];
        entry.nlink = fields[4];
        entry.mtime = fields[5];
        entry.rdev_major = fields[9];
        entry.rdev_minor = fields[10];
        entry.data = m_archive.slice(data_start, filesize);
        return true;
    }
}

namespace {

StringView normalize(StringView name)
{
    for (;;) {
        if (name.starts_with("./"))
            name = name.substring(2);
        else if (name.starts_with("/"))
            name = name.substring(1);
        else
            break;
    }
    while (name.ends_with("/"))
        name = name.substring(0, name.length() - 1);
    return name;
}

// mkdir -p for every directory above `path`.
ErrorOr<void> make_parents(Custody& root, StringView path)
{
    auto cred = FsCredentials::root();
    for (usize i = 0; i < path.length(); ++i) {
        if (path[i] != '/')
            continue;
        auto result = vfs_mkdir(root, path.substring(0, i), 0755, cred);
        if (result.is_error() && result.error().code() != EEXIST)
            return result;
    }
    return {};
}

ErrorOr<void> apply_attributes(Custody& root, StringView path, CpioEntry const& entry, bool follow)
{
    auto custody = TRY(resolve_custody(path, root, FsCredentials::root(), follow));
    auto& inode = custody->inode();
    if (!inode.is_symlink())
        (void)inode.chmod(entry.mode & fs::S_PERMISSION_MASK);
    (void)inode.chown(entry.uid, entry.gid);
    u64 mtime_ns = entry.mtime * 1000000000ULL;
    (void)inode.set_times(mtime_ns, mtime_ns);
    return {};
}

ErrorOr<void> unpack_entry(Custody& root, CpioEntry const& entry)
{
    auto cred = FsCredentials::root();
    StringView path = normalize(entry.name);
    if (path.is_empty() || path == ".")
        return {};
    TRY(make_parents(root, path));
    u32 type = entry.mode & fs::S_TYPE_MASK;
    switch (type) {
    case fs::S_DIRECTORY: {
        auto result = vfs_mkdir(root, path, entry.mode, cred);
        if (result.is_error() && result.error().code() != EEXIST)
            return result;
        return apply_attributes(root, path, entry, true);
    }
    case fs::S_REGULAR: {
        // Replace whatever non-directory is there.
        auto existing = resolve_custody(path, root, cred, false);
        if (!existing.is_error() && !existing.value()->inode().is_directory())
            TRY(vfs_unlink(root, path, cred));
        auto description = TRY(vfs_open_at(root, path, fs::O_CREATE | fs::O_WRITE_ONLY | fs::O_TRUNCATE, entry.mode, cred));
        if (entry.data.size()) {
            auto buffer = UserBuffer::kernel(const_cast<u8*>(entry.data.data()), entry.data.size());
            usize written = TRY(description->write(buffer, entry.data.size()));
            if (written != entry.data.size())
                return Error(ENOSPC);
        }
        return apply_attributes(root, path, entry, false);
    }
    case fs::S_SYMLINK: {
        if (entry.data.is_empty() || entry.data.size() >= fs::path_max)
            return malformed(0, "bad symlink target");
        StringView target(reinterpret_cast<char const*>(entry.data.data()), entry.data.size());
        auto existing = resolve_custody(path, root, cred, false);
        if (!existing.is_error() && !existing.value()->inode().is_directory())
            TRY(vfs_unlink(root, path, cred));
        TRY(vfs_symlink(target, root, path, cred));
        return apply_attributes(root, path, entry, false);
    }
    case fs::S_CHARDEV:
    case fs::S_BLOCKDEV:
    case fs::S_FIFO:
    case fs::S_SOCKET: {
        auto existing = resolve_custody(path, root, cred, false);
        if (!existing.is_error())
            return {}; // keep the node the kernel already made (e.g. /dev/console)
        TRY(vfs_mknod(root, path, entry.mode, fs::encode_dev(entry.rdev_major, entry.rdev_minor), cred));
        return apply_attributes(root, path, entry, false);
    }
    default:
        kprintf("initramfs: skipping '%.*s' with unknown mode %o\n", static_cast<int>(path.length()), path.chars(), entry.mode);
        return {};
    }
}

}

ErrorOr<void> unpack_cpio(ReadonlyBytes archive, Custody& root)
{
    CpioReader reader(archive);
    CpioEntry entry;
    usize count = 0;
    for (;;) {
        usize at = reader.offset();
        bool more = TRY(reader.next(entry));
        if (!more)
            break;
        auto result = unpack_entry(root, entry);
        if (result.is_error()) {
            kprintf("initramfs: cannot create '%.*s' (entry at offset %zu): errno %d\n",
                static_cast<int>(entry.name.length()), entry.name.chars(), at, result.error().code());
            return result;
        }
        ++count;
    }
    if (count == 0 && archive.size() > 0)
        kprintf("initramfs: archive holds no entries\n");
    return {};
}
