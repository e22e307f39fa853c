// Span<T>: a non-owning view of contiguous elements with bounds-checked indexing.
#pragma once

#include "Assert.h"
#include "Types.h"

namespace klib {

template<typename T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size)
        : m_data(data)
        , m_size(size)
    {
    }
    template<usize N>
    constexpr Span(T (&array)[N])
        : m_data(array)
        , m_size(N)
    {
    }
    template<typename U>
    requires(std::is_const_v<T> && std::is_same_v<std::remove_const_t<T>, U>)
    constexpr Span(Span<U> other)
        : m_data(other.data())
        , m_size(other.size())
    {
    }

    constexpr T* data() const { return m_data; }
    constexpr usize size() const { return m_size; }
    constexpr bool is_empty() const { return m_size == 0; }
    constexpr T& operator[](usize i) const
    {
        VERIFY(i < m_size);
        return m_data[i];
    }
    constexpr T* begin() const { return m_data; }
    constexpr T* end() const { return m_data + m_size; }
    constexpr Span slice(usize start, usize count) const
    {
        VERIFY(start <= m_size && count <= m_size - start);
        return { m_data + start, count };
    }
    constexpr Span slice(usize start) const { return slice(start, m_size - start); }

private:
    T* m_data { nullptr };
    usize m_size { 0 };
};

using Bytes = Span<u8>;
using ReadonlyBytes = Span<u8 const>;

}

using klib::Bytes;
using klib::ReadonlyBytes;
using klib::Span;
