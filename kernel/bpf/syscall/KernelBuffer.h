// KernelBuffer: an owned, zero-initialised heap buffer for the copies a command makes of
// user memory (keys, values, instructions, BTF). ENOMEM when the heap refuses; a size of 0
// gives an empty buffer whose data() is nullptr. Freed when it goes out of scope.
#pragma once

#include "klib/CString.h"
#include "klib/Error.h"
#include "mm/UserBuffer.h"
#include <new>

namespace bpf::kernel {

class KernelBuffer {
public:
    KernelBuffer() = default;
    KernelBuffer(KernelBuffer&& other)
        : m_data(exchange(other.m_data, nullptr))
        , m_size(exchange(other.m_size, 0))
    {
    }
    KernelBuffer& operator=(KernelBuffer&& other)
    {
        if (this != &other) {
            delete[] m_data;
            m_data = exchange(other.m_data, nullptr);
            m_size = exchange(other.m_size, 0);
        }
        return *this;
    }
    KernelBuffer(KernelBuffer const&) = delete;
    ~KernelBuffer() { delete[] m_data; }

    static ErrorOr<KernelBuffer> allocate(usize size)
    {
        KernelBuffer buffer;
        if (size) {
            buffer.m_data = new (std::nothrow) u8[size];
            if (!buffer.m_data)
                return Error(ENOMEM);
            memset(buffer.m_data, 0, size);
        }
        buffer.m_size = size;
        return buffer;
    }
    // allocate() + copy_from_user() (EFAULT).
    static ErrorOr<KernelBuffer> copy_from(u64 user_address, usize size)
    {
        auto buffer = TRY(allocate(size));
        TRY(copy_from_user(buffer.m_data, user_address, size));
        return buffer;
    }

    u8* data() const { return m_data; }
    usize size() const { return m_size; }

private:
    u8* m_data { nullptr };
    usize m_size { 0 };
};

}
