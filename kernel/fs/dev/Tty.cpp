// The console terminal and its line discipline (see Tty.h).
#include "fs/dev/Tty.h"
#include "console/Console.h"
#include "fs/Inode.h"
#include "fs/OpenFileDescription.h"
#include "klib/Spinlock.h"
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "proc/Signals.h"
#include "sched/WaitQueue.h"
#include "time/Clock.h"
#include <asm/ioctls.h>
#include <asm/termbits.h>

namespace {

constexpr int sigint = 2, sigquit = 3, sigtstp = 20;
constexpr usize input_capacity = 4096; // N_TTY_BUF_SIZE
constexpr usize max_lines = 256;
// console_write() already turns "\n" into "\r\n" (for kprintf); the terminal's ONLCR must not
// add a second carriage return. (With OPOST or ONLCR off, "\n" still gets its "\r".)
constexpr bool console_adds_carriage_return = true;

struct WindowSize {
    u16 rows, columns, xpixel, ypixel;
};

class Terminal {
public:
    Terminal()
    {
        reset_termios();
    }

    void receive(u8 byte);
    ErrorOr<usize> read(OpenFileDescription&, UserBuffer const&, usize);
    ErrorOr<usize> write(UserBuffer const&, usize);
    ErrorOr<u64> ioctl(OpenFileDescription&, u32 request, u64 arg);
    u32 poll_status();
    // The Files of the terminal's device nodes (one per node, alive for good).
    ErrorOr<RefPtr<File>> file_for(Inode& node);
    void notify_files();
    i32 foreground_pgid() const { return m_foreground_pgid ? m_foreground_pgid : m_last_reader_pgid; }

private:
    void reset_termios()
    {
        memset(&m_termios, 0, sizeof(m_termios));
        m_termios.c_iflag = ICRNL | IXON | IUTF8;
        m_termios.c_oflag = OPOST | ONLCR;
        m_termios.c_cflag = B38400 | CS8 | CREAD | HUPCL;
        m_termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        m_termios.c_cc[VINTR] = 003;
        m_termios.c_cc[VQUIT] = 034;
        m_termios.c_cc[VERASE] = 0177;
        m_termios.c_cc[VKILL] = 025;
        m_termios.c_cc[VEOF] = 004;
        m_termios.c_cc[VTIME] = 0;
        m_termios.c_cc[VMIN] = 1;
        m_termios.c_cc[VSTART] = 021;
        m_termios.c_cc[VSTOP] = 023;
        m_termios.c_cc[VSUSP] = 032;
        m_termios.c_cc[VREPRINT] = 022;
        m_termios.c_cc[VDISCARD] = 017;
        m_termios.c_cc[VWERASE] = 027;
        m_termios.c_cc[VLNEXT] = 026;
    }

    bool canonical() const { return m_termios.c_lflag & ICANON; }
    bool readable_locked() const { return canonical() ? m_line_count > 0 : ready_bytes() > 0; }
    usize ready_bytes() const { return static_cast<usize>(m_ready_tail - m_ready_head); }
    void push_ready(u8 c)
    {
        if (ready_bytes() >= input_capacity)
            return; // full: drop, like n_tty
        m_ready[m_ready_tail++ % input_capacity] = c;
    }
    void commit_line()
    {
        for (usize i = 0; i < m_edit_length; ++i)
            push_ready(m_edit[i]);
        m_edit_length = 0;
        if (m_line_count < max_lines)
            m_line_ends[(m_line_head + m_line_count++) % max_lines] = m_ready_tail;
    }
    void flush_input()
    {
        m_edit_length = 0;
        m_ready_head = m_ready_tail;
        m_line_count = 0;
    }

    // Output helpers (echo runs in interrupt context; console_write is safe there).
    void output_char(u8 c)
    {
        if (!console_adds_carriage_return && (m_termios.c_oflag & OPOST) && (m_termios.c_oflag & ONLCR) && c == '\n') {
            console_write("\r\n", 2);
            return;
        }
        char ch = static_cast<char>(c);
        console_write(&ch, 1);
    }
    void echo_char(u8 c)
    {
        if ((m_termios.c_lflag & ECHOCTL) && (c < 32 || c == 0177) && c != '\n' && c != '\t') {
            char caret[2] = { '^', static_cast<char>(c == 0177 ? '?' : c + '@') };
            console_write(caret, 2);
            return;
        }
        output_char(c);
    }
    void echo_erase(u8 erased)
    {
        if (!(m_termios.c_lflag & ECHO))
            return;
        if (m_termios.c_lflag & ECHOE) {
            bool wide = (m_termios.c_lflag & ECHOCTL) && (erased < 32 || erased == 0177) && erased != '\t';
            for (int i = 0; i < (wide ? 2 : 1); ++i)
                console_write("\b \b", 3);
        } else {
            echo_char(m_termios.c_cc[VERASE]);
        }
    }
    void signal_foreground(int sig);

    Spinlock m_lock;
    termios m_termios;
    WindowSize m_window { 24, 80, 0, 0 };
    u8 m_edit[input_capacity];
    usize m_edit_length { 0 };
    u8 m_ready[input_capacity];
    u64 m_ready_head { 0 }, m_ready_tail { 0 };
    u64 m_line_ends[max_lines];
    usize m_line_head { 0 }, m_line_count { 0 };
    i32 m_foreground_pgid { 0 };
    i32 m_last_reader_pgid { 0 };
    WaitQueue m_readers;
    Spinlock m_files_lock;
    RefPtr<File> m_files[4];
};

Terminal* the_terminal = nullptr;

Terminal& terminal()
{
    if (!the_terminal) [[unlikely]] {
        static u8 storage[sizeof(Terminal)] alignas(Terminal);
        the_terminal = new (storage) Terminal();
    }
    return *the_terminal;
}

// The File of a terminal device node; every open of the same node shares it.
class TtyFile final : public File {
public:
    explicit TtyFile(Inode& node)
        : File(RefPtr<Inode>(&node))
    {
    }
    ErrorOr<usize> read(OpenFileDescription& description, u64, UserBuffer const& buffer, usize size) override
    {
        return terminal().read(description, buffer, size);
    }
    ErrorOr<usize> write(OpenFileDescription&, u64, UserBuffer const& buffer, usize size) override
    {
        return terminal().write(buffer, size);
    }
    ErrorOr<u64> ioctl(OpenFileDescription& description, u32 request, u64 arg) override
    {
        return terminal().ioctl(description, request, arg);
    }
    u32 poll_status(OpenFileDescription&) override { return terminal().poll_status(); }
    bool is_tty() const override { return true; }
    StringView class_name() const override { return "TtyFile"; }
};

ErrorOr<RefPtr<File>> Terminal::file_for(Inode& node)
{
    {
        SpinlockGuard guard(m_files_lock);
        for (auto& file : m_files)
            if (file && file->inode() == &node)
                return RefPtr<File>(file);
    }
    auto created = TRY(adopt_ref_or_enomem(new (std::nothrow) TtyFile(node)));
    SpinlockGuard guard(m_files_lock);
    for (auto& file : m_files)
        if (file && file->inode() == &node)
            return RefPtr<File>(file);
    for (auto& file : m_files) {
        if (!file) {
            file = created;
            return RefPtr<File>(created);
        }
    }
    return Error(ENFILE); // more than four terminal nodes
}

void Terminal::notify_files()
{
    SpinlockGuard guard(m_files_lock);
    for (auto& file : m_files)
        if (file)
            file->notify_readiness_changed();
}

void Terminal::signal_foreground(int sig)
{
    i32 pgid = m_foreground_pgid ? m_foreground_pgid : m_last_reader_pgid;
    if (pgid <= 0)
        return;
    for (auto& process : Process::snapshot()) {
        if (process->pgid() == pgid && process->pid() != 1 && process->state() != ProcessState::Zombie)
            send_signal(*process, sig);
    }
}

void Terminal::receive(u8 c)
{
    int signal_to_send = 0;
    {
        SpinlockGuard guard(m_lock);
        auto iflag = m_termios.c_iflag;
        auto lflag = m_termios.c_lflag;
        auto const* cc = m_termios.c_cc;
        if (iflag & ISTRIP)
            c &= 0x7f;
        if (c == '\r') {
            if (iflag & IGNCR)
                return;
            if (iflag & ICRNL)
                c = '\n';
        } else if (c == '\n' && (iflag & INLCR)) {
            c = '\r';
        }
        if (lflag & ISIG) {
            int sig = 0;
            if (c == cc[VINTR] && cc[VINTR])
                sig = sigint;
            else if (c == cc[VQUIT] && cc[VQUIT])
                sig = sigquit;
            else if (c == cc[VSUSP] && cc[VSUSP])
                sig = sigtstp;
            if (sig) {
                if (!(lflag & NOFLSH))
                    flush_input();
                if (lflag & ECHO)
                    echo_char(c);
                signal_to_send = sig;
            }
        }
        if (!signal_to_send) {
            if (lflag & ICANON) {
                if ((c == cc[VERASE] && cc[VERASE]) || c == '\b') {
                    if (m_edit_length) {
                        u8 erased = m_edit[--m_edit_length];
                        echo_erase(erased);
                    }
                    return;
                }
                if ((lflag & IEXTEN) && c == cc[VWERASE] && cc[VWERASE]) {
                    while (m_edit_length && m_edit[m_edit_length - 1] == ' ')
                        echo_erase(m_edit[--m_edit_length]);
                    while (m_edit_length && m_edit[m_edit_length - 1] != ' ')
                        echo_erase(m_edit[--m_edit_length]);
                    return;
                }
                if (c == cc[VKILL] && cc[VKILL]) {
                    if ((lflag & ECHO) && (lflag & (ECHOK | ECHOKE))) {
                        while (m_edit_length)
                            echo_erase(m_edit[--m_edit_length]);
                    }
                    m_edit_length = 0;
                    return;
                }
                if (c == cc[VEOF] && cc[VEOF]) {
                    commit_line();
                } else if (c == '\n' || (c == cc[VEOL] && cc[VEOL]) || (c == cc[VEOL2] && cc[VEOL2])) {
                    if (m_edit_length < input_capacity)
                        m_edit[m_edit_length++] = c;
                    if ((lflag & ECHO) || (c == '\n' && (lflag & ECHONL)))
                        echo_char(c);
                    commit_line();
                } else {
                    // Keep room for the line delimiter.
                    if (m_edit_length + 1 >= input_capacity || m_edit_length + ready_bytes() + 1 >= input_capacity)
                        return;
                    m_edit[m_edit_length++] = c;
                    if (lflag & ECHO)
                        echo_char(c);
                    return;
                }
            } else {
                push_ready(c);
                if (lflag & ECHO)
                    echo_char(c);
            }
        }
    }
    if (signal_to_send)
        signal_foreground(signal_to_send);
    m_readers.wake_all();
    notify_files();
}

ErrorOr<usize> Terminal::read(OpenFileDescription& description, UserBuffer const& buffer, usize size)
{
    if (size == 0)
        return 0;
    m_last_reader_pgid = Process::current().pgid();
    u8 chunk[256];
    for (;;) {
        u8 vmin, vtime;
        bool is_canonical;
        {
            SpinlockGuard guard(m_lock);
            is_canonical = canonical();
            vmin = m_termios.c_cc[VMIN];
            vtime = m_termios.c_cc[VTIME];
        }
        u64 deadline = 0;
        if (!is_canonical && vmin == 0) {
            if (vtime == 0) {
                SpinlockGuard guard(m_lock);
                if (!readable_locked())
                    return 0;
            } else {
                deadline = clock_monotonic_ns() + static_cast<u64>(vtime) * 100000000ULL;
            }
        }
        if (description.is_nonblocking()) {
            SpinlockGuard guard(m_lock);
            if (!readable_locked())
                return Error(EAGAIN);
        } else {
            auto waited = m_readers.wait_until([this] {
                SpinlockGuard guard(m_lock);
                return readable_locked();
            }, deadline);
            if (waited.is_error()) {
                if (waited.error().code() == ETIMEDOUT)
                    return 0;
                return waited.release_error();
            }
        }

        // Copy out in chunks; a canonical read stops at the end of the current line.
        usize done = 0;
        bool hit_eof = false;
        while (done < size) {
            usize n = 0;
            bool line_complete = false;
            u64 start;
            {
                SpinlockGuard guard(m_lock);
                u64 line_end = 0;
                if (canonical()) {
                    if (m_line_count == 0)
                        break;
                    line_end = m_line_ends[m_line_head];
                    usize available = static_cast<usize>(line_end - m_ready_head);
                    if (available == 0) {
                        // An empty line: end of file (^D at the start of a line).
                        m_line_head = (m_line_head + 1) % max_lines;
                        --m_line_count;
                        hit_eof = true;
                        break;
                    }
                    n = klib::min<usize>(klib::min<usize>(available, size - done), sizeof(chunk));
                } else {
                    n = klib::min<usize>(klib::min<usize>(ready_bytes(), size - done), sizeof(chunk));
                    if (n == 0)
                        break;
                }
                start = m_ready_head;
                for (usize i = 0; i < n; ++i)
                    chunk[i] = m_ready[(start + i) % input_capacity];
                line_complete = canonical() && start + n == line_end;
            }
            // Input is consumed only once it reached the reader (a fault keeps it queued).
            auto copied = buffer.write(chunk, n, done);
            if (copied.is_error()) {
                if (done)
                    return done;
                return copied.release_error();
            }
            {
                SpinlockGuard guard(m_lock);
                if (m_ready_head == start) {
                    m_ready_head += n;
                    if (line_complete && m_line_count) {
                        m_line_head = (m_line_head + 1) % max_lines;
                        --m_line_count;
                    }
                }
            }
            done += n;
            if (line_complete)
                break;
        }
        if (done || hit_eof || !is_canonical)
            return done;
        // A racing reader took the line: wait again.
    }
}

ErrorOr<usize> Terminal::write(UserBuffer const& buffer, usize size)
{
    char in[128];
    char out[256];
    usize done = 0;
    bool onlcr;
    {
        SpinlockGuard guard(m_lock);
        onlcr = !console_adds_carriage_return && (m_termios.c_oflag & OPOST) && (m_termios.c_oflag & ONLCR);
    }
    while (done < size) {
        usize n = klib::min<usize>(sizeof(in), size - done);
        auto copied = buffer.read(in, n, done);
        if (copied.is_error()) {
            if (done)
                return done;
            return copied.release_error();
        }
        usize length = 0;
        for (usize i = 0; i < n; ++i) {
            if (onlcr && in[i] == '\n')
                out[length++] = '\r';
            out[length++] = in[i];
        }
        console_write(out, length);
        done += n;
    }
    return done;
}

u32 Terminal::poll_status()
{
    SpinlockGuard guard(m_lock);
    u32 status = fs::POLLOUT_ | fs::POLLWRNORM_;
    if (readable_locked())
        status |= fs::POLLIN_ | fs::POLLRDNORM_;
    return status;
}

ErrorOr<u64> Terminal::ioctl(OpenFileDescription&, u32 request, u64 arg)
{
    switch (request) {
    case TCGETS: {
        termios copy;
        {
            SpinlockGuard guard(m_lock);
            copy = m_termios;
        }
        TRY(copy_to_user(arg, &copy));
        return 0;
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF: {
        termios updated;
        TRY(copy_from_user(&updated, arg));
        {
            SpinlockGuard guard(m_lock);
            bool was_canonical = canonical();
            if (request == TCSETSF)
                flush_input();
            m_termios = updated;
            if (was_canonical && !canonical()) {
                // Pending edited text becomes readable input.
                for (usize i = 0; i < m_edit_length; ++i)
                    push_ready(m_edit[i]);
                m_edit_length = 0;
                m_line_count = 0;
            } else if (!was_canonical && canonical() && ready_bytes()) {
                if (m_line_count < max_lines)
                    m_line_ends[(m_line_head + m_line_count++) % max_lines] = m_ready_tail;
            }
        }
        m_readers.wake_all();
        notify_files();
        return 0;
    }
    case TCFLSH: {
        if (arg > 2)
            return Error(EINVAL);
        if (arg == TCIFLUSH || arg == TCIOFLUSH) {
            SpinlockGuard guard(m_lock);
            flush_input();
        }
        return 0;
    }
    case TCXONC:
    case TCSBRK:
    case TCSBRKP:
    case TIOCSCTTY:
    case TIOCNOTTY:
        return 0;
    case TIOCGWINSZ: {
        WindowSize size;
        {
            SpinlockGuard guard(m_lock);
            size = m_window;
        }
        TRY(copy_to_user(arg, &size));
        return 0;
    }
    case TIOCSWINSZ: {
        WindowSize size;
        TRY(copy_from_user(&size, arg));
        {
            SpinlockGuard guard(m_lock);
            m_window = size;
        }
        return 0;
    }
    case TIOCGPGRP: {
        i32 pgid = m_foreground_pgid ? m_foreground_pgid : (m_last_reader_pgid ? m_last_reader_pgid : Process::current().pgid());
        TRY(copy_to_user(arg, &pgid));
        return 0;
    }
    case TIOCSPGRP: {
        i32 pgid;
        TRY(copy_from_user(&pgid, arg));
        if (pgid < 0)
            return Error(EINVAL);
        bool exists = false;
        for (auto& process : Process::snapshot())
            if (process->pgid() == pgid)
                exists = true;
        if (!exists)
            return Error(EPERM);
        m_foreground_pgid = pgid;
        return 0;
    }
    case TIOCGSID: {
        i32 sid = Process::current().sid();
        TRY(copy_to_user(arg, &sid));
        return 0;
    }
    case FIONREAD: { // == TIOCINQ
        i32 count;
        {
            SpinlockGuard guard(m_lock);
            if (canonical())
                count = m_line_count ? static_cast<i32>(m_line_ends[m_line_head] - m_ready_head) : 0;
            else
                count = static_cast<i32>(ready_bytes());
        }
        TRY(copy_to_user(arg, &count));
        return 0;
    }
    case TIOCOUTQ: {
        i32 zero = 0;
        TRY(copy_to_user(arg, &zero));
        return 0;
    }
    default:
        return Error(ENOTTY);
    }
}

}

ErrorOr<RefPtr<File>> open_console_tty(Inode& node, u32)
{
    return terminal().file_for(node);
}

// Weak while the bring-up shim (kernel/boot_stubs_tmp.cpp) still defines it (see Vfs.cpp).
__attribute__((weak)) void tty_receive_byte(u8 byte)
{
    terminal().receive(byte);
}

i32 tty_foreground_process_group()
{
    return terminal().foreground_pgid();
}
