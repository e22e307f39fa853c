// Parser of one uprobe_events command (Linux's trace_uprobe_create / dyn_event_release):
//   p[:[GRP/][EVENT]] PATH:OFFSET
//   r[:[GRP/][EVENT]] PATH:OFFSET
//   -:[GRP/]EVENT      (-:GRP/ removes every event of the group)
// As on Linux: characters after 'p'/'r' other than ':' are ignored, the PATH:OFFSET word
// must contain a '/' (relative paths resolve from the writer's cwd),
// OFFSET is a number (0x hex, 0 octal, decimal) and the whole word after the last ':', the
// default group is "uprobes" for both kinds and the default event name is
// p_<basename up to its first '.', '-' or '_'>_0x<offset> (also for 'r'). Errors: EINVAL for
// syntax, names and fetch arguments or a reference counter "(REF)" (not supported here).
// The words, numbers and names are parsed by trace/DynamicEventParser.h (shared with
// kprobe_events). Pure: host-tested.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace uprobes {

constexpr char const* default_uprobe_group = "uprobes";

struct UprobeEventCommand {
    enum class Kind {
        Add,
        Remove,
    } kind { Kind::Add };
    bool is_return { false };
    String group;  // Remove: empty for any group
    String event;  // Remove: empty for the whole group
    String path;
    u64 offset { 0 };
};

// One line without its newline; comments and blank lines are for the caller to skip.
ErrorOr<UprobeEventCommand> parse_uprobe_event_command(StringView line);

}
