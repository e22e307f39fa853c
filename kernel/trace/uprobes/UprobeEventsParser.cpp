// uprobe_events command parser (see UprobeEventsParser.h).
#include "trace/uprobes/UprobeEventsParser.h"
#include "trace/kprobes/KprobeEventsParser.h"

namespace uprobes {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

StringView next_word(StringView& rest)
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

// kstrtoul(…, 0) over the whole text.
bool parse_number(StringView text, u64& value)
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
        if (c >= '0' && c <= '9')
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

ErrorOr<void> parse_group_and_event(StringView spec, UprobeEventCommand& command)
{
    isize slash = spec.find('/');
    StringView group = slash >= 0 ? spec.substring(0, static_cast<usize>(slash)) : StringView();
    StringView event = slash >= 0 ? spec.substring(static_cast<usize>(slash) + 1) : spec;
    if (slash >= 0 && !kprobes::is_valid_event_name(group))
        return Error(EINVAL);
    if (!event.is_empty() && !kprobes::is_valid_event_name(event))
        return Error(EINVAL);
    command.group = TRY(String::try_create(group));
    command.event = TRY(String::try_create(event));
    return {};
}

// p_<basename cut at its first '.', '-' or '_'>_0x<offset>, at most 63 characters.
ErrorOr<String> generated_name(StringView path, u64 offset)
{
    isize slash = path.find_last('/');
    StringView base = slash >= 0 ? path.substring(static_cast<usize>(slash) + 1) : path;
    usize cut = 0;
    while (cut < base.length() && base[cut] != '.' && base[cut] != '-' && base[cut] != '_')
        ++cut;
    StringBuilder b;
    TRY(b.try_append("p_"));
    TRY(b.try_append(base.substring(0, cut)));
    TRY(b.try_appendf("_0x%lx", static_cast<unsigned long>(offset)));
    auto name = TRY(b.try_to_string());
    if (name.length() > kprobes::max_event_name_length)
        name = TRY(String::try_create(name.view().substring(0, kprobes::max_event_name_length)));
    if (!kprobes::is_valid_event_name(name.view()))
        return Error(EINVAL);
    return name;
}

}

ErrorOr<UprobeEventCommand> parse_uprobe_event_command(StringView line)
{
    UprobeEventCommand command;
    StringView rest = line;
    StringView head = next_word(rest);
    if (head.is_empty())
        return Error(EINVAL);
    if (head[0] == '-') {
        if (head.length() < 3 || head[1] != ':' || !next_word(rest).is_empty())
            return Error(EINVAL);
        command.kind = UprobeEventCommand::Kind::Remove;
        TRY(parse_group_and_event(head.substring(2), command));
        if (command.event.is_empty() && command.group.is_empty())
            return Error(EINVAL);
        return command;
    }
    if (head[0] != 'p' && head[0] != 'r')
        return Error(EINVAL);
    command.is_return = head[0] == 'r';
    if (head.length() > 1 && head[1] == ':') {
        StringView spec = head.substring(2);
        if (spec.is_empty())
            return Error(EINVAL);
        TRY(parse_group_and_event(spec, command));
    }
    if (command.group.is_empty())
        command.group = TRY(String::try_create(default_uprobe_group));

    StringView target = next_word(rest);
    if (target.find('/') < 0)
        return Error(EINVAL); // not a path (Linux leaves it to the other dynamic events)
    if (!next_word(rest).is_empty())
        return Error(EINVAL); // fetch arguments are not supported
    isize colon = target.find_last(':');
    if (colon < 0)
        return Error(EINVAL);
    StringView path = target.substring(0, static_cast<usize>(colon));
    StringView offset = target.substring(static_cast<usize>(colon) + 1);
    if (offset.is_empty() || offset[0] < '0' || offset[0] > '9')
        return Error(EINVAL);
    if (offset.find('(') >= 0)
        return Error(EINVAL); // reference counters are not supported
    if (!parse_number(offset, command.offset))
        return Error(EINVAL);
    command.path = TRY(String::try_create(path));
    if (command.event.is_empty())
        command.event = TRY(generated_name(path, command.offset));
    return command;
}

}
