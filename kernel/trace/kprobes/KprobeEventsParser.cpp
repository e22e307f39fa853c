// kprobe_events command parser (see KprobeEventsParser.h).
#include "trace/kprobes/KprobeEventsParser.h"
#include "trace/DynamicEventParser.h"

namespace kprobes {

namespace {

using trace::parse_command_number;

ErrorOr<String> generated_name(KprobeEventCommand const& command)
{
    StringBuilder b;
    if (command.symbol.is_empty()) {
        TRY(b.try_appendf("%c_0x%lx", command.is_return ? 'r' : 'p', static_cast<unsigned long>(command.offset)));
    } else {
        TRY(b.try_appendf("%c_%s_%lu", command.is_return ? 'r' : 'p', command.symbol.c_str(), static_cast<unsigned long>(command.offset)));
    }
    auto name = TRY(b.try_to_string());
    if (name.length() > trace::max_event_name_length)
        return Error(EINVAL);
    return name;
}

}

ErrorOr<KprobeEventCommand> parse_kprobe_event_command(StringView line)
{
    KprobeEventCommand command;
    StringView rest = line;
    StringView head = trace::next_command_word(rest);
    if (head.is_empty())
        return Error(EINVAL);
    if (head[0] == '-') {
        auto name = TRY(trace::parse_removal_command(head, rest));
        if (name.event.is_empty())
            return Error(EINVAL);
        command.kind = KprobeEventCommand::Kind::Remove;
        command.group = move(name.group);
        command.event = move(name.event);
        return command;
    }
    isize colon = head.find(':');
    StringView type = colon >= 0 ? head.substring(0, static_cast<usize>(colon)) : head;
    StringView spec = colon >= 0 ? head.substring(static_cast<usize>(colon) + 1) : StringView();

    if (type.is_empty() || (type[0] != 'p' && type[0] != 'r'))
        return Error(EINVAL);
    command.is_return = type[0] == 'r';
    if (type.length() > 1) {
        u64 maxactive;
        if (!command.is_return || !parse_command_number(type.substring(1), maxactive) || maxactive == 0)
            return Error(EINVAL);
        if (maxactive > 4096)
            return Error(E2BIG);
        command.maxactive = static_cast<u32>(maxactive);
    }
    auto name = TRY(trace::parse_group_and_event(spec));
    command.group = move(name.group);
    command.event = move(name.event);
    if (command.group.is_empty())
        command.group = TRY(String::try_create(default_kprobe_group));

    StringView target = trace::next_command_word(rest);
    if (target.is_empty())
        return Error(EINVAL);
    if (!trace::next_command_word(rest).is_empty())
        return Error(EINVAL); // fetch arguments are not supported
    if (target[0] >= '0' && target[0] <= '9') {
        if (!parse_command_number(target, command.offset))
            return Error(EINVAL);
    } else {
        isize plus = target.find('+');
        StringView symbol = plus >= 0 ? target.substring(0, static_cast<usize>(plus)) : target;
        if (symbol.is_empty() || symbol.find(':') >= 0) // MOD:SYM: no modules here
            return Error(EINVAL);
        if (plus >= 0 && !parse_command_number(target.substring(static_cast<usize>(plus) + 1), command.offset))
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
