// Vector<T>: a growable array. Growth is fallible: try_append/try_resize return ErrorOr and
// never panic, so kernel paths can report ENOMEM. append() is the MUST form for code whose
// failure would be a bug (boot-time tables, tests).
#pragma once

#include "Error.h"
#include "Span.h"
#include <initializer_list>

namespace klib {

template<typename T>
class Vector {
public:
    Vector() = default;
    Vector(std::initializer_list<T> items)
    {
        for (auto const& item : items)
            append(item);
    }
    Vector(Vector&& other)
        : m_data(exchange(other.m_data, nullptr))
        , m_size(exchange(other.m_size, 0))
        , m_capacity(exchange(other.m_capacity, 0))
    {
    }
    Vector(Vector const& other) = delete;
    Vector& operator=(Vector&& other)
    {
        if (this != &other) {
            clear_and_free();
            m_data = exchange(other.m_data, nullptr);
            m_size = exchange(other.m_size, 0);
            m_capacity = exchange(other.m_capacity, 0);
        }
        return *this;
    }
    Vector& operator=(Vector const&) = delete;
    ~Vector() { clear_and_free(); }

    ErrorOr<Vector> try_clone() const
    {
        Vector copy;
        TRY(copy.try_ensure_capacity(m_size));
        for (usize i = 0; i < m_size; ++i)
            new (&copy.m_data[i]) T(m_data[i]);
        copy.m_size = m_size;
        return copy;
    }

    usize size() const { return m_size; }
    usize capacity() const { return m_capacity; }
    bool is_empty() const { return m_size == 0; }
    T* data() { return m_data; }
    T const* data() const { return m_data; }
    T& operator[](usize i)
    {
        VERIFY(i < m_size);
        return m_data[i];
    }
    T const& operator[](usize i) const
    {
        VERIFY(i < m_size);
        return m_data[i];
    }
    T& first() { return (*this)[0]; }
    T& last() { return (*this)[m_size - 1]; }
    T const& last() const { return (*this)[m_size - 1]; }
    T* begin() { return m_data; }
    T* end() { return m_data + m_size; }
    T const* begin() const { return m_data; }
    T const* end() const { return m_data + m_size; }
    Span<T> span() { return { m_data, m_size }; }
    Span<T const> span() const { return { m_data, m_size }; }

    ErrorOr<void> try_ensure_capacity(usize wanted)
    {
        if (wanted <= m_capacity)
            return {};
        usize new_capacity = max<usize>(wanted, max<usize>(4, m_capacity * 2));
        usize bytes;
        if (!checked_mul<usize>(new_capacity, sizeof(T), bytes))
            return Error(ENOMEM);
        auto* new_data = static_cast<T*>(::operator new(bytes, std::nothrow));
        if (!new_data)
            return Error(ENOMEM);
        for (usize i = 0; i < m_size; ++i) {
            new (&new_data[i]) T(move(m_data[i]));
            m_data[i].~T();
        }
        ::operator delete(m_data);
        m_data = new_data;
        m_capacity = new_capacity;
        return {};
    }

    template<typename U = T>
    ErrorOr<void> try_append(U&& value)
    {
        if (m_size == m_capacity)
            TRY(try_ensure_capacity(m_size + 1));
        new (&m_data[m_size]) T(forward<U>(value));
        ++m_size;
        return {};
    }
    template<typename U = T>
    void append(U&& value) { MUST(try_append(forward<U>(value))); }

    ErrorOr<void> try_append(T const* values, usize count)
    {
        TRY(try_ensure_capacity(m_size + count));
        for (usize i = 0; i < count; ++i)
            new (&m_data[m_size + i]) T(values[i]);
        m_size += count;
        return {};
    }

    // Grows with value-initialised elements or shrinks.
    ErrorOr<void> try_resize(usize new_size)
    {
        if (new_size > m_size) {
            TRY(try_ensure_capacity(new_size));
            for (usize i = m_size; i < new_size; ++i)
                new (&m_data[i]) T();
        } else {
            for (usize i = new_size; i < m_size; ++i)
                m_data[i].~T();
        }
        m_size = new_size;
        return {};
    }

    ErrorOr<void> try_insert(usize index, T&& value)
    {
        VERIFY(index <= m_size);
        TRY(try_append(move(value)));
        for (usize i = m_size - 1; i > index; --i)
            swap(m_data[i], m_data[i - 1]);
        return {};
    }

    void remove(usize index)
    {
        VERIFY(index < m_size);
        for (usize i = index; i + 1 < m_size; ++i)
            m_data[i] = move(m_data[i + 1]);
        m_data[--m_size].~T();
    }
    T take_last()
    {
        VERIFY(m_size > 0);
        T value = move(m_data[m_size - 1]);
        m_data[--m_size].~T();
        return value;
    }
    template<typename Predicate>
    usize remove_all_matching(Predicate predicate)
    {
        usize kept = 0;
        for (usize i = 0; i < m_size; ++i) {
            if (!predicate(m_data[i])) {
                if (kept != i)
                    m_data[kept] = move(m_data[i]);
                ++kept;
            }
        }
        usize removed = m_size - kept;
        for (usize i = kept; i < m_size; ++i)
            m_data[i].~T();
        m_size = kept;
        return removed;
    }
    void clear()
    {
        for (usize i = 0; i < m_size; ++i)
            m_data[i].~T();
        m_size = 0;
    }
    void clear_and_free()
    {
        clear();
        ::operator delete(m_data);
        m_data = nullptr;
        m_capacity = 0;
    }

private:
    T* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
};

}

using klib::Vector;
