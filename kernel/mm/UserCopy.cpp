// Checked user-memory copies (see UserBuffer.h): the range must lie entirely in the user
// half; the copy itself runs in the arch's faultable routine, so an unmapped or protected
// page ends it with EFAULT after the page fault handler has tried to resolve the fault.
#include "arch/Paging.h"
#include "klib/CString.h"
#include "mm/UserBuffer.h"

extern "C" u64 arch_copy_user(void* dest, void const* src, u64 n);
extern "C" u64 arch_clear_user(void* dest, u64 n);

namespace {

bool is_user_range(u64 address, usize n)
{
    u64 end;
    if (klib::checked_add<u64>(address, n, end) == false)
        return false;
    return end <= arch::user_space_end;
}

}

ErrorOr<void> copy_from_user(void* dest, u64 user_src, usize n)
{
    if (n == 0)
        return {};
    if (!is_user_range(user_src, n))
        return Error(EFAULT);
    if (arch_copy_user(dest, reinterpret_cast<void const*>(user_src), n) != 0)
        return Error(EFAULT);
    return {};
}

ErrorOr<void> copy_to_user(u64 user_dest, void const* src, usize n)
{
    if (n == 0)
        return {};
    if (!is_user_range(user_dest, n))
        return Error(EFAULT);
    if (arch_copy_user(reinterpret_cast<void*>(user_dest), src, n) != 0)
        return Error(EFAULT);
    return {};
}

ErrorOr<void> clear_user(u64 user_dest, usize n)
{
    if (n == 0)
        return {};
    if (!is_user_range(user_dest, n))
        return Error(EFAULT);
    if (arch_clear_user(reinterpret_cast<void*>(user_dest), n) != 0)
        return Error(EFAULT);
    return {};
}

ErrorOr<String> copy_string_from_user(u64 user_string, usize max_length)
{
    // Copy in chunks that never cross a page boundary, so a string ending just before an
    // unmapped page is still read correctly.
    Vector<char> buffer;
    u64 cursor = user_string;
    while (buffer.size() <= max_length) {
        usize chunk = static_cast<usize>(PAGE_SIZE - (cursor & (PAGE_SIZE - 1)));
        chunk = min<usize>(chunk, max_length + 1 - buffer.size());
        char temp[256];
        chunk = min<usize>(chunk, sizeof(temp));
        TRY(copy_from_user(temp, cursor, chunk));
        for (usize i = 0; i < chunk; ++i) {
            if (temp[i] == '\0')
                return String::try_create(StringView(buffer.data() ? buffer.data() : "", buffer.size()));
            TRY(buffer.try_append(temp[i]));
        }
        cursor += chunk;
    }
    return Error(ENAMETOOLONG);
}
