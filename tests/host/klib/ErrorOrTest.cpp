// ErrorOr/TRY/MUST semantics.
#include "klib/Error.h"
#include "klib/OwnPtr.h"
#include <catch2/catch.hpp>

static ErrorOr<int> parse_positive(int v)
{
    if (v < 0)
        return Error(EINVAL);
    return v;
}

static ErrorOr<int> doubled(int v)
{
    int x = TRY(parse_positive(v));
    return x * 2;
}

static ErrorOr<void> check(int v)
{
    TRY(parse_positive(v));
    return {};
}

TEST_CASE("ErrorOr carries values and errno codes", "[klib]")
{
    auto ok = doubled(21);
    REQUIRE_FALSE(ok.is_error());
    CHECK(ok.value() == 42);
    auto bad = doubled(-1);
    REQUIRE(bad.is_error());
    CHECK(bad.error().code() == EINVAL);
    CHECK_FALSE(check(1).is_error());
    CHECK(check(-5).error().code() == EINVAL);
}

TEST_CASE("ErrorOr holds move-only values", "[klib]")
{
    auto made = try_make<int>(7);
    REQUIRE_FALSE(made.is_error());
    OwnPtr<int> owned = made.release_value();
    CHECK(*owned == 7);
}
