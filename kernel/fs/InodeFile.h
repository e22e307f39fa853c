// InodeFile: the File of an opened regular file, directory or (O_PATH) symlink — reads and
// writes go to the inode's read_at/write_at, lseek works, epoll refuses it (EPERM) and poll
// reports it always ready, like Linux. Stateless beyond the inode reference.
#pragma once

#include "fs/File.h"

class InodeFile final : public File {
public:
    static ErrorOr<RefPtr<InodeFile>> try_create(Inode&);

    ErrorOr<usize> read(OpenFileDescription&, u64 offset, UserBuffer const&, usize size) override;
    ErrorOr<usize> write(OpenFileDescription&, u64 offset, UserBuffer const&, usize size) override;
    bool can_poll() const override { return false; }
    bool is_seekable() const override { return true; }
    ErrorOr<void> truncate(u64 size) override;
    StringView class_name() const override { return "InodeFile"; }

private:
    explicit InodeFile(Inode& inode);
};
