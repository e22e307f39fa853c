// What the kprobe_events and uprobe_events command parsers share (Linux's trace_probe.c and
// dyn_event_release): splitting a command into words, kstrtoul-style numbers, the
// "[GRP/][EVENT]" part of "p:GRP/EVENT" and the "-:[GRP/][EVENT]" removal command. Event and
// group names are [A-Za-z_][A-Za-z0-9_]* of at most 63 characters. Errors are EINVAL. Pure:
// host-tested.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace trace {

constexpr usize max_event_name_length = 63; // MAX_EVENT_NAME_LEN - 1

bool is_valid_event_name(StringView name);

// Splits off the next word (separated by spaces or tabs); empty when none is left.
StringView next_command_word(StringView& rest);

// kstrtoul(…, 0): decimal, 0x hex or 0 octal, over the whole text, no overflow.
bool parse_command_number(StringView text, u64& value);

struct DynamicEventName {
    String group; // empty: not given
    String event; // empty: not given
};

// "[GRP/][EVENT]": each name given must be valid.
ErrorOr<DynamicEventName> parse_group_and_event(StringView spec);

// A removal command "-:[GRP/][EVENT]" (head is its first word, rest what follows it, which
// must be empty). At least one of the names is given; the caller decides whether a group
// alone is allowed.
ErrorOr<DynamicEventName> parse_removal_command(StringView head, StringView rest);

}
