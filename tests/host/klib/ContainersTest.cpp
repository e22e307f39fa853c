// Vector, HashMap, String, StringView, RefPtr behaviour.
#include "klib/HashMap.h"
#include "klib/RefPtr.h"
#include "klib/String.h"
#include "klib/Vector.h"
#include <catch2/catch.hpp>

TEST_CASE("Vector grows, removes and clones", "[klib]")
{
    Vector<int> v;
    for (int i = 0; i < 100; ++i)
        REQUIRE_FALSE(v.try_append(i).is_error());
    CHECK(v.size() == 100);
    v.remove(0);
    CHECK(v[0] == 1);
    CHECK(v.take_last() == 99);
    CHECK(v.remove_all_matching([](int x) { return x % 2 == 0; }) == 49);
    CHECK(v.size() == 49);
    auto copy = MUST(v.try_clone());
    CHECK(copy.size() == v.size());
    CHECK(copy[10] == v[10]);
}

TEST_CASE("HashMap inserts, replaces and removes with backward shift", "[klib]")
{
    HashMap<u64, int> map;
    for (u64 i = 0; i < 1000; ++i)
        REQUIRE_FALSE(map.try_set(i * 7, static_cast<int>(i)).is_error());
    CHECK(map.size() == 1000);
    for (u64 i = 0; i < 1000; i += 2)
        CHECK(map.remove(i * 7));
    CHECK(map.size() == 500);
    for (u64 i = 0; i < 1000; ++i) {
        auto* value = map.get(i * 7);
        if (i % 2)
            REQUIRE((value && *value == static_cast<int>(i)));
        else
            CHECK(value == nullptr);
    }
    REQUIRE_FALSE(map.try_set(7, 70).is_error());
    CHECK(*map.get(7) == 70);
}

TEST_CASE("HashMap with String keys", "[klib]")
{
    HashMap<String, int> map;
    REQUIRE_FALSE(map.try_set(MUST(String::try_create("alpha")), 1).is_error());
    REQUIRE_FALSE(map.try_set(MUST(String::try_create("beta")), 2).is_error());
    CHECK(*map.get(MUST(String::try_create("beta"))) == 2);
    CHECK(map.get(MUST(String::try_create("gamma"))) == nullptr);
}

TEST_CASE("StringView parsing and slicing", "[klib]")
{
    StringView s("  kprobe/do_sys_openat2  ");
    auto t = s.trim_whitespace();
    CHECK(t == StringView("kprobe/do_sys_openat2"));
    CHECK(t.starts_with("kprobe/"));
    CHECK(t.find('/') == 6);
    CHECK(t.substring(7) == StringView("do_sys_openat2"));
    u64 v;
    CHECK(StringView("0x1f").to_u64(v));
    CHECK(v == 31);
    CHECK_FALSE(StringView("18446744073709551616").to_u64(v));
    i64 n;
    CHECK(StringView("-9223372036854775808").to_i64(n));
    CHECK(n == INT64_MIN);
}

namespace {
struct Counted : RefCounted {
    explicit Counted(int* d)
        : destroyed(d)
    {
    }
    ~Counted() override { ++*destroyed; }
    int* destroyed;
};
}

TEST_CASE("RefPtr counts references and deletes once", "[klib]")
{
    int destroyed = 0;
    {
        RefPtr<Counted> a = MUST(try_make_ref_counted<Counted>(&destroyed));
        {
            RefPtr<Counted> b = a;
            CHECK(a->ref_count() == 2);
        }
        CHECK(a->ref_count() == 1);
    }
    CHECK(destroyed == 1);
}
