// User memory access. Every pointer that comes from user space goes through these checked
// copies: an address outside the user half, an unmapped page or a protection violation gives
// EFAULT (never a kernel fault). UserBuffer lets one read/write implementation serve both
// user buffers (syscalls) and kernel buffers (in-kernel callers such as the ELF loader).
//
// Host builds (KLIB_HOSTED, for tests of pure code) implement the copies with memcpy.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"

// Copies n bytes from user address `user_src` into kernel memory.
ErrorOr<void> copy_from_user(void* dest, u64 user_src, usize n);
// Copies n bytes of kernel memory to user address `user_dest`.
ErrorOr<void> copy_to_user(u64 user_dest, void const* src, usize n);
// Fills n bytes at a user address with zero.
ErrorOr<void> clear_user(u64 user_dest, usize n);
// Copies a NUL-terminated user string of at most max_length bytes (excluding the NUL).
// ENAMETOOLONG when no NUL is found within max_length + 1 bytes, EFAULT on a bad pointer.
ErrorOr<String> copy_string_from_user(u64 user_string, usize max_length);

template<typename T>
ErrorOr<void> copy_from_user(T* dest, u64 user_src) { return copy_from_user(dest, user_src, sizeof(T)); }
template<typename T>
ErrorOr<void> copy_to_user(u64 user_dest, T const* src) { return copy_to_user(user_dest, src, sizeof(T)); }

class UserBuffer {
public:
    static UserBuffer user(u64 address, usize size) { return UserBuffer(address, size, true); }
    static UserBuffer kernel(void* address, usize size) { return UserBuffer(reinterpret_cast<u64>(address), size, false); }

    usize size() const { return m_size; }
    bool is_user() const { return m_is_user; }
    u64 address() const { return m_address; }

    // Copies `length` bytes from `src` into this buffer at `offset`.
    ErrorOr<void> write(void const* src, usize length, usize offset = 0) const;
    // Copies `length` bytes at `offset` of this buffer into `dest`.
    ErrorOr<void> read(void* dest, usize length, usize offset = 0) const;
    // Zero-fills `length` bytes at `offset`.
    ErrorOr<void> fill_zero(usize length, usize offset = 0) const;
    UserBuffer slice(usize offset, usize length) const { return UserBuffer(m_address + offset, length, m_is_user); }

private:
    UserBuffer(u64 address, usize size, bool is_user)
        : m_address(address)
        , m_size(size)
        , m_is_user(is_user)
    {
    }
    u64 m_address;
    usize m_size;
    bool m_is_user;
};
