// InodeFile: reads/writes of opened regular files go straight to the inode.
#include "fs/InodeFile.h"
#include "fs/Inode.h"
#include "fs/OpenFileDescription.h"

InodeFile::InodeFile(Inode& inode)
    : File(RefPtr<Inode>(&inode))
{
}

ErrorOr<RefPtr<InodeFile>> InodeFile::try_create(Inode& inode)
{
    return adopt_ref_or_enomem(new (std::nothrow) InodeFile(inode));
}

ErrorOr<usize> InodeFile::read(OpenFileDescription&, u64 offset, UserBuffer const& buffer, usize size)
{
    return m_inode->read_at(offset, buffer, size);
}

ErrorOr<usize> InodeFile::write(OpenFileDescription& description, u64 offset, UserBuffer const& buffer, usize size)
{
    // O_APPEND: every write (pwrite too, like Linux) goes to the end of the file; write()
    // then moves the description's offset to the new end.
    if (description.is_append()) {
        u64 written_at = 0;
        return m_inode->append(buffer, size, written_at);
    }
    return m_inode->write_at(offset, buffer, size);
}

ErrorOr<void> InodeFile::truncate(u64 size)
{
    if (!m_inode->is_regular())
        return Error(EINVAL);
    return m_inode->truncate(size);
}
