// The part every kprobe/uprobe event shares: its group and event names, its record definition
// (ProbeEventRecord.h) and the trace::Tracepoint it fires, registered in tracefs under
// events/<group>/<event>/ when the event is listed (created through kprobe_events or
// uprobe_events) and hidden when a PMU created it. Invariant: the tracepoint is registered
// at most once and unregistered by the destructor, after the derived class has removed its
// probe, so no hit fires an unregistered tracepoint.
#pragma once

#include "klib/String.h"
#include "perf/Pmu.h"
#include "trace/Tracepoint.h"

namespace trace {

class DynamicEvent : public perf::ProbeEvent {
public:
    ~DynamicEvent() override;

    Tracepoint& tracepoint() override { return m_tracepoint; }
    StringView group() const { return m_group.view(); }
    StringView event() const { return m_event.view(); }
    bool is_return() const { return m_is_return; }
    bool is_listed() const { return m_listed; }
    // A perf event listens: the event can be neither removed nor replaced.
    bool in_use() const { return m_tracepoint.is_active(); }
    // The event's kprobe_events/uprobe_events line, with its newline.
    virtual ErrorOr<void> show(StringBuilder&) const = 0;

protected:
    DynamicEvent() = default;
    // Names the event and defines its record; call once, first.
    ErrorOr<void> initialize_record(StringView group, StringView event, bool is_return, bool listed);
    // Registers the tracepoint in tracefs if the event is listed.
    ErrorOr<void> register_if_listed();
    // "GRP/EVENT", as the show() lines name the event.
    ErrorOr<void> append_name(StringBuilder&) const;

private:
    String m_group;
    String m_event;
    bool m_is_return { false };
    bool m_listed { false };
    bool m_registered_tracepoint { false };
    TracepointDefinition m_definition {};
    Tracepoint m_tracepoint { m_definition };
};

}
