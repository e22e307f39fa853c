// uprobe/uretprobe events (see UprobeEvent.h).
#include "trace/uprobes/UprobeEvent.h"
#include "bpf/syscall/TraceContext.h"
#include <new>

namespace uprobes {

namespace {

constexpr trace::TracepointField uprobe_fields[] = {
    { "unsigned long", "__probe_ip", 8, 8, false },
};
constexpr trace::TracepointField uretprobe_fields[] = {
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

ErrorOr<RefPtr<UprobeEvent>> UprobeEvent::create(Spec const& spec)
{
    auto* raw = new (std::nothrow) UprobeEvent;
    if (!raw)
        return Error(ENOMEM);
    auto event = RefPtr<UprobeEvent>::adopt(raw);
    TRY(event->install(spec));
    return event;
}

ErrorOr<void> UprobeEvent::install(Spec const& spec)
{
    m_group = TRY(String::try_create(spec.group));
    m_event = TRY(String::try_create(spec.event));
    m_path = TRY(String::try_create(spec.path));
    m_offset = spec.offset;
    m_is_return = spec.is_return;
    m_definition = trace::TracepointDefinition {
        m_group.c_str(),
        m_event.c_str(),
        m_is_return ? uretprobe_fields : uprobe_fields,
        m_is_return ? 2u : 1u,
        m_is_return ? 24u : 16u,
        m_is_return ? 2u : 1u,
        m_is_return ? "\"(%lx <- %lx)\", REC->__probe_func, REC->__probe_ret_ip" : "\"(%lx)\", REC->__probe_ip",
        fill_record,
        trace::tracepoint_flag_probe | trace::tracepoint_flag_no_raw | (spec.listed ? 0u : trace::tracepoint_flag_hidden),
    };
    m_consumer.owner = this;
    m_consumer.filter_pid = spec.filter_pid;
    if (m_is_return)
        m_consumer.return_handler = on_return;
    else
        m_consumer.handler = on_entry;
    TRY(register_uprobe(*spec.inode, m_offset, m_consumer));
    m_armed = true;
    if (spec.listed) {
        TRY(trace::register_tracepoint(m_tracepoint));
        m_registered_tracepoint = true;
    }
    return {};
}

UprobeEvent::~UprobeEvent()
{
    if (m_armed)
        unregister_uprobe(m_consumer);
    if (m_registered_tracepoint)
        trace::unregister_tracepoint(m_tracepoint);
}

void UprobeEvent::on_entry(UprobeConsumer& consumer, Registers& regs, u64 address)
{
    auto& event = *static_cast<UprobeEvent*>(consumer.owner);
    if (!event.m_tracepoint.is_active())
        return;
    bpf::kernel::TraceContextScope scope({ &regs, address, 0 });
    u64 args[1] = { address };
    event.m_tracepoint.fire(args, 1, &regs);
}

void UprobeEvent::on_return(UprobeConsumer& consumer, Registers& regs, u64 function, u64 return_address)
{
    auto& event = *static_cast<UprobeEvent*>(consumer.owner);
    if (!event.m_tracepoint.is_active())
        return;
    bpf::kernel::TraceContextScope scope({ &regs, function, 0 });
    u64 args[2] = { function, return_address };
    event.m_tracepoint.fire(args, 2, &regs);
}

ErrorOr<void> UprobeEvent::show(StringBuilder& b) const
{
    return b.try_appendf("%c:%s/%s %s:0x%016lx\n", m_is_return ? 'r' : 'p', m_group.c_str(), m_event.c_str(), m_path.c_str(),
        static_cast<unsigned long>(m_offset));
}

}
