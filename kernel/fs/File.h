// File: the polymorphic object a file descriptor names — inode-backed files (regular files,
// directories), device files (tty, null, zero, random), pipes, pseudo files, epoll instances
// and later BPF maps/programs/links and perf events. An OpenFileDescription wraps one File
// with an offset and status flags; several descriptions may share a File.
//
// Every virtual has a default that gives Linux's errno for a file that lacks the operation.
// Readiness: poll_status() reports Linux POLL* bits; whenever readiness may have changed the
// File calls notify_readiness_changed() (any context, including interrupts), which bumps the
// File's readiness sequence (used for EPOLLET) and wakes every poll/epoll waiter (they
// re-check their files). A File that never changes readiness never notifies.
//
// Locking: File implementations guard their own state; the base holds only atomics.
#pragma once

#include "fs/FsTypes.h"
#include "klib/Atomic.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/String.h"
#include "mm/PhysicalMemory.h"

class Inode;
class OpenFileDescription;
class UserBuffer;

class File : public RefCounted {
public:
    ~File() override;

    // Offset-based I/O. `offset` is the description's offset for seekable files (0 else).
    virtual ErrorOr<usize> read(OpenFileDescription&, u64 offset, UserBuffer const&, usize size);
    virtual ErrorOr<usize> write(OpenFileDescription&, u64 offset, UserBuffer const&, usize size);
    // Device-specific ioctls (the generic FIONBIO/FIOCLEX/FIONCLEX/FIOASYNC are handled by
    // the syscall). Default ENOTTY.
    virtual ErrorOr<u64> ioctl(OpenFileDescription&, u32 request, u64 arg);
    // Current readiness as POLL* bits. Default: always readable and writable.
    virtual u32 poll_status(OpenFileDescription&);
    // False for files epoll refuses with EPERM (regular files and directories).
    virtual bool can_poll() const { return true; }
    virtual bool is_seekable() const { return false; }
    // Size used by lseek(SEEK_END); default from the inode.
    virtual ErrorOr<u64> seek_end_size() const;
    // What stat reports. Default: the inode's metadata, or an anonymous inode's.
    virtual ErrorOr<InodeMetadata> metadata() const;
    // The /proc/<pid>/fd link text: a path for inode files ("/tmp/x", with " (deleted)" when
    // unlinked), "pipe:[ino]", "anon_inode:bpf-map", ...
    virtual ErrorOr<String> absolute_path(OpenFileDescription const&) const;
    // Extra lines for /proc/<pid>/fdinfo/<fd> after pos/flags/mnt_id/ino.
    virtual ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const { return {}; }
    // Called once for every description made for this file (right after it is created) and,
    // balancing it, when that description goes away (its last reference dropped).
    virtual void opened(OpenFileDescription&) { }
    virtual void close(OpenFileDescription&) { }
    // Page provider for device-backed shared mappings (perf/BPF ring buffers, array maps).
    // Regular files return ENODEV too: the memory manager reads them through read_at.
    virtual ErrorOr<PhysicalAddress> mmap_page(OpenFileDescription&, u64 offset_in_file, bool writable);
    // Device mappings, per mapping (Linux's f_op->mmap and vm_ops->close): mmap() calls
    // mmap_opened() once for the whole new mapping [offset, offset + length) before any page
    // is requested, and fails with its errno (e.g. a range past the end of the object).
    // mmap_closed() is called exactly once for every successful mmap_opened(), with the same
    // arguments, when nothing of that mapping is left in any address space (all of its pieces
    // after munmap/mprotect splits and all of its fork copies are gone). `writable` is whether
    // the mapping was created with PROT_WRITE. Defaults: accept, nothing to release.
    virtual ErrorOr<void> mmap_opened(OpenFileDescription&, u64 offset, u64 length, bool writable)
    {
        (void)offset, (void)length, (void)writable;
        return {};
    }
    virtual void mmap_closed(OpenFileDescription&, u64 offset, u64 length, bool writable) { (void)offset, (void)length, (void)writable; }
    // ftruncate: EINVAL unless the file is a regular file.
    virtual ErrorOr<void> truncate(u64 size);

    // Kind checks (no RTTI in the kernel).
    virtual bool is_epoll() const { return false; }
    virtual bool is_pipe() const { return false; }
    virtual bool is_tty() const { return false; }
    virtual StringView class_name() const = 0;

    Inode* inode() const { return m_inode.ptr(); }
    bool is_directory() const;
    bool is_regular() const;

    void notify_readiness_changed();
    u64 readiness_sequence() const { return m_readiness_sequence.load(MemoryOrder::Acquire); }

protected:
    File() = default;
    explicit File(RefPtr<Inode> inode);

    RefPtr<Inode> m_inode;

private:
    Atomic<u64> m_readiness_sequence { 0 };
};
