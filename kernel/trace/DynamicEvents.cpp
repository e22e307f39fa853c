// The kprobe_events/uprobe_events table (see DynamicEvents.h).
#include "trace/DynamicEvents.h"

namespace trace {

namespace {

bool matches(DynamicEvent const& event, StringView group, StringView name)
{
    return (group.is_empty() || event.group() == group) && (name.is_empty() || event.event() == name);
}

}

DynamicEvents::CommandGuard::CommandGuard(Atomic<u32>& busy)
    : m_busy(busy)
{
    while (m_busy.exchange(1, MemoryOrder::Acquire))
        asm volatile("pause");
}

DynamicEvents::CommandGuard::~CommandGuard() { m_busy.store(0, MemoryOrder::Release); }

ErrorOr<void> DynamicEvents::write(StringView text, CommandRunner run)
{
    CommandGuard serialize(m_busy);
    while (!text.is_empty()) {
        isize newline = text.find('\n');
        StringView line = newline >= 0 ? text.substring(0, static_cast<usize>(newline)) : text;
        text = newline >= 0 ? text.substring(static_cast<usize>(newline) + 1) : StringView();
        isize comment = line.find('#');
        if (comment >= 0)
            line = line.substring(0, static_cast<usize>(comment));
        line = line.trim_whitespace();
        if (line.is_empty())
            continue;
        TRY(run(*this, line));
    }
    return {};
}

ErrorOr<void> DynamicEvents::show(StringBuilder& b)
{
    Vector<RefPtr<DynamicEvent>> snapshot;
    {
        CommandGuard serialize(m_busy);
        SpinlockGuard guard(m_lock);
        TRY(snapshot.try_ensure_capacity(m_events.size()));
        for (auto& event : m_events)
            TRY(snapshot.try_append(RefPtr<DynamicEvent>(event)));
    }
    for (auto& event : snapshot)
        TRY(event->show(b));
    return {};
}

ErrorOr<void> DynamicEvents::truncate()
{
    CommandGuard serialize(m_busy);
    Vector<RefPtr<DynamicEvent>> removed; // dropped after the lock
    {
        SpinlockGuard guard(m_lock);
        for (auto& event : m_events)
            if (event->in_use())
                return Error(EBUSY);
        TRY(removed.try_ensure_capacity(m_events.size()));
        for (auto& event : m_events)
            TRY(removed.try_append(move(event)));
        m_events.clear();
    }
    return {};
}

ErrorOr<void> DynamicEvents::remove(StringView group, StringView event)
{
    Vector<RefPtr<DynamicEvent>> removed; // dropped after the lock
    SpinlockGuard guard(m_lock);
    bool found = false;
    for (auto& listed : m_events) {
        if (!matches(*listed, group, event))
            continue;
        found = true;
        if (listed->in_use())
            return Error(EBUSY);
    }
    if (!found)
        return Error(ENOENT);
    TRY(removed.try_ensure_capacity(m_events.size()));
    for (usize i = 0; i < m_events.size();) {
        if (matches(*m_events[i], group, event)) {
            MUST(removed.try_append(move(m_events[i])));
            m_events.remove(i);
            continue;
        }
        ++i;
    }
    return {}; // the guard goes first, then the last references: probes removed, tracepoints unregistered
}

ErrorOr<void> DynamicEvents::reserve_name(StringView group, StringView event)
{
    {
        SpinlockGuard guard(m_lock);
        for (auto& listed : m_events)
            if (listed->group() == group && listed->event() == event)
                return Error(EEXIST);
    }
    return m_events.try_ensure_capacity(m_events.size() + 1);
}

ErrorOr<void> DynamicEvents::append(RefPtr<DynamicEvent> event)
{
    SpinlockGuard guard(m_lock);
    return m_events.try_append(move(event));
}

}
