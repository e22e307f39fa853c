// OpenFileDescription: what open() creates and dup()/fork share — a File plus the file
// offset, the status flags (access mode, O_APPEND, O_NONBLOCK, ...) and, for files reached by
// a path, the custody they were opened through (for fchdir, getdents, /proc/<pid>/fd links
// and exec). The last reference going away calls File::close() and detaches the description
// from every epoll instance watching it.
//
// Locking: m_lock guards the offset and the status flags; it is never held across File
// calls (which may block or touch user memory). Concurrent reads through one description may
// therefore interleave their offsets, as Linux allows for non-regular files.
#pragma once

#include "fs/Custody.h"
#include "fs/File.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"

class EpollFile;
class UserBuffer;

class OpenFileDescription : public RefCounted {
public:
    // `flags` are the open flags; creation-only bits (O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC,
    // O_CLOEXEC) are dropped.
    static ErrorOr<RefPtr<OpenFileDescription>> try_create(RefPtr<File> file, u32 flags, RefPtr<Custody> custody = nullptr);
    ~OpenFileDescription() override;

    File& file() const { return *m_file; }
    RefPtr<File> file_ref() const { return m_file; }
    Custody* custody() const { return m_custody.ptr(); }
    RefPtr<Custody> custody_ref() const { return m_custody; }
    Inode* inode() const { return m_file->inode(); }

    u32 flags() const;
    // F_SETFL: changes only the O_SETFL_MASK bits.
    void set_status_flags(u32 flags);
    void set_nonblocking(bool);
    u32 access_mode() const { return flags() & fs::O_ACCESS_MASK; }
    bool is_path_only() const { return flags() & fs::O_PATH_; }
    bool is_readable() const { return !is_path_only() && (access_mode() == fs::O_READ_ONLY || access_mode() == fs::O_READ_WRITE); }
    bool is_writable() const { return !is_path_only() && (access_mode() == fs::O_WRITE_ONLY || access_mode() == fs::O_READ_WRITE); }
    bool is_nonblocking() const { return flags() & fs::O_NONBLOCK_; }
    bool is_append() const { return flags() & fs::O_APPEND_; }

    u64 offset() const;
    void set_offset(u64);

    // read/write at the description's offset (advancing it). With O_APPEND the File places
    // the data at its end and the offset moves to the new end.
    ErrorOr<usize> read(UserBuffer const&, usize size);
    ErrorOr<usize> write(UserBuffer const&, usize size);
    // pread/pwrite: ESPIPE on non-seekable files; the offset is left alone.
    ErrorOr<usize> read_at(u64 offset, UserBuffer const&, usize size);
    ErrorOr<usize> write_at(u64 offset, UserBuffer const&, usize size);
    // lseek: SEEK_SET/SEEK_CUR/SEEK_END (SEEK_DATA/SEEK_HOLE treat the file as one extent).
    ErrorOr<u64> seek(i64 offset, int whence);
    // getdents64 records into `buffer`; returns bytes produced (0 at the end).
    ErrorOr<usize> get_dir_entries(UserBuffer const& buffer, usize size);

    // stat data with the mount id filled in.
    ErrorOr<InodeMetadata> metadata() const;
    ErrorOr<String> absolute_path() const { return m_file->absolute_path(*this); }
    u32 poll_status() { return m_file->poll_status(*this); }

private:
    friend class EpollFile;
    friend void epoll_detach_description(OpenFileDescription&);
    OpenFileDescription(RefPtr<File>, u32 flags, RefPtr<Custody>);

    RefPtr<File> m_file;
    RefPtr<Custody> m_custody;
    mutable Spinlock m_lock;
    u64 m_offset { 0 };
    u32 m_flags { 0 };
    // Epoll instances watching this description (guarded by the global epoll lock).
    Vector<EpollFile*> m_epoll_watchers;
};
