// The shared part of kprobe/uprobe events (see DynamicEvent.h).
#include "trace/DynamicEvent.h"
#include "trace/ProbeEventRecord.h"

namespace trace {

DynamicEvent::~DynamicEvent()
{
    if (m_registered_tracepoint)
        unregister_tracepoint(m_tracepoint);
}

ErrorOr<void> DynamicEvent::initialize_record(StringView group, StringView event, bool is_return, bool listed)
{
    m_group = TRY(String::try_create(group));
    m_event = TRY(String::try_create(event));
    m_is_return = is_return;
    m_listed = listed;
    m_definition = probe_event_definition(m_group.c_str(), m_event.c_str(), is_return, listed);
    return {};
}

ErrorOr<void> DynamicEvent::register_if_listed()
{
    if (!m_listed)
        return {};
    TRY(register_tracepoint(m_tracepoint));
    m_registered_tracepoint = true;
    return {};
}

ErrorOr<void> DynamicEvent::append_name(StringBuilder& b) const
{
    TRY(b.try_append(group()));
    TRY(b.try_append('/'));
    return b.try_append(event());
}

}
