// A table of listed dynamic events, the state behind <tracefs>/kprobe_events and
// uprobe_events (Linux's dyn_event list, one table per file). Writes are text commands, one
// per line ('\n'; '#' starts a comment; blank lines are skipped); the commands before a
// failing line stay applied. Removal ("-:[GRP/][EVENT]") removes every matching event
// (ENOENT if none, EBUSY if one is in use, then none is removed); adding a name that exists
// is EEXIST; truncation (O_TRUNC) removes all (EBUSY if any is in use, then none is removed).
// Invariants: the events live in m_events under m_lock; creating and destroying an event
// (arming the probe, registering the tracepoint) happens outside the lock, with m_busy
// serializing whole commands, so the last reference of a removed event is dropped unlocked.
#pragma once

#include "klib/Atomic.h"
#include "klib/Error.h"
#include "klib/RefPtr.h"
#include "klib/Spinlock.h"
#include "klib/String.h"
#include "klib/StringView.h"
#include "klib/Vector.h"
#include "trace/DynamicEvent.h"

namespace trace {

class DynamicEvents {
public:
    // Parses one command line (no comment, trimmed, not empty) and applies it to the table.
    using CommandRunner = ErrorOr<void> (*)(DynamicEvents&, StringView line);

    ErrorOr<void> write(StringView text, CommandRunner);
    ErrorOr<void> show(StringBuilder&);
    ErrorOr<void> truncate();

    // For the command runner (the write holds the command lock). An empty group matches
    // every group, an empty event every event of the group.
    ErrorOr<void> remove(StringView group, StringView event);
    // EEXIST if group/event is listed, else create() makes the event and it is listed.
    template<typename Create>
    ErrorOr<void> add(StringView group, StringView event, Create create)
    {
        TRY(reserve_name(group, event));
        auto created = TRY(create());
        return append(RefPtr<DynamicEvent>(created.ptr()));
    }

private:
    // A sleeping lock is not needed: commands are short; a second writer waits its turn.
    class CommandGuard {
    public:
        explicit CommandGuard(Atomic<u32>& busy);
        ~CommandGuard();

    private:
        Atomic<u32>& m_busy;
    };

    ErrorOr<void> reserve_name(StringView group, StringView event);
    ErrorOr<void> append(RefPtr<DynamicEvent>);

    Spinlock m_lock;
    Atomic<u32> m_busy { 0 };
    Vector<RefPtr<DynamicEvent>> m_events;
};

}
