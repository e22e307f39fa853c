// Error and ErrorOr<T>: the only error vocabulary of the project. An Error carries a Linux
// errno value (positive, e.g. EINVAL); the syscall layer turns it into -errno in one place.
// TRY(expr) unwraps an ErrorOr or returns its error from the enclosing function; MUST(expr)
// asserts success (for our own invariants only, never for user input).
#pragma once

#include "Assert.h"
#include "Errno.h"
#include "Types.h"
#include <new>

namespace klib {

class Error {
public:
    constexpr explicit Error(int errno_code)
        : m_code(errno_code)
    {
    }
    static constexpr Error from_errno(int errno_code) { return Error(errno_code); }
    constexpr int code() const { return m_code; }
    constexpr bool operator==(Error const&) const = default;

private:
    int m_code;
};

template<typename T>
class [[nodiscard]] ErrorOr {
public:
    ErrorOr(T const& value) requires std::is_copy_constructible_v<T>
        : m_is_error(false)
    {
        new (&m_value) T(value);
    }
    ErrorOr(T&& value)
        : m_is_error(false)
    {
        new (&m_value) T(move(value));
    }
    template<typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> && !std::is_same_v<std::remove_cvref_t<U>, Error> && !std::is_same_v<std::remove_cvref_t<U>, ErrorOr<T>>)
    ErrorOr(U&& value)
        : m_is_error(false)
    {
        new (&m_value) T(forward<U>(value));
    }
    ErrorOr(Error error)
        : m_is_error(true)
    {
        new (&m_error) Error(error);
    }
    ErrorOr(ErrorOr&& other)
        : m_is_error(other.m_is_error)
    {
        if (m_is_error)
            new (&m_error) Error(other.m_error);
        else
            new (&m_value) T(move(other.m_value));
    }
    ErrorOr(ErrorOr const&) = delete;
    ErrorOr& operator=(ErrorOr const&) = delete;
    ErrorOr& operator=(ErrorOr&& other)
    {
        if (this != &other) {
            this->~ErrorOr();
            new (this) ErrorOr(move(other));
        }
        return *this;
    }
    ~ErrorOr()
    {
        if (!m_is_error)
            m_value.~T();
    }

    bool is_error() const { return m_is_error; }
    Error error() const
    {
        VERIFY(m_is_error);
        return m_error;
    }
    Error release_error() { return error(); }
    T& value()
    {
        VERIFY(!m_is_error);
        return m_value;
    }
    T const& value() const
    {
        VERIFY(!m_is_error);
        return m_value;
    }
    T release_value() { return move(value()); }

private:
    union {
        T m_value;
        Error m_error;
    };
    bool m_is_error;
};

template<>
class [[nodiscard]] ErrorOr<void> {
public:
    ErrorOr()
        : m_error(0)
    {
    }
    ErrorOr(Error error)
        : m_error(error)
    {
    }
    bool is_error() const { return m_error.code() != 0; }
    Error error() const
    {
        VERIFY(is_error());
        return m_error;
    }
    Error release_error() { return error(); }
    void value() const { VERIFY(!is_error()); }
    void release_value() const { value(); }

private:
    Error m_error;
};

}

using klib::Error;
using klib::ErrorOr;

#define TRY(expression)                                   \
    ({                                                    \
        auto&& _try_result = (expression);                \
        if (_try_result.is_error()) [[unlikely]]          \
            return _try_result.release_error();           \
        _try_result.release_value();                      \
    })

#define MUST(expression)                                  \
    ({                                                    \
        auto&& _must_result = (expression);               \
        VERIFY(!_must_result.is_error());                 \
        _must_result.release_value();                     \
    })
