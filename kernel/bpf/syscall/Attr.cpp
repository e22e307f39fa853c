// bpf_attr helpers (see Attr.h).
#include "bpf/syscall/Attr.h"
#include "mm/PhysicalMemory.h"

namespace bpf::kernel {

ErrorOr<void> check_user_tail_zero(u64 user_address, usize expected, usize actual)
{
    if (actual > PAGE_SIZE)
        return Error(E2BIG);
    if (actual <= expected)
        return {};
    u8 chunk[64];
    for (usize offset = expected; offset < actual;) {
        usize n = min<usize>(sizeof(chunk), actual - offset);
        TRY(copy_from_user(chunk, user_address + offset, n));
        for (usize i = 0; i < n; ++i)
            if (chunk[i])
                return Error(E2BIG);
        offset += n;
    }
    return {};
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

ErrorOr<void> copy_object_name(char (&destination)[BPF_OBJ_NAME_LEN], char const (&source)[BPF_OBJ_NAME_LEN])
{
    memset(destination, 0, BPF_OBJ_NAME_LEN);
    for (usize i = 0; i < BPF_OBJ_NAME_LEN; ++i) {
        if (source[i] == '\0')
            return {};
        if (!is_name_char(source[i]))
            return Error(EINVAL);
        destination[i] = source[i];
    }
    memset(destination, 0, BPF_OBJ_NAME_LEN);
    return Error(EINVAL); // no NUL inside the 16 bytes
}

}
