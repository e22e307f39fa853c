// Parser of one kprobe_events command (Linux's trace_kprobe_create / dyn_event_release):
//   p[:[GRP/][EVENT]] SYM[+OFFS]|ADDR
//   r[MAXACTIVE][:[GRP/][EVENT]] SYM[+0]|ADDR
//   -:[GRP/]EVENT
// Errors are Linux's: EINVAL for bad syntax, names, a kretprobe offset or MAXACTIVE on 'p',
// E2BIG for MAXACTIVE above 4096, EINVAL for fetch arguments (not supported here). Names
// are [A-Za-z_][A-Za-z0-9_]* of at most 63 characters; a missing event name is generated as
// Linux does (p_SYM_OFFS, r_SYM_OFFS, p_0xADDR). The words, numbers and names are parsed by
// trace/DynamicEventParser.h (shared with uprobe_events). Pure: host-tested.
#pragma once

#include "klib/Error.h"
#include "klib/String.h"
#include "klib/StringView.h"

namespace kprobes {

constexpr char const* default_kprobe_group = "kprobes";

struct KprobeEventCommand {
    enum class Kind {
        Add,
        Remove,
    } kind { Kind::Add };
    bool is_return { false };
    u32 maxactive { 0 };   // 0: the default
    String group;          // empty for Remove without a group: any group
    String event;
    String symbol;         // empty when probing an address
    u64 offset { 0 };      // the offset from symbol, or the address
};

// One line without its newline; comments and blank lines are for the caller to skip.
ErrorOr<KprobeEventCommand> parse_kprobe_event_command(StringView line);

}
