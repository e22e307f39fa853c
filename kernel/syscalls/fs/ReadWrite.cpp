// read, write, readv, writev, pread64, pwrite64, lseek.
#include "lib/LinuxFunctions.h"
#include "mm/UserBuffer.h"
#include "syscalls/fs/FsSyscalls.h"

namespace {

constexpr usize max_rw_count = 0x7ffff000; // MAX_RW_COUNT: INT_MAX rounded down to a page
constexpr int max_iov = 1024;              // UIO_MAXIOV

struct IoVec {
    u64 base;
    u64 length;
};

ErrorOr<Vector<IoVec>> copy_iovecs(u64 user_iov, int count)
{
    if (count < 0 || count > max_iov)
        return Error(EINVAL);
    Vector<IoVec> iovs;
    TRY(iovs.try_resize(static_cast<usize>(count)));
    if (count)
        TRY(copy_from_user(iovs.data(), user_iov, sizeof(IoVec) * static_cast<usize>(count)));
    u64 total = 0;
    for (auto& iov : iovs) {
        if (iov.length > static_cast<u64>(INT64_MAX) || !klib::checked_add(total, iov.length, total) || total > static_cast<u64>(INT64_MAX))
            return Error(EINVAL);
    }
    return iovs;
}

template<typename Transfer>
ErrorOr<u64> transfer_vectors(Vector<IoVec> const& iovs, Transfer transfer)
{
    u64 total = 0;
    for (auto& iov : iovs) {
        if (iov.length == 0)
            continue;
        usize length = static_cast<usize>(klib::min<u64>(iov.length, max_rw_count - klib::min<u64>(total, max_rw_count)));
        if (length == 0)
            break;
        auto result = transfer(UserBuffer::user(iov.base, length), length, total);
        if (result.is_error()) {
            if (total)
                return total;
            return result.release_error();
        }
        total += result.value();
        if (result.value() < length)
            break;
    }
    return total;
}

}

// Linux's vfs_read/vfs_write (fs/read_write.c): read, write, pread64 and pwrite64 go through
// here. `pos` null: the description's own position.
extern "C" __attribute__((noinline)) long vfs_read(OpenFileDescription* file, char* buf, usize count, i64* pos)
{
    count = klib::min(count, max_rw_count);
    auto buffer = UserBuffer::user(reinterpret_cast<u64>(buf), count);
    if (!pos)
        return linux_return_value(file->read(buffer, count));
    auto result = file->read_at(static_cast<u64>(*pos), buffer, count);
    if (!result.is_error())
        *pos += static_cast<i64>(result.value());
    return linux_return_value(move(result));
}

extern "C" __attribute__((noinline)) long vfs_write(OpenFileDescription* file, char const* buf, usize count, i64* pos)
{
    count = klib::min(count, max_rw_count);
    auto buffer = UserBuffer::user(reinterpret_cast<u64>(buf), count);
    if (!pos)
        return linux_return_value(file->write(buffer, count));
    auto result = file->write_at(static_cast<u64>(*pos), buffer, count);
    if (!result.is_error())
        *pos += static_cast<i64>(result.value());
    return linux_return_value(move(result));
}

ErrorOr<u64> sys_read(int fd, u64 user_buffer, usize count)
{
    auto description = TRY(fsys::description(fd));
    return from_linux_return_value(vfs_read(description.ptr(), reinterpret_cast<char*>(user_buffer), count, nullptr));
}

ErrorOr<u64> sys_write(int fd, u64 user_buffer, usize count)
{
    auto description = TRY(fsys::description(fd));
    return from_linux_return_value(vfs_write(description.ptr(), reinterpret_cast<char const*>(user_buffer), count, nullptr));
}

ErrorOr<u64> sys_readv(int fd, u64 user_iov, int iov_count)
{
    auto description = TRY(fsys::description(fd));
    if (!description->is_readable())
        return Error(EBADF);
    auto iovs = TRY(copy_iovecs(user_iov, iov_count));
    return transfer_vectors(iovs, [&](UserBuffer const& buffer, usize length, u64) { return description->read(buffer, length); });
}

ErrorOr<u64> sys_writev(int fd, u64 user_iov, int iov_count)
{
    auto description = TRY(fsys::description(fd));
    if (!description->is_writable())
        return Error(EBADF);
    auto iovs = TRY(copy_iovecs(user_iov, iov_count));
    return transfer_vectors(iovs, [&](UserBuffer const& buffer, usize length, u64) { return description->write(buffer, length); });
}

ErrorOr<u64> sys_pread64(int fd, u64 user_buffer, usize count, i64 offset)
{
    auto description = TRY(fsys::description(fd));
    if (offset < 0)
        return Error(EINVAL);
    return from_linux_return_value(vfs_read(description.ptr(), reinterpret_cast<char*>(user_buffer), count, &offset));
}

ErrorOr<u64> sys_pwrite64(int fd, u64 user_buffer, usize count, i64 offset)
{
    auto description = TRY(fsys::description(fd));
    if (offset < 0)
        return Error(EINVAL);
    return from_linux_return_value(vfs_write(description.ptr(), reinterpret_cast<char const*>(user_buffer), count, &offset));
}

ErrorOr<u64> sys_lseek(int fd, i64 offset, int whence)
{
    auto description = TRY(fsys::description(fd));
    return TRY(description->seek(offset, whence));
}
