// The perf event as a bpf::PerfEventSource (what a PERF_EVENT_ARRAY slot holds) and the fd
// lookup MAP_UPDATE_ELEM uses (Linux's perf_event_get(): EBADF for a file that is not a
// perf event). Each slot gets its own small handle that keeps the event alive.
#include "bpf/syscall/FdResolver.h"
#include "perf/PerfEvent.h"
#include "perf/PerfSubsystem.h"

namespace perf {

namespace {

class PerfEventSourceHandle final : public bpf::PerfEventSource {
public:
    explicit PerfEventSourceHandle(RefPtr<PerfEvent> event)
        : m_event(move(event))
    {
    }
    bool is_bpf_output() const override { return m_event->kind() == EventKind::BpfOutput; }
    i32 active_cpu() const override { return m_event->active_cpu(); }
    i64 output(u64, void const* data, u64 size) override { return m_event->bpf_output(data, size); }
    i64 read_local(u64* value, u64* enabled, u64* running) override { return m_event->read_local(value, enabled, running); }
    u64 identity() const override { return m_event->id(); }

private:
    RefPtr<PerfEvent> m_event;
};

ErrorOr<RefPtr<bpf::PerfEventSource>> lookup(File& file)
{
    auto* event = perf_event_from_file(file);
    if (!event)
        return Error(EBADF);
    return make_perf_event_source(*event);
}

}

ErrorOr<RefPtr<bpf::PerfEventSource>> make_perf_event_source(PerfEvent& event)
{
    auto* handle = new (std::nothrow) PerfEventSourceHandle(RefPtr<PerfEvent>(event));
    if (!handle)
        return Error(ENOMEM);
    return RefPtr<bpf::PerfEventSource>::adopt(handle);
}

void install_perf_event_lookup() { bpf::kernel::set_perf_event_lookup(lookup); }

}
