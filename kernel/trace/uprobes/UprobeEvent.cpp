// uprobe/uretprobe events (see UprobeEvent.h).
#include "trace/uprobes/UprobeEvent.h"
#include "bpf/syscall/TraceContext.h"
#include <new>

namespace uprobes {

ErrorOr<RefPtr<UprobeEvent>> UprobeEvent::create(Spec const& spec)
{
    auto event = TRY(adopt_ref_or_enomem(new (std::nothrow) UprobeEvent));
    TRY(event->install(spec));
    return event;
}

ErrorOr<void> UprobeEvent::install(Spec const& spec)
{
    TRY(initialize_record(spec.group, spec.event, spec.is_return, spec.listed));
    m_path = TRY(String::try_create(spec.path));
    m_offset = spec.offset;
    m_consumer.owner = this;
    m_consumer.filter_pid = spec.filter_pid;
    if (spec.is_return)
        m_consumer.return_handler = on_return;
    else
        m_consumer.handler = on_entry;
    TRY(register_uprobe(*spec.inode, m_offset, m_consumer));
    m_armed = true;
    return register_if_listed();
}

UprobeEvent::~UprobeEvent()
{
    if (m_armed)
        unregister_uprobe(m_consumer);
    // ~DynamicEvent unregisters the tracepoint.
}

void UprobeEvent::on_entry(UprobeConsumer& consumer, Registers& regs, u64 address)
{
    auto& event = *static_cast<UprobeEvent*>(consumer.owner);
    auto& tracepoint = event.tracepoint();
    if (!tracepoint.is_active())
        return;
    bpf::kernel::TraceContextScope scope({ &regs, address, 0 });
    u64 args[1] = { address };
    tracepoint.fire(args, 1, &regs);
}

void UprobeEvent::on_return(UprobeConsumer& consumer, Registers& regs, u64 function, u64 return_address)
{
    auto& event = *static_cast<UprobeEvent*>(consumer.owner);
    auto& tracepoint = event.tracepoint();
    if (!tracepoint.is_active())
        return;
    bpf::kernel::TraceContextScope scope({ &regs, function, 0 });
    u64 args[2] = { function, return_address };
    tracepoint.fire(args, 2, &regs);
}

ErrorOr<void> UprobeEvent::show(StringBuilder& b) const
{
    TRY(b.try_append(is_return() ? 'r' : 'p'));
    TRY(b.try_append(':'));
    TRY(append_name(b));
    return b.try_appendf(" %s:0x%016lx\n", m_path.c_str(), static_cast<unsigned long>(m_offset));
}

}
