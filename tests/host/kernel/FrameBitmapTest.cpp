// mm/FrameBitmap: first-fit allocation of single frames and contiguous runs.
#include "mm/FrameBitmap.h"
#include <catch2/catch.hpp>
#include <set>
#include <vector>

TEST_CASE("FrameBitmap allocates each free frame once and recycles freed ones", "[mm]")
{
    std::vector<u64> words(4, ~0ULL);
    FrameBitmap bitmap(words.data(), 256);
    bitmap.mark_free(10, 100);
    CHECK(bitmap.free_count() == 100);
    std::set<u64> seen;
    for (int i = 0; i < 100; ++i) {
        auto frame = bitmap.allocate(1);
        REQUIRE(frame.has_value);
        CHECK(frame.value >= 10);
        CHECK(frame.value < 110);
        CHECK(seen.insert(frame.value).second);
    }
    CHECK_FALSE(bitmap.allocate(1).has_value);
    bitmap.release(42, 1);
    auto again = bitmap.allocate(1);
    REQUIRE(again.has_value);
    CHECK(again.value == 42);
}

TEST_CASE("FrameBitmap finds contiguous runs across word boundaries", "[mm]")
{
    std::vector<u64> words(4, ~0ULL);
    FrameBitmap bitmap(words.data(), 256);
    bitmap.mark_free(0, 256);
    auto a = bitmap.allocate(60);
    auto b = bitmap.allocate(10);
    REQUIRE(a.has_value);
    REQUIRE(b.has_value);
    CHECK(b.value >= a.value + 60);
    bitmap.release(a.value + 20, 5); // a hole too small for 10
    auto c = bitmap.allocate(10);
    REQUIRE(c.has_value);
    CHECK((c.value + 10 <= a.value + 20 || c.value >= a.value + 25));
    auto d = bitmap.allocate(5);
    REQUIRE(d.has_value);
    CHECK(bitmap.allocate(1000).has_value == false);
    u64 before = bitmap.free_count();
    bitmap.release(b.value, 10);
    CHECK(bitmap.free_count() == before + 10);
}
