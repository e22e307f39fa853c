// The dynamic event command parsing shared by kprobe_events and uprobe_events: words,
// kstrtoul numbers, event names, "[GRP/][EVENT]" and the "-:[GRP/][EVENT]" removal.
#include "trace/DynamicEventParser.h"
#include <catch2/catch.hpp>

namespace {

int removal_error(char const* head, char const* rest = "")
{
    auto result = trace::parse_removal_command(head, rest);
    return result.is_error() ? result.error().code() : 0;
}

}

TEST_CASE("dynamic events: words and numbers", "[trace][dynamic-events]")
{
    StringView rest = " \tp:ev\tvfs_read  ";
    CHECK(trace::next_command_word(rest) == "p:ev");
    CHECK(trace::next_command_word(rest) == "vfs_read");
    CHECK(trace::next_command_word(rest).is_empty());

    u64 value = 0;
    CHECK(trace::parse_command_number("42", value));
    CHECK(value == 42);
    CHECK(trace::parse_command_number("0x1F", value));
    CHECK(value == 0x1f);
    CHECK(trace::parse_command_number("010", value));
    CHECK(value == 8);
    CHECK(trace::parse_command_number("0", value));
    CHECK(value == 0);
    CHECK(trace::parse_command_number("18446744073709551615", value));
    CHECK(value == ~0ULL);
    CHECK(!trace::parse_command_number("18446744073709551616", value)); // overflow
    CHECK(!trace::parse_command_number("", value));
    CHECK(!trace::parse_command_number("0x", value));
    CHECK(!trace::parse_command_number("08", value));
    CHECK(!trace::parse_command_number("12z", value));
    CHECK(!trace::parse_command_number("-1", value));
}

TEST_CASE("dynamic events: names", "[trace][dynamic-events]")
{
    CHECK(trace::is_valid_event_name("_ev1"));
    CHECK(trace::is_valid_event_name("a23456789012345678901234567890123456789012345678901234567890123"));
    CHECK(!trace::is_valid_event_name("a234567890123456789012345678901234567890123456789012345678901234"));
    CHECK(!trace::is_valid_event_name(""));
    CHECK(!trace::is_valid_event_name("1ev"));
    CHECK(!trace::is_valid_event_name("e.v"));

    auto both = trace::parse_group_and_event("grp/ev");
    REQUIRE(!both.is_error());
    CHECK(both.value().group.view() == "grp");
    CHECK(both.value().event.view() == "ev");
    auto event_only = trace::parse_group_and_event("ev");
    REQUIRE(!event_only.is_error());
    CHECK(event_only.value().group.is_empty());
    CHECK(event_only.value().event.view() == "ev");
    auto group_only = trace::parse_group_and_event("grp/");
    REQUIRE(!group_only.is_error());
    CHECK(group_only.value().group.view() == "grp");
    CHECK(group_only.value().event.is_empty());
    CHECK(trace::parse_group_and_event("/ev").is_error());
    CHECK(trace::parse_group_and_event("g-p/ev").is_error());
    CHECK(trace::parse_group_and_event("grp/e:v").is_error());
}

TEST_CASE("dynamic events: removal commands", "[trace][dynamic-events]")
{
    auto removal = trace::parse_removal_command("-:grp/ev", "");
    REQUIRE(!removal.is_error());
    CHECK(removal.value().group.view() == "grp");
    CHECK(removal.value().event.view() == "ev");
    CHECK(removal_error("-:ev") == 0);
    CHECK(removal_error("-:grp/") == 0); // the caller decides whether a whole group goes
    CHECK(removal_error("-:ev", "  ") == 0);
    CHECK(removal_error("-") == EINVAL);
    CHECK(removal_error("-:") == EINVAL);
    CHECK(removal_error("-:/") == EINVAL);
    CHECK(removal_error("-x:ev") == EINVAL);
    CHECK(removal_error("-:ev", " vfs_read") == EINVAL);
    CHECK(removal_error("-:1ev") == EINVAL);
}
