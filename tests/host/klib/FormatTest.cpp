// klib::format against the C library's snprintf for the supported conversions.
#include "klib/Format.h"
#include "klib/String.h"
#include <catch2/catch.hpp>
#include <stdio.h>
#include <string>

#define SAME(...)                                             \
    do {                                                      \
        char ours[256], theirs[256];                          \
        int a = klib::format(ours, sizeof ours, __VA_ARGS__); \
        int b = snprintf(theirs, sizeof theirs, __VA_ARGS__); \
        CHECK(std::string(ours) == std::string(theirs));      \
        CHECK(a == b);                                        \
    } while (0)

TEST_CASE("format matches snprintf", "[klib]")
{
    SAME("%d %i %u", -42, 17, 3000000000u);
    SAME("%x %X %#x %08x %-6x|", 0xbeefu, 0xbeefu, 255u, 0x1234u, 0xabu);
    SAME("%lld %llu %llx", -9223372036854775807LL - 1, 18446744073709551615ULL, 0xdeadbeefcafeULL);
    SAME("%ld %lu %zu %zx", -5L, 5UL, static_cast<size_t>(123), static_cast<size_t>(0xfff));
    SAME("[%5s] [%-5s] [%.2s] [%c]", "ab", "ab", "abcdef", 'z');
    SAME("%+d % d %05d %.3d", 5, 5, -42, 7);
    SAME("%hhu %hd", 300, 70000);
    SAME("100%%");
    SAME("%*d|%-*d|%.*s", 5, 42, 4, 7, 3, "abcdef");
    SAME("%p", reinterpret_cast<void*>(0x1000));
    SAME("%o", 8u);
}

TEST_CASE("format truncates but reports the full length", "[klib]")
{
    char small[5];
    CHECK(klib::format(small, sizeof small, "%s", "hello world") == 11);
    CHECK(std::string(small) == "hell");
}

TEST_CASE("StringBuilder appendf grows past its stack buffer", "[klib]")
{
    StringBuilder sb;
    std::string expected;
    for (int i = 0; i < 50; ++i) {
        REQUIRE_FALSE(sb.try_appendf("line %d: %s\n", i, "0123456789abcdefghijklmnopqrstuvwxyz0123456789").is_error());
        char line[128];
        snprintf(line, sizeof line, "line %d: %s\n", i, "0123456789abcdefghijklmnopqrstuvwxyz0123456789");
        expected += line;
    }
    CHECK(std::string(sb.view().chars(), sb.view().length()) == expected);
}
