// kprobe/kretprobe events (see ProbeEvent.h).
#include "trace/kprobes/ProbeEvent.h"
#include <new>

namespace kprobes {

namespace {

constexpr trace::TracepointField kprobe_fields[] = {
    { "unsigned long", "__probe_ip", 8, 8, false },
};
constexpr trace::TracepointField kretprobe_fields[] = {
    { "unsigned long", "__probe_func", 8, 8, false },
    { "unsigned long", "__probe_ret_ip", 16, 8, false },
};

u32 fill_record(trace::TracepointDefinition const& definition, u64 const* args, u8* record)
{
    for (u32 i = 0; i < definition.arg_count; ++i)
        __builtin_memcpy(record + 8 + 8 * i, &args[i], 8);
    return definition.record_size;
}

}

ErrorOr<RefPtr<ProbeEvent>> ProbeEvent::create(Spec const& spec)
{
    auto* raw = new (std::nothrow) ProbeEvent;
    if (!raw)
        return Error(ENOMEM);
    auto event = RefPtr<ProbeEvent>::adopt(raw);
    TRY(event->install(spec));
    return event;
}

ErrorOr<void> ProbeEvent::install(Spec const& spec)
{
    m_group = TRY(String::try_create(spec.group));
    m_event = TRY(String::try_create(spec.event));
    m_symbol = TRY(String::try_create(spec.symbol));
    m_offset = spec.offset;
    m_is_return = spec.is_return;
    m_maxactive = spec.maxactive;
    m_listed = spec.listed;
    m_definition = trace::TracepointDefinition {
        m_group.c_str(),
        m_event.c_str(),
        m_is_return ? kretprobe_fields : kprobe_fields,
        m_is_return ? 2u : 1u,
        m_is_return ? 24u : 16u,
        m_is_return ? 2u : 1u,
        m_is_return ? "\"(%lx <- %lx)\", REC->__probe_func, REC->__probe_ret_ip" : "\"(%lx)\", REC->__probe_ip",
        fill_record,
        trace::tracepoint_flag_probe | trace::tracepoint_flag_no_raw | (m_listed ? 0u : trace::tracepoint_flag_hidden),
    };
    u64 address = TRY(resolve_probe_address(m_symbol.view(), m_offset));
    if (m_listed) {
        TRY(trace::register_tracepoint(m_tracepoint));
        m_registered_tracepoint = true;
    }
    if (m_is_return) {
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
        if (m_is_return)
            unregister_kretprobe(m_kretprobe);
        else
            unregister_kprobe(m_kprobe);
    }
    if (m_registered_tracepoint)
        trace::unregister_tracepoint(m_tracepoint);
}

void ProbeEvent::on_entry(Kprobe& probe, Registers& regs)
{
    auto& event = *static_cast<ProbeEvent*>(probe.owner);
    if (!event.m_tracepoint.is_active())
        return;
    u64 args[1] = { probe.address };
    event.m_tracepoint.fire(args, 1, &regs);
}

void ProbeEvent::on_return(Kretprobe& probe, KretprobeInstance const& instance, Registers& regs)
{
    auto& event = *static_cast<ProbeEvent*>(probe.owner);
    if (!event.m_tracepoint.is_active())
        return;
    u64 args[2] = { instance.function, instance.return_address };
    event.m_tracepoint.fire(args, 2, &regs);
}

ErrorOr<void> ProbeEvent::show(StringBuilder& b) const
{
    TRY(b.try_append(m_is_return ? 'r' : 'p'));
    if (m_is_return && m_maxactive)
        TRY(b.try_appendf("%u", m_maxactive));
    TRY(b.try_appendf(":%s/%s", m_group.c_str(), m_event.c_str()));
    if (m_symbol.is_empty())
        TRY(b.try_appendf(" 0x%016lx", static_cast<unsigned long>(m_offset)));
    else if (m_offset)
        TRY(b.try_appendf(" %s+%lu", m_symbol.c_str(), static_cast<unsigned long>(m_offset)));
    else
        TRY(b.try_appendf(" %s", m_symbol.c_str()));
    return b.try_append('\n');
}

}
