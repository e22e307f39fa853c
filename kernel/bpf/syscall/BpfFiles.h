// The files behind BPF file descriptors (Linux's bpf_map_fops, bpf_prog_fops, bpf_link_fops,
// btf_fops, bpf_stats_fops): anonymous-inode files ("anon_inode:bpf-map", "bpf-prog",
// "bpf_link"/"bpf-link", "btf", "bpf-stats") that each hold one reference to their object.
// Several files may name the same object (BPF_*_GET_FD_BY_ID, BPF_OBJ_GET). read/write give
// EINVAL like Linux's bpf_dummy_read/write; /proc/<pid>/fdinfo prints Linux's lines; map
// files provide mmap pages (BPF_F_MMAPABLE arrays, ringbufs) and ringbuf readiness.
//
// Also the typed lookups the commands use: an fd that is not open gives EBADF, an fd of
// another kind EINVAL (Linux's __bpf_map_get, ____bpf_prog_get, bpf_link_get_from_fd,
// btf_get_by_fd), and the installers that put a new file at the lowest free fd (O_CLOEXEC),
// always as the last step of a command.
#pragma once

#include "bpf/syscall/LinkObject.h"
#include "fs/AnonInode.h"

namespace bpf::kernel {

class MapFile final : public AnonInodeFile {
public:
    static constexpr char kind_name[] = "BpfMapFile";
    static ErrorOr<RefPtr<MapFile>> create(RefPtr<MapObject> object);
    // The last reference (last close of this open file): Linux's bpf_map_release, which
    // lets the map drop entries stored through this file (Map::release_file).
    ~MapFile() override;

    MapObject& object() const { return *m_object; }
    RefPtr<MapObject> object_ref() const { return m_object; }

    u32 poll_status(OpenFileDescription&) override;
    ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const override;
    ErrorOr<PhysicalAddress> mmap_page(OpenFileDescription&, u64 offset_in_file, bool writable) override;
    ErrorOr<void> mmap_opened(OpenFileDescription&, u64 offset, u64 length, bool writable) override;
    void mmap_closed(OpenFileDescription&, u64 offset, u64 length, bool writable) override;
    StringView class_name() const override { return kind_name; }

private:
    explicit MapFile(RefPtr<MapObject> object)
        : AnonInodeFile("bpf-map")
        , m_object(move(object))
    {
    }
    RefPtr<MapObject> m_object;
};

class ProgramFile final : public AnonInodeFile {
public:
    static constexpr char kind_name[] = "BpfProgramFile";
    explicit ProgramFile(RefPtr<ProgramObject> object)
        : AnonInodeFile("bpf-prog")
        , m_object(move(object))
    {
    }
    ProgramObject& object() const { return *m_object; }
    RefPtr<ProgramObject> object_ref() const { return m_object; }
    ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const override;
    StringView class_name() const override { return kind_name; }

private:
    RefPtr<ProgramObject> m_object;
};

class LinkFile final : public AnonInodeFile {
public:
    static constexpr char kind_name[] = "BpfLinkFile";
    // `created`: the fd LINK_CREATE returns ("bpf_link"); reopened links are "bpf-link".
    LinkFile(RefPtr<LinkObject> object, bool created)
        : AnonInodeFile(created ? "bpf_link" : "bpf-link")
        , m_object(move(object))
    {
    }
    LinkObject& object() const { return *m_object; }
    RefPtr<LinkObject> object_ref() const { return m_object; }
    ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const override;
    StringView class_name() const override { return kind_name; }

private:
    RefPtr<LinkObject> m_object;
};

class BtfFile final : public AnonInodeFile {
public:
    static constexpr char kind_name[] = "BtfFile";
    explicit BtfFile(RefPtr<BtfObject> object)
        : AnonInodeFile("btf")
        , m_object(move(object))
    {
    }
    BtfObject& object() const { return *m_object; }
    RefPtr<BtfObject> object_ref() const { return m_object; }
    ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const override;
    StringView class_name() const override { return kind_name; }

private:
    RefPtr<BtfObject> m_object;
};

// The fd BPF_ENABLE_STATS returns: statistics stay on while it is open.
class StatsFile final : public AnonInodeFile {
public:
    StatsFile()
        : AnonInodeFile("bpf-stats")
    {
        run_time_stats_acquire();
    }
    ~StatsFile() override { run_time_stats_release(); }
    StringView class_name() const override { return "BpfStatsFile"; }
};

template<typename T>
T* file_as(File& file) { return file.class_name() == StringView(T::kind_name) ? static_cast<T*>(&file) : nullptr; }

// Typed fd lookups: EBADF when the fd is not open, EINVAL for another kind of file.
// `access` (optional) receives the map fd's access mode for the syscall-side checks.
ErrorOr<RefPtr<MapObject>> map_from_fd(int fd, FileAccess* access = nullptr);
// The map file itself, for commands whose effect depends on the open file (updates of
// PERF_EVENT_ARRAY entries are tied to it); holding it keeps the file alive.
ErrorOr<RefPtr<MapFile>> map_file_from_fd(int fd, FileAccess* access = nullptr);
ErrorOr<RefPtr<ProgramObject>> program_from_fd(int fd);
ErrorOr<RefPtr<LinkObject>> link_from_fd(int fd);
ErrorOr<RefPtr<BtfObject>> btf_from_fd(int fd);

// Installers (O_CLOEXEC). `access_mode` is O_RDONLY/O_WRONLY/O_RDWR (bpf_get_file_flag).
ErrorOr<int> install_map_fd(RefPtr<MapObject> object, u32 access_mode);
ErrorOr<int> install_program_fd(RefPtr<ProgramObject> object);
ErrorOr<int> install_link_fd(RefPtr<LinkObject> object, bool created);
ErrorOr<int> install_btf_fd(RefPtr<BtfObject> object);

// bpf_get_file_flag(): map BPF_F_RDONLY/BPF_F_WRONLY to an access mode; EINVAL for both.
ErrorOr<u32> access_mode_from_bpf_flags(u32 flags);

}
