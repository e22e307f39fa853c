// kprobe_events command parser (see KprobeEventsParser.h).
#include "trace/kprobes/KprobeEventsParser.h"

namespace kprobes {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// Splits off the next whitespace-separated word.
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

// kstrtoul(…, 0): decimal, 0x hex or 0 octal, the whole string.
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

ErrorOr<void> parse_group_and_event(StringView spec, KprobeEventCommand& command)
{
    isize slash = spec.find('/');
    StringView group = slash >= 0 ? spec.substring(0, static_cast<usize>(slash)) : StringView();
    StringView event = slash >= 0 ? spec.substring(static_cast<usize>(slash) + 1) : spec;
    if (slash >= 0 && !is_valid_event_name(group))
        return Error(EINVAL);
    if (!event.is_empty() && !is_valid_event_name(event))
        return Error(EINVAL);
    command.group = TRY(String::try_create(group));
    command.event = TRY(String::try_create(event));
    return {};
}

ErrorOr<String> generated_name(KprobeEventCommand const& command)
{
    StringBuilder b;
    if (command.symbol.is_empty()) {
        TRY(b.try_appendf("%c_0x%lx", command.is_return ? 'r' : 'p', static_cast<unsigned long>(command.offset)));
    } else {
        TRY(b.try_appendf("%c_%s_%lu", command.is_return ? 'r' : 'p', command.symbol.c_str(), static_cast<unsigned long>(command.offset)));
    }
    auto name = TRY(b.try_to_string());
    if (name.length() > max_event_name_length)
        return Error(EINVAL);
    return name;
}

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

ErrorOr<KprobeEventCommand> parse_kprobe_event_command(StringView line)
{
    KprobeEventCommand command;
    StringView rest = line;
    StringView head = next_word(rest);
    if (head.is_empty())
        return Error(EINVAL);
    isize colon = head.find(':');
    StringView type = colon >= 0 ? head.substring(0, static_cast<usize>(colon)) : head;
    StringView spec = colon >= 0 ? head.substring(static_cast<usize>(colon) + 1) : StringView();

    if (type == "-") {
        if (colon < 0 || spec.is_empty() || !next_word(rest).is_empty())
            return Error(EINVAL);
        command.kind = KprobeEventCommand::Kind::Remove;
        TRY(parse_group_and_event(spec, command));
        if (command.event.is_empty())
            return Error(EINVAL);
        return command;
    }
    if (type.is_empty() || (type[0] != 'p' && type[0] != 'r'))
        return Error(EINVAL);
    command.is_return = type[0] == 'r';
    if (type.length() > 1) {
        u64 maxactive;
        if (!command.is_return || !parse_number(type.substring(1), maxactive) || maxactive == 0)
            return Error(EINVAL);
        if (maxactive > 4096)
            return Error(E2BIG);
        command.maxactive = static_cast<u32>(maxactive);
    }
    TRY(parse_group_and_event(spec, command));
    if (command.group.is_empty())
        command.group = TRY(String::try_create(default_kprobe_group));

    StringView target = next_word(rest);
    if (target.is_empty())
        return Error(EINVAL);
    if (!next_word(rest).is_empty())
        return Error(EINVAL); // fetch arguments are not supported
    if (is_digit(target[0])) {
        if (!parse_number(target, command.offset))
            return Error(EINVAL);
    } else {
        isize plus = target.find('+');
        StringView symbol = plus >= 0 ? target.substring(0, static_cast<usize>(plus)) : target;
        if (symbol.is_empty() || symbol.find(':') >= 0) // MOD:SYM: no modules here
            return Error(EINVAL);
        if (plus >= 0 && !parse_number(target.substring(static_cast<usize>(plus) + 1), command.offset))
            return Error(EINVAL);
        command.symbol = TRY(String::try_create(symbol));
        if (command.is_return && command.offset)
            return Error(EINVAL); // a return probe sits on the function's entry
    }
    if (command.event.is_empty()) {
        command.event = TRY(generated_name(command));
        // Linux replaces '.' in symbol names; ours have none that are probe targets.
    }
    return command;
}

}
