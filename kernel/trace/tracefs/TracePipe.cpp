// trace_pipe (see TracePipe.h). Readers sleep on one wait queue woken by the ring's notify
// hook; wakeups from interrupt or probe context only set the queue's condition.
#include "trace/tracefs/TracePipe.h"
#include "bpf/syscall/TraceRing.h"
#include "fs/File.h"
#include "fs/OpenFileDescription.h"
#include "klib/CString.h"
#include "mm/UserBuffer.h"
#include "sched/WaitQueue.h"

namespace trace {

namespace {

using namespace bpf::kernel;

WaitQueue readers;
Atomic<u64> ring_generation { 0 };

// All trace_pipe files, to notify poll/epoll waiters. Few readers exist; a small table.
constexpr u32 max_pipe_files = 16;
File* pipe_files[max_pipe_files];
Spinlock pipe_files_lock;

void ring_appended()
{
    ring_generation.fetch_add(1, MemoryOrder::Release);
    readers.wake_all();
    SpinlockGuard guard(pipe_files_lock);
    for (auto* file : pipe_files)
        if (file)
            file->notify_readiness_changed();
}

class TracePipeFile final : public File {
public:
    TracePipeFile()
    {
        SpinlockGuard guard(pipe_files_lock);
        for (auto*& slot : pipe_files) {
            if (!slot) {
                slot = this;
                break;
            }
        }
    }
    ~TracePipeFile() override
    {
        SpinlockGuard guard(pipe_files_lock);
        for (auto*& slot : pipe_files)
            if (slot == this)
                slot = nullptr;
    }

    ErrorOr<usize> read(OpenFileDescription& description, u64, UserBuffer const& buffer, usize size) override
    {
        if (size == 0)
            return 0;
        if (!has_data()) {
            if (description.is_nonblocking())
                return Error(EAGAIN);
            TRY(readers.wait_until([this] { return has_data(); }));
        }
        usize copied = 0;
        while (copied < size) {
            if (m_pending_offset == m_pending_length) {
                // Whole lines only after the first: do not pop a record that would not fit.
                TraceRecord record;
                if (copied && !fits_next(size - copied))
                    break;
                if (!trace_ring_pop(record))
                    break;
                m_pending_length = format_trace_record(record, m_pending, sizeof m_pending);
                m_pending_offset = 0;
            }
            usize chunk = min(size - copied, m_pending_length - m_pending_offset);
            TRY(buffer.write(m_pending + m_pending_offset, chunk, copied));
            copied += chunk;
            m_pending_offset += chunk;
        }
        return copied;
    }

    u32 poll_status(OpenFileDescription&) override { return has_data() ? (fs::POLLIN_ | fs::POLLRDNORM_) : 0; }
    StringView class_name() const override { return "TracePipeFile"; }

private:
    bool has_data() const { return m_pending_offset != m_pending_length || !trace_ring_is_empty(); }
    bool fits_next(usize room) const
    {
        TraceRecord record;
        if (!trace_ring_peek(0, record))
            return false;
        char line[sizeof m_pending];
        return format_trace_record(record, line, sizeof line) <= room;
    }

    char m_pending[384];
    usize m_pending_length { 0 };
    usize m_pending_offset { 0 };
};

class TracePipeInode final : public PseudoInode {
public:
    explicit TracePipeInode(PseudoFS& fs)
        : PseudoInode(fs, 0, fs::S_REGULAR | 0444)
    {
    }
    ErrorOr<RefPtr<File>> open(u32) override
    {
        return RefPtr<File>(TRY(adopt_ref_or_enomem(new (std::nothrow) TracePipeFile)));
    }
    ErrorOr<void> check_open(int mask) const override { return (mask & fs::ACCESS_W) ? Error(EACCES) : ErrorOr<void>(); }
};

}

ErrorOr<RefPtr<Inode>> create_trace_pipe_inode(PseudoFS& fs)
{
    return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) TracePipeInode(fs))));
}

void trace_pipe_initialize() { set_trace_ring_notify(ring_appended); }

}
