// BPF object files and typed fd lookups (see BpfFiles.h).
#include "bpf/syscall/BpfFiles.h"
#include "bpf/maps/RingbufMap.h"
#include "proc/Process.h"

namespace bpf::kernel {

namespace {

// "0x%x" the way Linux's %#x prints (0 included: "0x0").
void tag_to_hex(u8 const (&tag)[BPF_TAG_SIZE], char (&out)[BPF_TAG_SIZE * 2 + 1])
{
    constexpr char digits[] = "0123456789abcdef";
    for (usize i = 0; i < BPF_TAG_SIZE; ++i) {
        out[2 * i] = digits[tag[i] >> 4];
        out[2 * i + 1] = digits[tag[i] & 0xf];
    }
    out[BPF_TAG_SIZE * 2] = '\0';
}

ErrorOr<RefPtr<OpenFileDescription>> description_of(int fd)
{
    auto description = TRY(Process::current().fds().get(fd));
    if (description->is_path_only())
        return Error(EBADF);
    return description;
}

template<typename T>
ErrorOr<T*> file_of_kind(OpenFileDescription& description)
{
    auto* file = file_as<T>(description.file());
    if (!file)
        return Error(EINVAL);
    return file;
}

}

ErrorOr<RefPtr<MapFile>> MapFile::create(RefPtr<MapObject> object)
{
    auto* file = new (std::nothrow) MapFile(move(object));
    if (!file)
        return Error(ENOMEM);
    auto ref = RefPtr<MapFile>::adopt(file);
    if (file->m_object->map().type() == BPF_MAP_TYPE_RINGBUF)
        TRY(file->m_object->add_watcher(file));
    return ref;
}

MapFile::~MapFile()
{
    m_object->map().release_file(this);
    if (m_object->map().type() == BPF_MAP_TYPE_RINGBUF)
        m_object->remove_watcher(this);
}

u32 MapFile::poll_status(OpenFileDescription&)
{
    // Linux's bpf_map_poll: only ringbufs can be polled (readable while records are
    // unconsumed); every other map reports EPOLLERR.
    if (m_object->map().type() != BPF_MAP_TYPE_RINGBUF)
        return fs::POLLERR_;
    auto& ring = static_cast<RingbufMap&>(m_object->map());
    if (ring.producer_position() != ring.consumer_position())
        return fs::POLLIN_ | fs::POLLRDNORM_;
    return 0;
}

ErrorOr<void> MapFile::fdinfo(OpenFileDescription const&, StringBuilder& b) const
{
    auto const& map = m_object->map();
    TRY(b.try_appendf("map_type:\t%u\nkey_size:\t%u\nvalue_size:\t%u\nmax_entries:\t%u\nmap_flags:\t0x%x\nmap_extra:\t0x%llx\n"
                      "memlock:\t%llu\nmap_id:\t%u\nfrozen:\t%u\n",
        map.type(), map.key_size(), map.value_size(), map.max_entries(), map.flags() & ~(BPF_F_RDONLY | BPF_F_WRONLY),
        static_cast<unsigned long long>(map.map_extra()), static_cast<unsigned long long>(m_object->memory_footprint()),
        m_object->id(), map.is_frozen() ? 1u : 0u));
    if (u32 owner = m_object->owner_program_type())
        TRY(b.try_appendf("owner_prog_type:\t%u\nowner_jited:\t0\n", owner));
    return {};
}

ErrorOr<void> MapFile::mmap_opened(OpenFileDescription&, u64 offset, u64 length, bool writable)
{
    return m_object->map().mmap_begin(offset / PAGE_SIZE, align_up(length, PAGE_SIZE) / PAGE_SIZE, writable, true);
}

void MapFile::mmap_closed(OpenFileDescription&, u64, u64, bool writable) { m_object->map().mmap_end(writable); }

ErrorOr<PhysicalAddress> MapFile::mmap_page(OpenFileDescription&, u64 offset_in_file, bool writable)
{
    // Validate this page with the map's own rules (type, BPF_F_MMAPABLE, frozen, read-only
    // ringbuf pages, range) without counting a mapping: counting is mmap_opened's job.
    auto& map = m_object->map();
    u64 page = offset_in_file / PAGE_SIZE;
    TRY(map.mmap_begin(page, 1, writable, true));
    map.mmap_end(writable);
    u8* address = map.mmap_page(page);
    if (!address)
        return Error(EINVAL);
    return virt_to_phys(address);
}

ErrorOr<void> ProgramFile::fdinfo(OpenFileDescription const&, StringBuilder& b) const
{
    char tag[BPF_TAG_SIZE * 2 + 1];
    tag_to_hex(m_object->info().tag, tag);
    return b.try_appendf("prog_type:\t%u\nprog_jited:\t0\nprog_tag:\t%s\nmemlock:\t%llu\nprog_id:\t%u\nrun_time_ns:\t%llu\n"
                         "run_cnt:\t%llu\nrecursion_misses:\t%llu\nverified_insns:\t%u\n",
        m_object->type(), tag, static_cast<unsigned long long>(m_object->memlock()), m_object->id(),
        static_cast<unsigned long long>(m_object->run_time_ns()), static_cast<unsigned long long>(m_object->run_count()),
        static_cast<unsigned long long>(m_object->recursion_misses()), m_object->info().verified_insns);
}

ErrorOr<void> LinkFile::fdinfo(OpenFileDescription const&, StringBuilder& b) const
{
    auto program = m_object->program();
    char tag[BPF_TAG_SIZE * 2 + 1];
    tag_to_hex(program->info().tag, tag);
    TRY(b.try_appendf("link_type:\t%s\nlink_id:\t%u\nprog_tag:\t%s\nprog_id:\t%u\n", LinkObject::type_name(m_object->type()),
        m_object->id(), tag, program->id()));
    return m_object->show_fdinfo(b);
}

ErrorOr<void> BtfFile::fdinfo(OpenFileDescription const&, StringBuilder& b) const
{
    return b.try_appendf("btf_id:\t%u\n", m_object->id());
}

ErrorOr<RefPtr<MapObject>> map_from_fd(int fd, FileAccess* access)
{
    auto file = TRY(map_file_from_fd(fd, access));
    return file->object_ref();
}

ErrorOr<RefPtr<MapFile>> map_file_from_fd(int fd, FileAccess* access)
{
    auto description = TRY(description_of(fd));
    auto* file = TRY(file_of_kind<MapFile>(*description));
    if (access) {
        switch (description->access_mode()) {
        case fs::O_READ_ONLY:
            *access = FileAccess::ReadOnly;
            break;
        case fs::O_WRITE_ONLY:
            *access = FileAccess::WriteOnly;
            break;
        default:
            *access = FileAccess::ReadWrite;
            break;
        }
    }
    return RefPtr<MapFile>(file);
}

ErrorOr<RefPtr<ProgramObject>> program_from_fd(int fd)
{
    auto description = TRY(description_of(fd));
    return TRY(file_of_kind<ProgramFile>(*description))->object_ref();
}

ErrorOr<RefPtr<LinkObject>> link_from_fd(int fd)
{
    auto description = TRY(description_of(fd));
    return TRY(file_of_kind<LinkFile>(*description))->object_ref();
}

ErrorOr<RefPtr<BtfObject>> btf_from_fd(int fd)
{
    auto description = TRY(description_of(fd));
    return TRY(file_of_kind<BtfFile>(*description))->object_ref();
}

ErrorOr<u32> access_mode_from_bpf_flags(u32 flags)
{
    if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
        return Error(EINVAL);
    if (flags & BPF_F_RDONLY)
        return fs::O_READ_ONLY;
    if (flags & BPF_F_WRONLY)
        return fs::O_WRITE_ONLY;
    return fs::O_READ_WRITE;
}

ErrorOr<int> install_map_fd(RefPtr<MapObject> object, u32 access_mode)
{
    auto file = TRY(MapFile::create(move(object)));
    return install_anonymous_fd(move(file), access_mode | fs::O_CLOEXEC_);
}

ErrorOr<int> install_program_fd(RefPtr<ProgramObject> object)
{
    auto file = TRY(try_make_ref_counted<ProgramFile>(move(object)));
    return install_anonymous_fd(move(file), fs::O_READ_WRITE | fs::O_CLOEXEC_);
}

ErrorOr<int> install_link_fd(RefPtr<LinkObject> object, bool created)
{
    auto file = TRY(try_make_ref_counted<LinkFile>(move(object), created));
    return install_anonymous_fd(move(file), fs::O_READ_ONLY | fs::O_CLOEXEC_);
}

ErrorOr<int> install_btf_fd(RefPtr<BtfObject> object)
{
    auto file = TRY(try_make_ref_counted<BtfFile>(move(object)));
    return install_anonymous_fd(move(file), fs::O_READ_ONLY | fs::O_CLOEXEC_);
}

}
