// uprobe_events command parser (see UprobeEventsParser.h).
#include "trace/uprobes/UprobeEventsParser.h"
#include "trace/DynamicEventParser.h"

namespace uprobes {

namespace {

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
    if (name.length() > trace::max_event_name_length)
        name = TRY(String::try_create(name.view().substring(0, trace::max_event_name_length)));
    if (!trace::is_valid_event_name(name.view()))
        return Error(EINVAL);
    return name;
}

}

ErrorOr<UprobeEventCommand> parse_uprobe_event_command(StringView line)
{
    UprobeEventCommand command;
    StringView rest = line;
    StringView head = trace::next_command_word(rest);
    if (head.is_empty())
        return Error(EINVAL);
    if (head[0] == '-') {
        auto name = TRY(trace::parse_removal_command(head, rest));
        command.kind = UprobeEventCommand::Kind::Remove;
        command.group = move(name.group);
        command.event = move(name.event);
        return command;
    }
    if (head[0] != 'p' && head[0] != 'r')
        return Error(EINVAL);
    command.is_return = head[0] == 'r';
    if (head.length() > 1 && head[1] == ':') {
        StringView spec = head.substring(2);
        if (spec.is_empty())
            return Error(EINVAL);
        auto name = TRY(trace::parse_group_and_event(spec));
        command.group = move(name.group);
        command.event = move(name.event);
    }
    if (command.group.is_empty())
        command.group = TRY(String::try_create(default_uprobe_group));

    StringView target = trace::next_command_word(rest);
    if (target.find('/') < 0)
        return Error(EINVAL); // not a path (Linux leaves it to the other dynamic events)
    if (!trace::next_command_word(rest).is_empty())
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
    if (!trace::parse_command_number(offset, command.offset))
        return Error(EINVAL);
    command.path = TRY(String::try_create(path));
    if (command.event.is_empty())
        command.event = TRY(generated_name(path, command.offset));
    return command;
}

}
