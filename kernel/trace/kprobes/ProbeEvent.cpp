// kprobe/kretprobe events (see ProbeEvent.h).
#include "trace/kprobes/ProbeEvent.h"
#include <new>

namespace kprobes {

ErrorOr<RefPtr<ProbeEvent>> ProbeEvent::create(Spec const& spec)
{
    auto event = TRY(adopt_ref_or_enomem(new (std::nothrow) ProbeEvent));
    TRY(event->install(spec));
    return event;
}

ErrorOr<void> ProbeEvent::install(Spec const& spec)
{
    TRY(initialize_record(spec.group, spec.event, spec.is_return, spec.listed));
    m_symbol = TRY(String::try_create(spec.symbol));
    m_offset = spec.offset;
    m_maxactive = spec.maxactive;
    u64 address = TRY(resolve_probe_address(m_symbol.view(), m_offset));
    TRY(register_if_listed());
    if (is_return()) {
        m_kretprobe.handler = on_return;
        m_kretprobe.owner = this;
        m_kretprobe.maxactive = m_maxactive;
        TRY(register_kretprobe(m_kretprobe, address));
    } else {
        m_kprobe.address = address;
        m_kprobe.pre_handler = on_entry;
        m_kprobe.owner = this;
        TRY(register_kprobe(m_kprobe));
    }
    m_armed = true;
    return {};
}

ProbeEvent::~ProbeEvent()
{
    if (m_armed) {
        if (is_return())
            unregister_kretprobe(m_kretprobe);
        else
            unregister_kprobe(m_kprobe);
    }
    // ~DynamicEvent unregisters the tracepoint.
}

void ProbeEvent::on_entry(Kprobe& probe, Registers& regs)
{
    auto& event = *static_cast<ProbeEvent*>(probe.owner);
    auto& tracepoint = event.tracepoint();
    if (!tracepoint.is_active())
        return;
    u64 args[1] = { probe.address };
    tracepoint.fire(args, 1, &regs);
}

void ProbeEvent::on_return(Kretprobe& probe, KretprobeInstance const& instance, Registers& regs)
{
    auto& event = *static_cast<ProbeEvent*>(probe.owner);
    auto& tracepoint = event.tracepoint();
    if (!tracepoint.is_active())
        return;
    u64 args[2] = { instance.function, instance.return_address };
    tracepoint.fire(args, 2, &regs);
}

ErrorOr<void> ProbeEvent::show(StringBuilder& b) const
{
    TRY(b.try_append(is_return() ? 'r' : 'p'));
    if (is_return() && m_maxactive)
        TRY(b.try_appendf("%u", m_maxactive));
    TRY(b.try_append(':'));
    TRY(append_name(b));
    if (m_symbol.is_empty())
        TRY(b.try_appendf(" 0x%016lx", static_cast<unsigned long>(m_offset)));
    else if (m_offset)
        TRY(b.try_appendf(" %s+%lu", m_symbol.c_str(), static_cast<unsigned long>(m_offset)));
    else
        TRY(b.try_appendf(" %s", m_symbol.c_str()));
    return b.try_append('\n');
}

}
