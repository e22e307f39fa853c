// Test fixtures (see TestEnvironment.h).
#include "TestEnvironment.h"
#include "bpf/isa/Program.h"

namespace test {

i64 FakeEnvironment::current_comm(char* buffer, u32 size)
{
    std::memset(buffer, 0, size);
    std::strncpy(buffer, comm.c_str(), size ? size - 1 : 0);
    return 0;
}

i64 FakeEnvironment::ns_current_pid_tgid(u64 dev, u64 ino, u32* pid, u32* tgid)
{
    if (dev != 4 || ino != 0xeffffffc)
        return -EINVAL;
    *pid = 7;
    *tgid = 8;
    return 0;
}

bool FakeEnvironment::can_read(u64 address, u64 size) const
{
    for (auto [start, end] : readable)
        if (address >= start && address + size <= end && address + size >= address)
            return true;
    return false;
}

i64 FakeEnvironment::probe_read_kernel(void* dst, u32 size, u64 src)
{
    if (!can_read(src, size)) {
        std::memset(dst, 0, size);
        return -EFAULT;
    }
    std::memcpy(dst, reinterpret_cast<void const*>(src), size);
    return 0;
}

i64 FakeEnvironment::probe_read_kernel_str(char* dst, u32 size, u64 src)
{
    if (!size)
        return 0;
    u32 i = 0;
    for (; i + 1 < size; ++i) {
        if (!can_read(src + i, 1)) {
            std::memset(dst, 0, size);
            return -EFAULT;
        }
        dst[i] = reinterpret_cast<char const*>(src)[i];
        if (!dst[i])
            return i + 1;
    }
    dst[i] = 0;
    return size;
}

i64 FakeEnvironment::walk_stack(u64, bool user, u64* ips, u32 max_depth)
{
    if (stack.empty())
        return -EFAULT;
    u32 n = 0;
    for (; n < stack.size() && n < max_depth; ++n)
        ips[n] = stack[n] + (user ? 0x1000 : 0);
    return n;
}

ErrorOr<RefPtr<bpf::Map>> FakeResolver::map_from_fd(u32 fd)
{
    auto it = maps.find(fd);
    if (it == maps.end())
        return Error(EBADF);
    return it->second;
}

ErrorOr<RefPtr<bpf::PerfEventSource>> FakeResolver::perf_event_from_fd(u32 fd)
{
    auto it = events.find(fd);
    if (it == events.end())
        return Error(EBADF);
    return it->second;
}

ErrorOr<RefPtr<bpf::Program>> FakeResolver::program_from_fd(u32 fd)
{
    auto it = programs.find(fd);
    if (it == programs.end())
        return Error(EBADF);
    return it->second;
}

u32 FakeResolver::program_id(bpf::Program const& program)
{
    auto it = program_ids.find(&program);
    return it == program_ids.end() ? 0 : it->second;
}

bpf::MapAttributes attributes(u32 type, u32 key_size, u32 value_size, u32 max_entries, u32 flags, u64 extra)
{
    bpf::MapAttributes a;
    a.map_type = type;
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    a.map_flags = flags;
    a.map_extra = extra;
    return a;
}

RefPtr<bpf::Map> make_map(u32 type, u32 key_size, u32 value_size, u32 max_entries, u32 flags, u64 extra, bpf::ObjectResolver* resolver)
{
    auto result = bpf::create_map(attributes(type, key_size, value_size, max_entries, flags, extra), resolver);
    if (result.is_error())
        return nullptr;
    return result.release_value();
}

int create_errno(bpf::MapAttributes const& a, bpf::ObjectResolver* resolver)
{
    auto result = bpf::create_map(a, resolver);
    return result.is_error() ? -result.error().code() : 0;
}

}
