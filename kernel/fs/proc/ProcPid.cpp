// The per-process part of /proc: /proc/self, the pid directories in the /proc listing, and
// <pid>/{stat,statm,status,cmdline,comm,maps,environ,mounts,mountinfo,exe,cwd,root,fd/,
// fdinfo/}.
// Inodes are made on lookup and hold only the pid; every read looks the process up again,
// so a reaped process's files give ESRCH (and its directory ENOENT), like Linux.
// Inode numbers are derived from the pid so they are stable across lookups.
#include "fs/FileSystem.h"
#include "fs/Mount.h"
#include "fs/OpenFileDescription.h"
#include "fs/PathResolution.h"
#include "fs/dev/Tty.h"
#include "fs/proc/KernelInfo.h"
#include "fs/proc/ProcFS.h"
#include "fs/proc/ProcFormat.h"
#include "arch/Cpu.h"
#include "mm/AddressSpace.h"
#include "mm/PhysicalMemory.h"
#include "proc/Process.h"
#include "sched/Thread.h"

namespace {

u64 pid_base(i32 pid) { return (static_cast<u64>(pid) + 1) << 24; }
constexpr u64 fd_dir_offset = 0x100;
constexpr u64 fdinfo_dir_offset = 0x101;
constexpr u64 fd_entry_offset = 0x1000;
constexpr usize max_cmdline = 128 * 1024;

bool parse_number(StringView name, u64 limit, u64& out)
{
    if (name.is_empty() || (name.length() > 1 && name[0] == '0'))
        return false;
    if (!name.to_u64(out, false))
        return false;
    return out < limit;
}

char state_of(Process& process)
{
    if (process.state() == ProcessState::Zombie)
        return 'Z';
    if (&process == &Process::current())
        return 'R';
    Thread* thread = process.main_thread();
    if (thread && thread->state() == ThreadState::Blocked)
        return 'S';
    return 'R';
}

ErrorOr<RefPtr<Process>> find_process(i32 pid)
{
    auto process = Process::from_pid(pid);
    if (!process)
        return Error(ESRCH);
    return process;
}

bool has_memory(Process& process)
{
    return process.state() != ProcessState::Zombie && process.address_space_or_null();
}

struct SignalMasks {
    u64 ignored { 0 };
    u64 caught { 0 };
};

SignalMasks signal_masks(Process& process)
{
    SignalMasks masks;
    auto& state = process.signals();
    for (int sig = 1; sig <= NSIG_; ++sig) {
        u64 handler = state.actions[sig - 1].handler;
        if (handler == 1)
            masks.ignored |= signal_bit(sig);
        else if (handler > 1)
            masks.caught |= signal_bit(sig);
    }
    return masks;
}

struct MemoryLayout {
    u64 start_code { 0 }, end_code { 0 };
    u64 start_data { 0 }, end_data { 0 };
    u64 start_brk { 0 };
    u64 start_stack { 0 };
    u64 stack_bytes { 0 };
    u64 data_bytes { 0 };
    u64 exe_bytes { 0 };
};

MemoryLayout memory_layout(Process& process)
{
    MemoryLayout layout;
    if (!has_memory(process))
        return layout;
    process.address_space().for_each_region([&](RegionInfo const& region) {
        u64 size = region.end - region.start;
        if (region.name == "[stack]") {
            layout.start_stack = region.end - 8;
            layout.stack_bytes += size;
        } else if (region.name == "[heap]") {
            if (!layout.start_brk)
                layout.start_brk = region.start;
            layout.data_bytes += size;
        } else if (region.executable) {
            if (!layout.start_code)
                layout.start_code = region.start;
            layout.end_code = region.end;
            layout.exe_bytes += size;
        } else if (region.writable && !region.shared) {
            if (!layout.start_data)
                layout.start_data = region.start;
            layout.end_data = region.end;
            layout.data_bytes += size;
        }
    });
    if (!layout.start_brk)
        layout.start_brk = layout.end_data;
    return layout;
}

// ---- Files -------------------------------------------------------------------------------

enum class PidFileKind : u8 { Stat, Statm, Status, Cmdline, Comm, Maps, Environ, Mounts, MountInfo };

ErrorOr<void> generate_stat(Process& process, StringBuilder& b)
{
    ProcStatInfo info;
    info.pid = process.pid();
    info.comm = process.comm();
    info.state = state_of(process);
    info.ppid = process.ppid();
    info.pgrp = process.pgid();
    info.session = process.sid();
    info.tty_nr = static_cast<i32>(fs::encode_dev(5, 1));
    info.tpgid = tty_foreground_process_group();
    if (!info.tpgid)
        info.tpgid = -1;
    info.flags = 0x400100;
    info.utime_ns = process.user_time_ns();
    info.stime_ns = process.system_time_ns();
    info.num_threads = klib::max<u32>(process.thread_count(), 1);
    info.start_time_ns = process.start_time_ns();
    info.has_mm = has_memory(process);
    if (info.has_mm) {
        auto& space = process.address_space();
        info.vsize = space.virtual_size();
        info.rss_pages = space.resident_pages();
        auto layout = memory_layout(process);
        info.start_code = layout.start_code;
        info.end_code = layout.end_code;
        info.start_stack = layout.start_stack;
        info.start_data = layout.start_data;
        info.end_data = layout.end_data;
        info.start_brk = layout.start_brk;
        info.arg_start = process.arg_start();
        info.arg_end = process.arg_end();
        info.env_start = process.env_start();
        info.env_end = process.env_end();
    }
    auto masks = signal_masks(process);
    info.signal_pending = process.signals().pending;
    info.signal_blocked = process.signals().blocked;
    info.signal_ignored = masks.ignored;
    info.signal_caught = masks.caught;
    info.processor = 0;
    if (process.state() == ProcessState::Zombie)
        info.exit_code = process.exit_status();
    return format_proc_stat(b, info);
}

ErrorOr<void> generate_statm(Process& process, StringBuilder& b)
{
    if (!has_memory(process))
        return b.try_append("0 0 0 0 0 0 0\n");
    auto& space = process.address_space();
    auto layout = memory_layout(process);
    return b.try_appendf("%llu %llu 0 %llu 0 %llu 0\n", static_cast<unsigned long long>(space.virtual_size() / PAGE_SIZE),
        static_cast<unsigned long long>(space.resident_pages()), static_cast<unsigned long long>(layout.exe_bytes / PAGE_SIZE),
        static_cast<unsigned long long>((layout.data_bytes + layout.stack_bytes) / PAGE_SIZE));
}

ErrorOr<void> generate_status(Process& process, StringBuilder& b)
{
    ProcStatusInfo info;
    info.name = process.comm();
    info.umask = process.umask();
    info.state = state_of(process);
    info.tgid = info.pid = process.pid();
    info.ppid = process.ppid();
    info.pgid = process.pgid();
    info.sid = process.sid();
    auto const& cred = process.credentials();
    u32 uids[4] = { cred.uid, cred.euid, cred.suid, cred.fsuid };
    u32 gids[4] = { cred.gid, cred.egid, cred.sgid, cred.fsgid };
    for (int i = 0; i < 4; ++i) {
        info.uid[i] = uids[i];
        info.gid[i] = gids[i];
    }
    info.has_mm = has_memory(process);
    if (info.has_mm) {
        int highest = -1;
        process.fds().for_each([&](int fd, OpenFileDescription&) { highest = klib::max(highest, fd); });
        info.fd_size = static_cast<u32>(klib::align_up(static_cast<u64>(highest + 1), 64));
        if (!info.fd_size)
            info.fd_size = 64;
        auto& space = process.address_space();
        auto layout = memory_layout(process);
        info.vm_size_kb = space.virtual_size() / 1024;
        info.vm_rss_kb = space.resident_pages() * (PAGE_SIZE / 1024);
        info.vm_data_kb = layout.data_bytes / 1024;
        info.vm_stack_kb = layout.stack_bytes / 1024;
        info.vm_exe_kb = layout.exe_bytes / 1024;
    } else {
        info.fd_size = 0;
    }
    info.threads = klib::max<u32>(process.thread_count(), 1);
    auto masks = signal_masks(process);
    info.sig_pending = process.signals().pending;
    info.sig_blocked = process.signals().blocked;
    info.sig_ignored = masks.ignored;
    info.sig_caught = masks.caught;
    info.cpu_count = arch::cpu_count();
    return format_proc_status(b, info);
}

ErrorOr<void> generate_memory_range(Process& process, u64 start, u64 end, StringBuilder& b)
{
    if (!has_memory(process) || end <= start)
        return {};
    usize length = static_cast<usize>(klib::min<u64>(end - start, max_cmdline));
    auto& buffer = b.buffer();
    usize old = buffer.size();
    TRY(buffer.try_resize(old + length));
    auto read = read_process_memory(process, start, buffer.data() + old, length);
    if (read.is_error()) {
        MUST(buffer.try_resize(old));
        return {};
    }
    return {};
}

ErrorOr<void> generate_maps(Process& process, StringBuilder& b)
{
    if (!has_memory(process))
        return {};
    ErrorOr<void> result;
    auto root = vfs_root_custody();
    process.address_space().for_each_region([&](RegionInfo const& region) {
        if (result.is_error())
            return;
        u32 major = 0, minor = 0;
        if (region.inode && region.name.starts_with("/") && root) {
            auto custody = resolve_custody(region.name, *root, FsCredentials::root(), true);
            if (!custody.is_error()) {
                u64 dev = custody.value()->inode().fs().dev();
                major = fs::dev_major(dev);
                minor = fs::dev_minor(dev);
            }
        }
        result = format_maps_line(b, region.start, region.end, region.readable, region.writable, region.executable,
            region.shared, region.file_offset, major, minor, region.inode, region.name);
    });
    return result;
}

class ProcPidFileInode final : public GeneratedInode {
public:
    ProcPidFileInode(PseudoFS& fs, i32 pid, PidFileKind kind, u32 mode, u32 uid, u32 gid)
        : GeneratedInode(fs, pid_base(pid) + 1 + static_cast<u64>(kind), mode, uid, gid)
        , m_pid(pid)
        , m_kind(kind)
    {
    }

    ErrorOr<void> generate(StringBuilder& b) override
    {
        auto process = TRY(find_process(m_pid));
        switch (m_kind) {
        case PidFileKind::Stat:
            return generate_stat(*process, b);
        case PidFileKind::Statm:
            return generate_statm(*process, b);
        case PidFileKind::Status:
            return generate_status(*process, b);
        case PidFileKind::Cmdline:
            return generate_memory_range(*process, process->arg_start(), process->arg_end(), b);
        case PidFileKind::Environ:
            return generate_memory_range(*process, process->env_start(), process->env_end(), b);
        case PidFileKind::Comm: {
            auto comm = process->comm();
            return b.try_appendf("%.*s\n", static_cast<int>(comm.length()), comm.chars());
        }
        case PidFileKind::Maps:
            return generate_maps(*process, b);
        case PidFileKind::Mounts:
            return append_mounts_text(b);
        case PidFileKind::MountInfo:
            return append_mountinfo_text(b);
        }
        return {};
    }

    bool is_writable() const override { return m_kind == PidFileKind::Comm; }
    ErrorOr<void> write_data(StringView data) override
    {
        if (m_kind != PidFileKind::Comm)
            return Error(EACCES);
        auto process = TRY(find_process(m_pid));
        while (data.ends_with("\n"))
            data = data.substring(0, data.length() - 1);
        process->set_comm(data);
        return {};
    }

private:
    i32 m_pid;
    PidFileKind m_kind;
};

// ---- Links -------------------------------------------------------------------------------

enum class PidLinkKind : u8 { Exe, Cwd, Root };

class ProcPidLinkInode final : public GeneratedSymlinkInode {
public:
    ProcPidLinkInode(PseudoFS& fs, i32 pid, PidLinkKind kind, u32 uid, u32 gid)
        : GeneratedSymlinkInode(fs, pid_base(pid) + 0x20 + static_cast<u64>(kind), uid, gid)
        , m_pid(pid)
        , m_kind(kind)
    {
    }

    ErrorOr<RefPtr<Custody>> resolve_magic_link() override
    {
        auto process = Process::from_pid(m_pid);
        if (!process)
            return Error(ENOENT);
        RefPtr<Custody> custody;
        switch (m_kind) {
        case PidLinkKind::Exe:
            custody = process->executable();
            break;
        case PidLinkKind::Cwd:
            custody = process->cwd();
            if (!custody && process->state() != ProcessState::Zombie)
                custody = vfs_root_custody();
            break;
        case PidLinkKind::Root:
            if (process->state() != ProcessState::Zombie)
                custody = vfs_root_custody();
            break;
        }
        if (!custody)
            return Error(ENOENT);
        return custody;
    }
    bool is_magic_link() const override { return true; }
    ErrorOr<String> readlink() override
    {
        auto custody = TRY(resolve_magic_link());
        return custody->absolute_path();
    }

private:
    i32 m_pid;
    PidLinkKind m_kind;
};

// What /proc/<pid>/fd/N leads to when the description was not opened by path (pipes,
// anonymous-inode files): stat shows the File's metadata; opening it makes a new description
// of the same File for pipes, like Linux, and ENXIO for anonymous-inode files.
class DescriptionInode final : public PseudoInode {
public:
    DescriptionInode(PseudoFS& fs, RefPtr<File> file, InodeMetadata const& md)
        : PseudoInode(fs, md.ino, md.mode, md.uid, md.gid)
        , m_file(move(file))
    {
    }
    InodeMetadata metadata() const override
    {
        auto md = m_file->metadata();
        return md.is_error() ? PseudoInode::metadata() : md.release_value();
    }
    ErrorOr<RefPtr<File>> open(u32) override
    {
        if (!m_file->is_pipe())
            return Error(ENXIO);
        return m_file;
    }

private:
    RefPtr<File> m_file;
};

class ProcFdLinkInode final : public GeneratedSymlinkInode {
public:
    ProcFdLinkInode(PseudoFS& fs, i32 pid, int fd, OpenFileDescription& description, u32 uid, u32 gid)
        : GeneratedSymlinkInode(fs, pid_base(pid) + fd_entry_offset + static_cast<u64>(fd) * 2, uid, gid)
        , m_pid(pid)
        , m_fd(fd)
    {
        m_mode = fs::S_SYMLINK | (description.is_readable() ? 0500 : 0) | (description.is_writable() ? 0300 : 0);
    }

    ErrorOr<RefPtr<OpenFileDescription>> description()
    {
        auto process = Process::from_pid(m_pid);
        if (!process || process->state() == ProcessState::Zombie)
            return Error(ENOENT);
        auto result = process->fds().get(m_fd);
        if (result.is_error())
            return Error(ENOENT);
        return result.release_value();
    }
    bool is_magic_link() const override { return true; }
    ErrorOr<RefPtr<Custody>> resolve_magic_link() override
    {
        auto d = TRY(description());
        if (auto* custody = d->custody())
            return RefPtr<Custody>(custody);
        auto md = TRY(d->file().metadata());
        auto& fs = static_cast<PseudoFS&>(this->fs());
        auto inode = TRY(adopt_ref_or_enomem(new (std::nothrow) DescriptionInode(fs, d->file_ref(), md)));
        auto name = TRY(d->absolute_path());
        auto root = vfs_root_custody();
        return Custody::try_create(root, name.view(), RefPtr<Inode>(move(inode)));
    }
    ErrorOr<String> readlink() override
    {
        auto d = TRY(description());
        return d->absolute_path();
    }

private:
    i32 m_pid;
    int m_fd;
};

class ProcFdInfoInode final : public GeneratedInode {
public:
    ProcFdInfoInode(PseudoFS& fs, i32 pid, int fd, u32 uid, u32 gid)
        : GeneratedInode(fs, pid_base(pid) + fd_entry_offset + static_cast<u64>(fd) * 2 + 1, 0444, uid, gid)
        , m_pid(pid)
        , m_fd(fd)
    {
    }
    ErrorOr<void> generate(StringBuilder& b) override
    {
        auto process = TRY(find_process(m_pid));
        if (process->state() == ProcessState::Zombie)
            return Error(ENOENT);
        auto description = process->fds().get(m_fd);
        if (description.is_error())
            return Error(ENOENT);
        auto& d = *description.value();
        auto cloexec_result = process->fds().is_cloexec(m_fd);
        bool cloexec = !cloexec_result.is_error() && cloexec_result.value();
        auto md = TRY(d.metadata());
        u32 flags = d.flags() | (cloexec ? fs::O_CLOEXEC_ : 0);
        TRY(format_fdinfo_header(b, d.offset(), flags, md.mount_id, md.ino));
        return d.file().fdinfo(d, b);
    }

private:
    i32 m_pid;
    int m_fd;
};

// ---- Directories ------------------------------------------------------------------------

class ProcFdDirectoryInode final : public PseudoInode {
public:
    ProcFdDirectoryInode(PseudoFS& fs, i32 pid, bool info, u32 uid, u32 gid)
        : PseudoInode(fs, pid_base(pid) + (info ? fdinfo_dir_offset : fd_dir_offset), fs::S_DIRECTORY | (info ? 0555 : 0500), uid, gid)
        , m_pid(pid)
        , m_info(info)
    {
    }

    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        u64 fd;
        if (!parse_number(name, FdTable::max_fds, fd))
            return Error(ENOENT);
        auto process = Process::from_pid(m_pid);
        if (!process || process->state() == ProcessState::Zombie)
            return Error(ENOENT);
        auto description = process->fds().get(static_cast<int>(fd));
        if (description.is_error())
            return Error(ENOENT);
        auto& fs = static_cast<PseudoFS&>(this->fs());
        if (m_info)
            return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcFdInfoInode(fs, m_pid, static_cast<int>(fd), m_uid, m_gid))));
        return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcFdLinkInode(fs, m_pid, static_cast<int>(fd), *description.value(), m_uid, m_gid))));
    }

    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        if (position == 0) {
            if (!visitor.visit(".", ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1))
                return {};
            position = 1;
        }
        if (position == 1) {
            if (!visitor.visit("..", pid_base(m_pid), fs::mode_to_dirent_type(fs::S_DIRECTORY), 2))
                return {};
            position = 2;
        }
        auto process = Process::from_pid(m_pid);
        if (!process || process->state() == ProcessState::Zombie)
            return {};
        Vector<int> fds;
        process->fds().for_each([&](int fd, OpenFileDescription&) { (void)fds.try_append(fd); });
        for (int fd : fds) {
            if (static_cast<u64>(fd) + 2 < position)
                continue;
            char name[16];
            int length = klib::format(name, sizeof(name), "%d", fd);
            u64 ino = pid_base(m_pid) + fd_entry_offset + static_cast<u64>(fd) * 2 + (m_info ? 1 : 0);
            u8 type = fs::mode_to_dirent_type(m_info ? fs::S_REGULAR : fs::S_SYMLINK);
            if (!visitor.visit(StringView(name, static_cast<usize>(length)), ino, type, static_cast<u64>(fd) + 3))
                return {};
        }
        return {};
    }
    bool has_entries() const override { return true; }

private:
    i32 m_pid;
    bool m_info;
};

enum class EntryType : u8 { File, Link, FdDirectory, FdInfoDirectory };

struct PidEntry {
    char const* name;
    EntryType type;
    u8 kind;
    u32 mode;
};

constexpr PidEntry pid_entries[] = {
    { "stat", EntryType::File, static_cast<u8>(PidFileKind::Stat), 0444 },
    { "statm", EntryType::File, static_cast<u8>(PidFileKind::Statm), 0444 },
    { "status", EntryType::File, static_cast<u8>(PidFileKind::Status), 0444 },
    { "cmdline", EntryType::File, static_cast<u8>(PidFileKind::Cmdline), 0444 },
    { "comm", EntryType::File, static_cast<u8>(PidFileKind::Comm), 0644 },
    { "maps", EntryType::File, static_cast<u8>(PidFileKind::Maps), 0444 },
    { "environ", EntryType::File, static_cast<u8>(PidFileKind::Environ), 0400 },
    { "mounts", EntryType::File, static_cast<u8>(PidFileKind::Mounts), 0444 },
    { "mountinfo", EntryType::File, static_cast<u8>(PidFileKind::MountInfo), 0444 },
    { "exe", EntryType::Link, static_cast<u8>(PidLinkKind::Exe), 0777 },
    { "cwd", EntryType::Link, static_cast<u8>(PidLinkKind::Cwd), 0777 },
    { "root", EntryType::Link, static_cast<u8>(PidLinkKind::Root), 0777 },
    { "fd", EntryType::FdDirectory, 0, 0500 },
    { "fdinfo", EntryType::FdInfoDirectory, 0, 0555 },
};
constexpr usize pid_entry_count = sizeof(pid_entries) / sizeof(pid_entries[0]);

// The inode number make_entry() gives an entry (so getdents' d_ino matches stat's st_ino).
u64 entry_ino(i32 pid, PidEntry const& entry)
{
    switch (entry.type) {
    case EntryType::File:
        return pid_base(pid) + 1 + entry.kind;
    case EntryType::Link:
        return pid_base(pid) + 0x20 + entry.kind;
    case EntryType::FdDirectory:
        return pid_base(pid) + fd_dir_offset;
    case EntryType::FdInfoDirectory:
        return pid_base(pid) + fdinfo_dir_offset;
    }
    return pid_base(pid);
}

class ProcPidDirectoryInode final : public PseudoInode {
public:
    ProcPidDirectoryInode(PseudoFS& fs, i32 pid, u32 uid, u32 gid)
        : PseudoInode(fs, pid_base(pid), fs::S_DIRECTORY | 0555, uid, gid)
        , m_pid(pid)
    {
    }

    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        if (!Process::from_pid(m_pid))
            return Error(ENOENT);
        for (usize i = 0; i < pid_entry_count; ++i)
            if (name == pid_entries[i].name)
                return make_entry(pid_entries[i]);
        return Error(ENOENT);
    }

    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        if (position == 0) {
            if (!visitor.visit(".", ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1))
                return {};
            position = 1;
        }
        if (position == 1) {
            if (!visitor.visit("..", fs().root()->ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 2))
                return {};
            position = 2;
        }
        for (usize i = position - 2; i < pid_entry_count; ++i) {
            auto const& entry = pid_entries[i];
            u32 type = entry.type == EntryType::File ? fs::S_REGULAR : entry.type == EntryType::Link ? fs::S_SYMLINK : fs::S_DIRECTORY;
            if (!visitor.visit(entry.name, entry_ino(m_pid, entry), fs::mode_to_dirent_type(type), i + 3))
                return {};
        }
        return {};
    }
    bool has_entries() const override { return true; }

private:
    ErrorOr<RefPtr<Inode>> make_entry(PidEntry const& entry)
    {
        auto& fs = static_cast<PseudoFS&>(this->fs());
        switch (entry.type) {
        case EntryType::File:
            return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcPidFileInode(fs, m_pid, static_cast<PidFileKind>(entry.kind), entry.mode, m_uid, m_gid))));
        case EntryType::Link:
            return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcPidLinkInode(fs, m_pid, static_cast<PidLinkKind>(entry.kind), m_uid, m_gid))));
        case EntryType::FdDirectory:
        case EntryType::FdInfoDirectory:
            return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcFdDirectoryInode(fs, m_pid, entry.type == EntryType::FdInfoDirectory, m_uid, m_gid))));
        }
        return Error(ENOENT);
    }

    i32 m_pid;
};

class ProcRootEntries final : public DynamicDirectory {
public:
    explicit ProcRootEntries(PseudoFS& fs)
        : m_fs(fs)
    {
    }
    ErrorOr<RefPtr<Inode>> lookup_dynamic(StringView name) override
    {
        u64 pid;
        if (!parse_number(name, 1u << 22, pid))
            return Error(ENOENT);
        auto process = Process::from_pid(static_cast<i32>(pid));
        if (!process)
            return Error(ENOENT);
        auto const& cred = process->credentials();
        return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) ProcPidDirectoryInode(m_fs, static_cast<i32>(pid), cred.euid, cred.egid))));
    }
    ErrorOr<void> iterate_dynamic(u64 first_key, DirectoryVisitor& visitor) override
    {
        for (auto& process : Process::snapshot()) {
            u64 pid = static_cast<u64>(process->pid());
            if (pid < first_key)
                continue;
            char name[16];
            int length = klib::format(name, sizeof(name), "%d", process->pid());
            if (!visitor.visit(StringView(name, static_cast<usize>(length)), pid_base(process->pid()),
                    fs::mode_to_dirent_type(fs::S_DIRECTORY), dynamic_position_base + pid + 1))
                return {};
        }
        return {};
    }

private:
    PseudoFS& m_fs;
};

class SelfLinkInode final : public GeneratedSymlinkInode {
public:
    explicit SelfLinkInode(PseudoFS& fs)
        : GeneratedSymlinkInode(fs, 0)
    {
    }
    ErrorOr<String> readlink() override
    {
        StringBuilder b;
        TRY(b.try_appendf("%d", Process::current().pid()));
        return b.try_to_string();
    }
};

}

ErrorOr<void> procfs_install_process_directories(PseudoFS& fs)
{
    auto* entries = new (std::nothrow) ProcRootEntries(fs);
    if (!entries)
        return Error(ENOMEM);
    fs.root_directory().set_dynamic(entries);
    auto self = TRY(adopt_ref_or_enomem(new (std::nothrow) SelfLinkInode(fs)));
    TRY(fs.register_inode("self", RefPtr<Inode>(move(self))));
    return {};
}
