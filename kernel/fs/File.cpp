// File: Linux's errno defaults for the File virtuals, and readiness notification.
#include "fs/File.h"
#include "fs/Custody.h"
#include "fs/FileSystem.h"
#include "fs/Inode.h"
#include "fs/OpenFileDescription.h"
#include "fs/Readiness.h"

namespace {
// Files without an inode (pipes excepted) look like Linux's anon_inodefs inode.
Atomic<u64> anonymous_dev { 0 };
u64 anon_inode_dev()
{
    u64 dev = anonymous_dev.load();
    if (dev)
        return dev;
    u64 fresh = allocate_anonymous_dev();
    u64 expected = 0;
    if (anonymous_dev.compare_exchange(expected, fresh))
        return fresh;
    return expected;
}
}

File::File(RefPtr<Inode> inode)
    : m_inode(move(inode))
{
}

File::~File() = default;

ErrorOr<usize> File::read(OpenFileDescription&, u64, UserBuffer const&, usize) { return Error(EINVAL); }
ErrorOr<usize> File::write(OpenFileDescription&, u64, UserBuffer const&, usize) { return Error(EINVAL); }
ErrorOr<u64> File::ioctl(OpenFileDescription&, u32, u64) { return Error(ENOTTY); }
u32 File::poll_status(OpenFileDescription&) { return fs::POLL_DEFAULT_MASK_; }
ErrorOr<PhysicalAddress> File::mmap_page(OpenFileDescription&, u64, bool) { return Error(ENODEV); }
ErrorOr<void> File::truncate(u64) { return Error(EINVAL); }

ErrorOr<u64> File::seek_end_size() const
{
    if (m_inode)
        return m_inode->metadata().size;
    return 0;
}

ErrorOr<InodeMetadata> File::metadata() const
{
    if (m_inode)
        return m_inode->metadata();
    InodeMetadata md;
    md.dev = anon_inode_dev();
    md.ino = 1;
    md.mode = 0600; // anon_inodefs: S_IRUSR | S_IWUSR without a type
    md.nlink = 1;
    md.blksize = 4096;
    return md;
}

ErrorOr<String> File::absolute_path(OpenFileDescription const& description) const
{
    if (auto* custody = description.custody()) {
        auto path = TRY(custody->absolute_path());
        if (m_inode && m_inode->metadata().nlink == 0) {
            StringBuilder builder;
            TRY(builder.try_append(path.view()));
            TRY(builder.try_append(" (deleted)"));
            return builder.try_to_string();
        }
        return path;
    }
    StringBuilder builder;
    TRY(builder.try_appendf("anon_inode:[%.*s]", static_cast<int>(class_name().length()), class_name().chars()));
    return builder.try_to_string();
}

bool File::is_directory() const { return m_inode && m_inode->is_directory(); }
bool File::is_regular() const { return m_inode && m_inode->is_regular(); }

void File::notify_readiness_changed()
{
    m_readiness_sequence.fetch_add(1, MemoryOrder::AcqRel);
    poll_notify_all();
}
