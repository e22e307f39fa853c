// Helpers for reading union bpf_attr the way Linux's kernel/bpf/syscall.c does: every command
// names the last field it uses (BPF_<CMD>_LAST_FIELD) and CHECK_ATTR refuses any non-zero
// byte after it with EINVAL; user pointers inside the attr are u64 and only reach user
// memory through mm/UserBuffer.h; fields written back (info_len, next_id, batch.count,
// test.retval...) are stored at their offset inside the caller's attr.
#pragma once

#include "klib/CString.h"
#include "klib/Error.h"
#include "mm/UserBuffer.h"
#include <linux/bpf.h>
#include <stddef.h>

namespace bpf::kernel {

// offsetofend(union bpf_attr, member)
#define BPF_ATTR_END(member) (offsetof(union bpf_attr, member) + sizeof(((union bpf_attr*)nullptr)->member))

// CHECK_ATTR: true when a byte after `end` (the end of the command's last field) is non-zero.
inline bool attr_has_unknown_bytes(union bpf_attr const& attr, usize end)
{
    auto const* bytes = reinterpret_cast<u8 const*>(&attr);
    for (usize i = end; i < sizeof(attr); ++i)
        if (bytes[i])
            return true;
    return false;
}

// Linux's bpf_check_uarg_tail_zero() for a user buffer of `actual` bytes that the kernel
// knows as a structure of `expected` bytes: E2BIG when actual > PAGE_SIZE or when a byte past
// `expected` is non-zero, EFAULT when those bytes cannot be read.
ErrorOr<void> check_user_tail_zero(u64 user_address, usize expected, usize actual);

// Writes `value` into the caller's attr at `offset` (put_user on &uattr->field).
template<typename T>
ErrorOr<void> write_attr_field(u64 user_attr, usize offset, T const& value)
{
    return copy_to_user(user_attr + offset, &value, sizeof(T));
}

// The 16-byte object names of maps and programs: only [A-Za-z0-9_.], NUL-terminated inside
// the field (bpf_obj_name_cpy). EINVAL otherwise.
ErrorOr<void> copy_object_name(char (&destination)[BPF_OBJ_NAME_LEN], char const (&source)[BPF_OBJ_NAME_LEN]);

}
