// Pipes (see Pipe.h).
#include "fs/Pipe.h"
#include "fs/FileSystem.h"
#include "fs/OpenFileDescription.h"
#include "fs/RamPages.h"
#include "klib/Spinlock.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "proc/Signals.h"
#include "sched/WaitQueue.h"
#include "time/Clock.h"
#include <asm/ioctls.h>

namespace {

constexpr int sigpipe = 13;
constexpr usize page_count = pipe_capacity / ram_page_size;

Atomic<u64> pipefs_dev { 0 };
Atomic<u64> next_pipe_ino { 1 };

u64 pipe_dev()
{
    u64 dev = pipefs_dev.load();
    if (dev)
        return dev;
    u64 fresh = allocate_anonymous_dev();
    u64 expected = 0;
    return pipefs_dev.compare_exchange(expected, fresh) ? fresh : expected;
}

class PipeEnd;

class Pipe : public RefCounted {
public:
    static ErrorOr<RefPtr<Pipe>> try_create()
    {
        auto pipe = TRY(adopt_ref_or_enomem(new (std::nothrow) Pipe()));
        for (auto& page : pipe->m_pages) {
            page = ram_page_allocate();
            if (!page)
                return Error(ENOMEM);
        }
        return pipe;
    }
    ~Pipe() override
    {
        for (auto* page : m_pages)
            ram_page_free(page);
    }

    ErrorOr<usize> read(OpenFileDescription&, UserBuffer const&, usize);
    ErrorOr<usize> write(OpenFileDescription&, UserBuffer const&, usize);
    u32 read_status()
    {
        SpinlockGuard guard(m_lock);
        u32 status = 0;
        if (m_used)
            status |= fs::POLLIN_ | fs::POLLRDNORM_;
        if (!m_writers && m_had_writer)
            status |= fs::POLLHUP_;
        return status;
    }
    u32 write_status()
    {
        SpinlockGuard guard(m_lock);
        u32 status = 0;
        if (pipe_capacity - m_used >= fs::pipe_buf)
            status |= fs::POLLOUT_ | fs::POLLWRNORM_;
        if (!m_readers)
            status |= fs::POLLERR_;
        return status;
    }
    usize used()
    {
        SpinlockGuard guard(m_lock);
        return m_used;
    }
    void end_opened(bool write_end)
    {
        {
            SpinlockGuard guard(m_lock);
            if (write_end)
                ++m_writers;
            else
                ++m_readers;
        }
        changed();
    }
    void end_closed(bool write_end)
    {
        {
            SpinlockGuard guard(m_lock);
            if (write_end)
                --m_writers;
            else
                --m_readers;
        }
        changed();
    }
    void attach(PipeEnd* reader, PipeEnd* writer)
    {
        m_read_end = reader;
        m_write_end = writer;
    }
    void detach(PipeEnd* end)
    {
        SpinlockGuard guard(m_lock);
        if (m_read_end == end)
            m_read_end = nullptr;
        if (m_write_end == end)
            m_write_end = nullptr;
    }
    void changed();

    u64 ino() const { return m_ino; }
    u64 created_ns() const { return m_created; }

private:
    Pipe()
        : m_ino(next_pipe_ino.fetch_add(1))
        , m_created(clock_realtime_ns())
    {
    }
    void peek_locked(u8* dest, usize n) const
    {
        for (usize i = 0; i < n; ++i) {
            usize at = (m_head + i) % pipe_capacity;
            dest[i] = m_pages[at / ram_page_size][at % ram_page_size];
        }
    }
    void consume_locked(usize n)
    {
        m_head = (m_head + n) % pipe_capacity;
        m_used -= n;
        ++m_read_sequence;
    }
    void copy_in_locked(u8 const* src, usize n)
    {
        for (usize i = 0; i < n; ++i) {
            usize at = (m_head + m_used + i) % pipe_capacity;
            m_pages[at / ram_page_size][at % ram_page_size] = src[i];
        }
        m_used += n;
    }

    Spinlock m_lock;
    u8* m_pages[page_count] {};
    usize m_head { 0 };
    usize m_used { 0 };
    u64 m_read_sequence { 0 };
    // Descriptions of each end (pipe2 makes one of each; /proc/<pid>/fd/N reopens add more).
    u32 m_readers { 0 };
    u32 m_writers { 0 };
    bool m_had_writer { true };
    WaitQueue m_queue;
    PipeEnd* m_read_end { nullptr };
    PipeEnd* m_write_end { nullptr };
    u64 m_ino;
    u64 m_created;
};

class PipeEnd final : public File {
public:
    PipeEnd(RefPtr<Pipe> pipe, bool is_write_end)
        : m_pipe(move(pipe))
        , m_is_write_end(is_write_end)
    {
    }
    ~PipeEnd() override { m_pipe->detach(this); }

    ErrorOr<usize> read(OpenFileDescription& description, u64, UserBuffer const& buffer, usize size) override
    {
        if (m_is_write_end)
            return Error(EBADF);
        return m_pipe->read(description, buffer, size);
    }
    ErrorOr<usize> write(OpenFileDescription& description, u64, UserBuffer const& buffer, usize size) override
    {
        if (!m_is_write_end)
            return Error(EBADF);
        return m_pipe->write(description, buffer, size);
    }
    ErrorOr<u64> ioctl(OpenFileDescription&, u32 request, u64 arg) override
    {
        if (request != FIONREAD)
            return Error(ENOTTY);
        i32 count = static_cast<i32>(m_pipe->used());
        TRY(copy_to_user(arg, &count));
        return 0;
    }
    u32 poll_status(OpenFileDescription&) override
    {
        return m_is_write_end ? m_pipe->write_status() : m_pipe->read_status();
    }
    ErrorOr<InodeMetadata> metadata() const override
    {
        InodeMetadata md;
        md.dev = pipe_dev();
        md.ino = m_pipe->ino();
        md.mode = fs::S_FIFO | 0600;
        md.nlink = 1;
        md.blksize = 4096;
        md.size = 0;
        md.atime_ns = md.mtime_ns = md.ctime_ns = m_pipe->created_ns();
        return md;
    }
    ErrorOr<String> absolute_path(OpenFileDescription const&) const override
    {
        StringBuilder builder;
        TRY(builder.try_appendf("pipe:[%llu]", static_cast<unsigned long long>(m_pipe->ino())));
        return builder.try_to_string();
    }
    void opened(OpenFileDescription&) override { m_pipe->end_opened(m_is_write_end); }
    void close(OpenFileDescription&) override { m_pipe->end_closed(m_is_write_end); }
    bool is_write_end() const { return m_is_write_end; }
    bool is_pipe() const override { return true; }
    StringView class_name() const override { return "Pipe"; }

private:
    RefPtr<Pipe> m_pipe;
    bool m_is_write_end;
};

void Pipe::changed()
{
    m_queue.wake_all();
    // Under the lock: ~PipeEnd detaches under it too, so the ends are alive here.
    SpinlockGuard guard(m_lock);
    if (m_read_end)
        m_read_end->notify_readiness_changed();
    if (m_write_end)
        m_write_end->notify_readiness_changed();
}

ErrorOr<usize> Pipe::read(OpenFileDescription& description, UserBuffer const& buffer, usize size)
{
    if (size == 0)
        return 0;
    if (description.is_nonblocking()) {
        SpinlockGuard guard(m_lock);
        if (!m_used)
            return m_writers ? Error(EAGAIN) : ErrorOr<usize>(0);
    } else {
        TRY(m_queue.wait_until([this] {
            SpinlockGuard guard(m_lock);
            return m_used > 0 || m_writers == 0;
        }));
    }
    // Bytes are consumed only after they reached the reader: a fault leaves them in the
    // pipe (Linux's pipe_read does the same).
    u8 chunk[512];
    usize done = 0;
    while (done < size) {
        usize n;
        u64 sequence;
        {
            SpinlockGuard guard(m_lock);
            n = klib::min<usize>(klib::min<usize>(m_used, size - done), sizeof(chunk));
            if (n == 0)
                break;
            peek_locked(chunk, n);
            sequence = m_read_sequence;
        }
        auto copied = buffer.write(chunk, n, done);
        if (copied.is_error()) {
            if (done)
                break;
            return copied.release_error();
        }
        {
            SpinlockGuard guard(m_lock);
            if (m_read_sequence == sequence)
                consume_locked(n);
        }
        done += n;
    }
    changed();
    return done;
}

ErrorOr<usize> Pipe::write(OpenFileDescription& description, UserBuffer const& buffer, usize size)
{
    if (size == 0)
        return 0;
    bool atomic = size <= fs::pipe_buf;
    bool nonblocking = description.is_nonblocking();
    // Bounce buffer: atomic writes are copied whole before taking the lock.
    usize bounce_size = atomic ? size : fs::pipe_buf;
    Vector<u8> bounce;
    TRY(bounce.try_resize(bounce_size));
    usize done = 0;
    while (done < size) {
        usize piece = klib::min<usize>(size - done, bounce_size);
        auto copied = buffer.read(bounce.data(), piece, done);
        if (copied.is_error()) {
            if (done)
                return done;
            return copied.release_error();
        }
        usize offset = 0;
        while (offset < piece) {
            // Wait for room: all of it for atomic writes, any for the rest.
            usize needed = atomic ? piece : 1;
            if (nonblocking) {
                SpinlockGuard guard(m_lock);
                if (!m_readers)
                    break;
                if (pipe_capacity - m_used < needed) {
                    if (done + offset)
                        return done + offset;
                    return Error(EAGAIN);
                }
            } else {
                auto waited = m_queue.wait_until([this, needed] {
                    SpinlockGuard guard(m_lock);
                    return !m_readers || pipe_capacity - m_used >= needed;
                });
                if (waited.is_error()) {
                    if (done + offset)
                        return done + offset;
                    return waited.release_error();
                }
            }
            bool broken = false;
            {
                SpinlockGuard guard(m_lock);
                if (!m_readers) {
                    broken = true;
                } else {
                    usize n = klib::min<usize>(piece - offset, pipe_capacity - m_used);
                    copy_in_locked(bounce.data() + offset, n);
                    offset += n;
                }
            }
            if (broken)
                break;
            changed();
        }
        if (offset < piece) {
            // No readers left.
            if (done + offset)
                return done + offset;
            send_signal(Process::current(), sigpipe);
            return Error(EPIPE);
        }
        done += piece;
    }
    return done;
}

}

ErrorOr<PipeEnds> create_pipe()
{
    auto pipe = TRY(Pipe::try_create());
    auto reader = TRY(adopt_ref_or_enomem(new (std::nothrow) PipeEnd(pipe, false)));
    auto writer = TRY(adopt_ref_or_enomem(new (std::nothrow) PipeEnd(pipe, true)));
    pipe->attach(reader.ptr(), writer.ptr());
    return PipeEnds { RefPtr<File>(move(reader)), RefPtr<File>(move(writer)) };
}
