// StringView: a non-owning (pointer, length) view of characters, not necessarily
// NUL-terminated. Comparison, prefix/suffix tests, splitting helpers and integer parsing.
#pragma once

#include "CString.h"
#include "Types.h"

namespace klib {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(char const* chars, usize length)
        : m_chars(chars)
        , m_length(length)
    {
    }
    StringView(char const* cstring)
        : m_chars(cstring)
        , m_length(cstring ? strlen(cstring) : 0)
    {
    }

    constexpr char const* chars() const { return m_chars; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    constexpr char operator[](usize i) const { return m_chars[i]; }
    constexpr char const* begin() const { return m_chars; }
    constexpr char const* end() const { return m_chars + m_length; }

    bool operator==(StringView other) const
    {
        return m_length == other.m_length && (m_length == 0 || memcmp(m_chars, other.m_chars, m_length) == 0);
    }
    bool starts_with(StringView prefix) const
    {
        return prefix.m_length <= m_length && memcmp(m_chars, prefix.m_chars, prefix.m_length) == 0;
    }
    bool ends_with(StringView suffix) const
    {
        return suffix.m_length <= m_length && memcmp(m_chars + m_length - suffix.m_length, suffix.m_chars, suffix.m_length) == 0;
    }
    constexpr StringView substring(usize start, usize count) const
    {
        if (start > m_length)
            start = m_length;
        if (count > m_length - start)
            count = m_length - start;
        return { m_chars + start, count };
    }
    constexpr StringView substring(usize start) const { return substring(start, m_length); }
    // Index of the first occurrence of c, or -1.
    isize find(char c, usize from = 0) const
    {
        for (usize i = from; i < m_length; ++i)
            if (m_chars[i] == c)
                return static_cast<isize>(i);
        return -1;
    }
    isize find_last(char c) const
    {
        for (usize i = m_length; i > 0; --i)
            if (m_chars[i - 1] == c)
                return static_cast<isize>(i - 1);
        return -1;
    }
    StringView trim_whitespace() const
    {
        usize b = 0, e = m_length;
        while (b < e && is_space(m_chars[b]))
            ++b;
        while (e > b && is_space(m_chars[e - 1]))
            --e;
        return { m_chars + b, e - b };
    }
    // Parses a decimal (or 0x-prefixed hex when allow_hex) unsigned integer filling the
    // whole view. Returns false on empty input, junk or overflow.
    bool to_u64(u64& out, bool allow_hex = true) const
    {
        usize i = 0;
        unsigned base = 10;
        if (allow_hex && m_length > 2 && m_chars[0] == '0' && (m_chars[1] == 'x' || m_chars[1] == 'X')) {
            base = 16;
            i = 2;
        }
        if (i >= m_length)
            return false;
        u64 value = 0;
        for (; i < m_length; ++i) {
            int digit = digit_value(m_chars[i]);
            if (digit < 0 || static_cast<unsigned>(digit) >= base)
                return false;
            if (!checked_mul<u64>(value, base, value) || !checked_add<u64>(value, static_cast<u64>(digit), value))
                return false;
        }
        out = value;
        return true;
    }
    bool to_i64(i64& out) const
    {
        if (m_length == 0)
            return false;
        bool negative = m_chars[0] == '-';
        u64 magnitude;
        if (!substring(negative || m_chars[0] == '+' ? 1 : 0).to_u64(magnitude))
            return false;
        if (negative) {
            if (magnitude > static_cast<u64>(INT64_MAX) + 1)
                return false;
            out = static_cast<i64>(0 - magnitude);
        } else {
            if (magnitude > static_cast<u64>(INT64_MAX))
                return false;
            out = static_cast<i64>(magnitude);
        }
        return true;
    }

    static constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
    static constexpr int digit_value(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

private:
    char const* m_chars { nullptr };
    usize m_length { 0 };
};

}

using klib::StringView;
