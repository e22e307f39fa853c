// Implementation of klib::vformat (see Format.h). Shared by the kernel and host builds.
#include "Format.h"

namespace klib {

namespace {

struct Output {
    FormatSink sink;
    void* context;
    usize total { 0 };
    char chunk[64];
    usize used { 0 };

    void put(char c)
    {
        chunk[used++] = c;
        ++total;
        if (used == sizeof(chunk))
            flush();
    }
    void flush()
    {
        if (used)
            sink(context, chunk, used);
        used = 0;
    }
    void repeat(char c, int count)
    {
        for (int i = 0; i < count; ++i)
            put(c);
    }
};

struct Spec {
    bool left = false, zero = false, plus = false, space = false, alt = false;
    int width = 0;
    int precision = -1;
};

void emit_number(Output& out, u64 magnitude, bool negative, unsigned base, bool upper, Spec const& spec)
{
    char digits[32];
    int n = 0;
    char const* table = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (magnitude == 0 && spec.precision != 0)
        digits[n++] = '0';
    while (magnitude) {
        digits[n++] = table[magnitude % base];
        magnitude /= base;
    }
    int precision_zeros = spec.precision > n ? spec.precision - n : 0;
    char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : 0;
    char const* prefix = (spec.alt && base == 16 && n) ? (upper ? "0X" : "0x") : "";
    int prefix_len = prefix[0] ? 2 : 0;
    int body = n + precision_zeros + (sign ? 1 : 0) + prefix_len;
    int pad = spec.width > body ? spec.width - body : 0;
    bool zero_pad = spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad)
        out.repeat(' ', pad);
    if (sign)
        out.put(sign);
    for (int i = 0; i < prefix_len; ++i)
        out.put(prefix[i]);
    if (zero_pad)
        out.repeat('0', pad);
    out.repeat('0', precision_zeros);
    while (n)
        out.put(digits[--n]);
    if (spec.left)
        out.repeat(' ', pad);
}

}

int vformat_to_sink(FormatSink sink, void* context, char const* fmt, va_list args)
{
    Output out { sink, context };
    for (char const* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        Spec spec;
        for (;; ++p) {
            if (*p == '-')
                spec.left = true;
            else if (*p == '0')
                spec.zero = true;
            else if (*p == '+')
                spec.plus = true;
            else if (*p == ' ')
                spec.space = true;
            else if (*p == '#')
                spec.alt = true;
            else
                break;
        }
        if (*p == '*') {
            spec.width = va_arg(args, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            ++p;
        } else {
            while (*p >= '0' && *p <= '9')
                spec.width = spec.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(args, int);
                ++p;
            } else {
                while (*p >= '0' && *p <= '9')
                    spec.precision = spec.precision * 10 + (*p++ - '0');
            }
        }
        int length = 0; // 0 int, 1 long, 2 long long, -1 short, -2 char
        for (;; ++p) {
            if (*p == 'l')
                ++length;
            else if (*p == 'h')
                --length;
            else if (*p == 'z' || *p == 't' || *p == 'j')
                length = 2;
            else
                break;
        }
        auto fetch_signed = [&]() -> i64 {
            if (length >= 1)
                return length == 1 ? va_arg(args, long) : va_arg(args, long long);
            int v = va_arg(args, int);
            if (length == -1)
                return static_cast<short>(v);
            if (length <= -2)
                return static_cast<signed char>(v);
            return v;
        };
        auto fetch_unsigned = [&]() -> u64 {
            if (length >= 1)
                return length == 1 ? va_arg(args, unsigned long) : va_arg(args, unsigned long long);
            unsigned v = va_arg(args, unsigned);
            if (length == -1)
                return static_cast<unsigned short>(v);
            if (length <= -2)
                return static_cast<unsigned char>(v);
            return v;
        };
        switch (*p) {
        case 'd':
        case 'i': {
            i64 v = fetch_signed();
            u64 magnitude = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
            emit_number(out, magnitude, v < 0, 10, false, spec);
            break;
        }
        case 'u':
            emit_number(out, fetch_unsigned(), false, 10, false, spec);
            break;
        case 'x':
            emit_number(out, fetch_unsigned(), false, 16, false, spec);
            break;
        case 'X':
            emit_number(out, fetch_unsigned(), false, 16, true, spec);
            break;
        case 'o':
            emit_number(out, fetch_unsigned(), false, 8, false, spec);
            break;
        case 'p': {
            spec.alt = true;
            emit_number(out, reinterpret_cast<uptr>(va_arg(args, void*)), false, 16, false, spec);
            break;
        }
        case 'c': {
            int pad = spec.width > 1 ? spec.width - 1 : 0;
            if (!spec.left)
                out.repeat(' ', pad);
            out.put(static_cast<char>(va_arg(args, int)));
            if (spec.left)
                out.repeat(' ', pad);
            break;
        }
        case 's': {
            char const* s = va_arg(args, char const*);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (spec.precision < 0 || n < spec.precision))
                ++n;
            int pad = spec.width > n ? spec.width - n : 0;
            if (!spec.left)
                out.repeat(' ', pad);
            for (int i = 0; i < n; ++i)
                out.put(s[i]);
            if (spec.left)
                out.repeat(' ', pad);
            break;
        }
        case '%':
            out.put('%');
            break;
        case '\0':
            --p;
            break;
        default:
            out.put('%');
            out.put(*p);
            break;
        }
    }
    out.flush();
    return static_cast<int>(out.total);
}

namespace {
struct BufferSink {
    char* buffer;
    usize size;
    usize written;
};
void buffer_sink(void* context, char const* chars, usize length)
{
    auto* sink = static_cast<BufferSink*>(context);
    for (usize i = 0; i < length; ++i) {
        if (sink->written + 1 < sink->size)
            sink->buffer[sink->written++] = chars[i];
    }
}
}

int vformat(char* buffer, usize size, char const* fmt, va_list args)
{
    BufferSink sink { buffer, size, 0 };
    int total = vformat_to_sink(buffer_sink, &sink, fmt, args);
    if (size > 0)
        buffer[sink.written] = '\0';
    return total;
}

int format(char* buffer, usize size, char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vformat(buffer, size, fmt, args);
    va_end(args);
    return n;
}

}
