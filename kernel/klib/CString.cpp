// Freestanding implementations of the C memory/string primitives for the kernel build.
// The compiler may emit calls to memcpy/memset/memmove/memcmp itself, so they must exist.
#include "CString.h"

extern "C" {

void* memcpy(void* dest, void const* src, usize n)
{
    void* ret = dest;
    asm volatile("rep movsb" : "+D"(dest), "+S"(src), "+c"(n) : : "memory");
    return ret;
}

void* memmove(void* dest, void const* src, usize n)
{
    auto* d = static_cast<u8*>(dest);
    auto const* s = static_cast<u8 const*>(src);
    if (d == s || n == 0)
        return dest;
    if (d < s || d >= s + n)
        return memcpy(dest, src, n);
    for (usize i = n; i > 0; --i)
        d[i - 1] = s[i - 1];
    return dest;
}

void* memset(void* dest, int c, usize n)
{
    void* ret = dest;
    asm volatile("rep stosb" : "+D"(dest), "+c"(n) : "a"(c) : "memory");
    return ret;
}

int memcmp(void const* a, void const* b, usize n)
{
    auto const* x = static_cast<u8 const*>(a);
    auto const* y = static_cast<u8 const*>(b);
    for (usize i = 0; i < n; ++i) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

usize strlen(char const* s)
{
    usize n = 0;
    while (s[n])
        ++n;
    return n;
}

usize strnlen(char const* s, usize max)
{
    usize n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

int strcmp(char const* a, char const* b)
{
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return static_cast<u8>(*a) - static_cast<u8>(*b);
}

int strncmp(char const* a, char const* b, usize n)
{
    for (usize i = 0; i < n; ++i) {
        if (a[i] != b[i] || !a[i])
            return static_cast<u8>(a[i]) - static_cast<u8>(b[i]);
    }
    return 0;
}

char* strchr(char const* s, int c)
{
    for (;; ++s) {
        if (*s == static_cast<char>(c))
            return const_cast<char*>(s);
        if (!*s)
            return nullptr;
    }
}
}
