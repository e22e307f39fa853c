// The shared parts of the dynamic event command parsers (see DynamicEventParser.h).
#include "trace/DynamicEventParser.h"

namespace trace {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

}

bool is_valid_event_name(StringView name)
{
    if (name.is_empty() || name.length() > max_event_name_length || !is_alpha(name[0]))
        return false;
    for (usize i = 1; i < name.length(); ++i)
        if (!is_alpha(name[i]) && !is_digit(name[i]))
            return false;
    return true;
}

StringView next_command_word(StringView& rest)
{
    usize i = 0;
    while (i < rest.length() && is_space(rest[i]))
        ++i;
    usize start = i;
    while (i < rest.length() && !is_space(rest[i]))
        ++i;
    StringView word = rest.substring(start, i - start);
    rest = rest.substring(i);
    return word;
}

bool parse_command_number(StringView text, u64& value)
{
    if (text.is_empty())
        return false;
    u32 base = 10;
    usize i = 0;
    if (text.length() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (text.length() > 1 && text[0] == '0') {
        base = 8;
        i = 1;
    }
    value = 0;
    for (; i < text.length(); ++i) {
        char c = text[i];
        u32 digit;
        if (is_digit(c))
            digit = static_cast<u32>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<u32>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<u32>(c - 'A' + 10);
        else
            return false;
        if (digit >= base || value > (~0ULL - digit) / base)
            return false;
        value = value * base + digit;
    }
    return true;
}

ErrorOr<DynamicEventName> parse_group_and_event(StringView spec)
{
    isize slash = spec.find('/');
    StringView group = slash >= 0 ? spec.substring(0, static_cast<usize>(slash)) : StringView();
    StringView event = slash >= 0 ? spec.substring(static_cast<usize>(slash) + 1) : spec;
    if (slash >= 0 && !is_valid_event_name(group))
        return Error(EINVAL);
    if (!event.is_empty() && !is_valid_event_name(event))
        return Error(EINVAL);
    DynamicEventName name;
    name.group = TRY(String::try_create(group));
    name.event = TRY(String::try_create(event));
    return name;
}

ErrorOr<DynamicEventName> parse_removal_command(StringView head, StringView rest)
{
    if (head.length() < 3 || head[0] != '-' || head[1] != ':' || !next_command_word(rest).is_empty())
        return Error(EINVAL);
    auto name = TRY(parse_group_and_event(head.substring(2)));
    if (name.group.is_empty() && name.event.is_empty())
        return Error(EINVAL);
    return name;
}

}
