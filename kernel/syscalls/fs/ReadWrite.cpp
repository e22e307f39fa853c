// read, write, readv, writev, pread64, pwrite64, lseek.
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

ErrorOr<u64> sys_read(int fd, u64 user_buffer, usize count)
{
    auto description = TRY(fsys::description(fd));
    count = klib::min(count, max_rw_count);
    return TRY(description->read(UserBuffer::user(user_buffer, count), count));
}

ErrorOr<u64> sys_write(int fd, u64 user_buffer, usize count)
{
    auto description = TRY(fsys::description(fd));
    count = klib::min(count, max_rw_count);
    return TRY(description->write(UserBuffer::user(user_buffer, count), count));
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
    count = klib::min(count, max_rw_count);
    return TRY(description->read_at(static_cast<u64>(offset), UserBuffer::user(user_buffer, count), count));
}

ErrorOr<u64> sys_pwrite64(int fd, u64 user_buffer, usize count, i64 offset)
{
    auto description = TRY(fsys::description(fd));
    if (offset < 0)
        return Error(EINVAL);
    count = klib::min(count, max_rw_count);
    return TRY(description->write_at(static_cast<u64>(offset), UserBuffer::user(user_buffer, count), count));
}

ErrorOr<u64> sys_lseek(int fd, i64 offset, int whence)
{
    auto description = TRY(fsys::description(fd));
    return TRY(description->seek(offset, whence));
}
