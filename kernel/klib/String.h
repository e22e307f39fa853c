// String: an owned, immutable, NUL-terminated character string (heap allocated), and
// StringBuilder: a growable buffer for composing text (pseudo-files, logs). Both report
// allocation failure as ENOMEM.
#pragma once

#include "Error.h"
#include "Format.h"
#include "StringView.h"
#include "Vector.h"

namespace klib {

class String {
public:
    String() = default;
    String(String&& other)
        : m_chars(exchange(other.m_chars, nullptr))
        , m_length(exchange(other.m_length, 0))
    {
    }
    String& operator=(String&& other)
    {
        if (this != &other) {
            delete[] m_chars;
            m_chars = exchange(other.m_chars, nullptr);
            m_length = exchange(other.m_length, 0);
        }
        return *this;
    }
    String(String const&) = delete;
    String& operator=(String const&) = delete;
    ~String() { delete[] m_chars; }

    static ErrorOr<String> try_create(StringView view)
    {
        String s;
        s.m_chars = new (std::nothrow) char[view.length() + 1];
        if (!s.m_chars)
            return Error(ENOMEM);
        if (view.length())
            memcpy(s.m_chars, view.chars(), view.length());
        s.m_chars[view.length()] = '\0';
        s.m_length = view.length();
        return s;
    }
    ErrorOr<String> try_clone() const { return try_create(view()); }

    StringView view() const { return { m_chars ? m_chars : "", m_length }; }
    char const* c_str() const { return m_chars ? m_chars : ""; }
    usize length() const { return m_length; }
    bool is_empty() const { return m_length == 0; }
    bool operator==(StringView other) const { return view() == other; }
    bool operator==(String const& other) const { return view() == other.view(); }

private:
    char* m_chars { nullptr };
    usize m_length { 0 };
};

class StringBuilder {
public:
    ErrorOr<void> try_append(StringView view) { return m_buffer.try_append(view.chars(), view.length()); }
    ErrorOr<void> try_append(char c) { return m_buffer.try_append(c); }
    ErrorOr<void> try_appendf(char const* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        va_list args;
        va_start(args, fmt);
        char small[128];
        va_list copy;
        va_copy(copy, args);
        int needed = vformat(small, sizeof(small), fmt, copy);
        va_end(copy);
        ErrorOr<void> result;
        if (needed < static_cast<int>(sizeof(small))) {
            result = m_buffer.try_append(small, static_cast<usize>(needed));
        } else {
            usize old = m_buffer.size();
            result = m_buffer.try_resize(old + static_cast<usize>(needed) + 1);
            if (!result.is_error()) {
                vformat(m_buffer.data() + old, static_cast<usize>(needed) + 1, fmt, args);
                MUST(m_buffer.try_resize(old + static_cast<usize>(needed)));
            }
        }
        va_end(args);
        return result;
    }
    StringView view() const { return { m_buffer.data(), m_buffer.size() }; }
    usize length() const { return m_buffer.size(); }
    ErrorOr<String> try_to_string() const { return String::try_create(view()); }
    Vector<char>& buffer() { return m_buffer; }
    void clear() { m_buffer.clear(); }

private:
    Vector<char> m_buffer;
};

}

using klib::String;
using klib::StringBuilder;
