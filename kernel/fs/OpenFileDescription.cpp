// OpenFileDescription: offset bookkeeping, lseek, getdents64 record building, and the
// teardown that closes the File and detaches epoll watchers.
#include "fs/OpenFileDescription.h"
#include "fs/Epoll.h"
#include "fs/Inode.h"
#include "fs/Mount.h"
#include "mm/UserBuffer.h"

namespace {
constexpr u32 creation_only_flags = fs::O_CREATE | fs::O_EXCLUSIVE | fs::O_NO_CTTY | fs::O_TRUNCATE | fs::O_CLOEXEC_;
constexpr int seek_set = 0, seek_cur = 1, seek_end = 2, seek_data = 3, seek_hole = 4;
}

OpenFileDescription::OpenFileDescription(RefPtr<File> file, u32 flags, RefPtr<Custody> custody)
    : m_file(move(file))
    , m_custody(move(custody))
    , m_flags(flags & ~creation_only_flags)
{
}

ErrorOr<RefPtr<OpenFileDescription>> OpenFileDescription::try_create(RefPtr<File> file, u32 flags, RefPtr<Custody> custody)
{
    VERIFY(file);
    auto description = TRY(adopt_ref_or_enomem(new (std::nothrow) OpenFileDescription(move(file), flags, move(custody))));
    description->m_file->opened(*description);
    return description;
}

OpenFileDescription::~OpenFileDescription()
{
    epoll_detach_description(*this);
    m_file->close(*this);
}

u32 OpenFileDescription::flags() const
{
    SpinlockGuard guard(m_lock);
    return m_flags;
}

void OpenFileDescription::set_status_flags(u32 flags)
{
    SpinlockGuard guard(m_lock);
    m_flags = (m_flags & ~fs::O_SETFL_MASK) | (flags & fs::O_SETFL_MASK);
}

void OpenFileDescription::set_nonblocking(bool nonblocking)
{
    SpinlockGuard guard(m_lock);
    if (nonblocking)
        m_flags |= fs::O_NONBLOCK_;
    else
        m_flags &= ~fs::O_NONBLOCK_;
}

u64 OpenFileDescription::offset() const
{
    SpinlockGuard guard(m_lock);
    return m_offset;
}

void OpenFileDescription::set_offset(u64 offset)
{
    SpinlockGuard guard(m_lock);
    m_offset = offset;
}

ErrorOr<usize> OpenFileDescription::read(UserBuffer const& buffer, usize size)
{
    if (!is_readable())
        return Error(EBADF);
    if (!m_file->is_seekable())
        return m_file->read(*this, 0, buffer, size);
    u64 start = offset();
    usize count = TRY(m_file->read(*this, start, buffer, size));
    SpinlockGuard guard(m_lock);
    m_offset = start + count;
    return count;
}

ErrorOr<usize> OpenFileDescription::write(UserBuffer const& buffer, usize size)
{
    if (!is_writable())
        return Error(EBADF);
    if (!m_file->is_seekable())
        return m_file->write(*this, 0, buffer, size);
    u64 start = offset();
    usize count = TRY(m_file->write(*this, start, buffer, size));
    u64 end = start + count;
    if (is_append()) {
        // The File wrote at its end; the offset follows (Linux: f_pos = the new size).
        auto size_now = m_file->seek_end_size();
        if (!size_now.is_error())
            end = size_now.value();
    }
    SpinlockGuard guard(m_lock);
    m_offset = end;
    return count;
}

ErrorOr<usize> OpenFileDescription::read_at(u64 offset, UserBuffer const& buffer, usize size)
{
    if (!is_readable())
        return Error(EBADF);
    if (!m_file->is_seekable())
        return Error(ESPIPE);
    return m_file->read(*this, offset, buffer, size);
}

ErrorOr<usize> OpenFileDescription::write_at(u64 offset, UserBuffer const& buffer, usize size)
{
    if (!is_writable())
        return Error(EBADF);
    if (!m_file->is_seekable())
        return Error(ESPIPE);
    return m_file->write(*this, offset, buffer, size);
}

ErrorOr<u64> OpenFileDescription::seek(i64 offset, int whence)
{
    if (!m_file->is_seekable())
        return Error(ESPIPE);
    bool directory = m_file->is_directory();
    u64 end_size = 0;
    if (whence == seek_end || whence == seek_data || whence == seek_hole) {
        if (directory)
            return Error(EINVAL);
        end_size = TRY(m_file->seek_end_size());
    }
    SpinlockGuard guard(m_lock);
    i64 base;
    switch (whence) {
    case seek_set:
        base = 0;
        break;
    case seek_cur:
        base = static_cast<i64>(m_offset);
        break;
    case seek_end:
        base = static_cast<i64>(end_size);
        break;
    case seek_data:
        // The whole file is one data extent.
        if (offset < 0 || static_cast<u64>(offset) >= end_size)
            return Error(ENXIO);
        m_offset = static_cast<u64>(offset);
        return m_offset;
    case seek_hole:
        if (offset < 0 || static_cast<u64>(offset) >= end_size)
            return Error(ENXIO);
        m_offset = end_size;
        return m_offset;
    default:
        return Error(EINVAL);
    }
    i64 result;
    if (!klib::checked_add<i64>(base, offset, result) || result < 0)
        return Error(EINVAL);
    m_offset = static_cast<u64>(result);
    return m_offset;
}

namespace {

// Builds struct linux_dirent64 records { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type;
// char d_name[]; } padded to 8 bytes, into a kernel buffer.
class DirentWriter final : public DirectoryVisitor {
public:
    DirentWriter(u8* buffer, usize capacity)
        : m_buffer(buffer)
        , m_capacity(capacity)
    {
    }
    bool visit(StringView name, u64 ino, u8 type, u64 next_position) override
    {
        usize record = klib::align_up(19 + name.length() + 1, 8);
        if (m_used + record > m_capacity) {
            m_full = true;
            return false;
        }
        u8* p = m_buffer + m_used;
        memset(p, 0, record);
        i64 d_off = static_cast<i64>(next_position);
        u16 reclen = static_cast<u16>(record);
        memcpy(p, &ino, 8);
        memcpy(p + 8, &d_off, 8);
        memcpy(p + 16, &reclen, 2);
        p[18] = type;
        memcpy(p + 19, name.chars(), name.length());
        m_used += record;
        m_position = next_position;
        ++m_count;
        return true;
    }
    usize used() const { return m_used; }
    usize count() const { return m_count; }
    bool full() const { return m_full; }
    u64 position() const { return m_position; }

private:
    u8* m_buffer;
    usize m_capacity;
    usize m_used { 0 };
    usize m_count { 0 };
    bool m_full { false };
    u64 m_position { 0 };
};

}

ErrorOr<usize> OpenFileDescription::get_dir_entries(UserBuffer const& buffer, usize size)
{
    if (is_path_only())
        return Error(EBADF);
    Inode* dir = inode();
    if (!dir || !dir->is_directory())
        return Error(ENOTDIR);
    usize capacity = klib::min<usize>(size, 64 * 1024);
    Vector<u8> kernel_buffer;
    TRY(kernel_buffer.try_resize(capacity));
    DirentWriter writer(kernel_buffer.data(), capacity);
    u64 start = offset();
    TRY(dir->iterate(start, writer));
    if (writer.count() == 0) {
        if (writer.full())
            return Error(EINVAL); // the buffer cannot hold even one record
        return 0;
    }
    TRY(buffer.write(kernel_buffer.data(), writer.used()));
    set_offset(writer.position());
    return writer.used();
}

ErrorOr<InodeMetadata> OpenFileDescription::metadata() const
{
    auto md = TRY(m_file->metadata());
    if (auto* node = m_file->inode())
        md.mount_id = vfs_mount_id_of(node->fs());
    return md;
}
