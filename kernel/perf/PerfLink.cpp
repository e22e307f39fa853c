// Perf event links (BPF_LINK_CREATE with attach type BPF_PERF_EVENT, Linux's
// bpf_perf_link): the link holds the perf event and the program is attached to the event
// for as long as the link lives; the last reference to the link detaches it. The cookie is
// what bpf_get_attach_cookie() returns in the program (TraceContext.cookie).
#include "bpf/syscall/AttachPoints.h"
#include "perf/PerfEvent.h"
#include "perf/PerfSubsystem.h"

namespace perf {

namespace {

class PerfLink final : public bpf::kernel::LinkObject {
public:
    PerfLink(RefPtr<PerfEvent> event, RefPtr<bpf::kernel::ProgramObject> program)
        : LinkObject(BPF_LINK_TYPE_PERF_EVENT, move(program))
        , m_event(move(event))
    {
    }
    ~PerfLink() override { m_event->detach_program(); }

private:
    RefPtr<PerfEvent> m_event;
};

// bpf_perf_link_attach(): EBADF unless the target is a perf event; then
// perf_event_set_bpf_prog()'s checks.
ErrorOr<RefPtr<bpf::kernel::LinkObject>> attach_perf_link(File& file, RefPtr<bpf::kernel::ProgramObject> program, u64 cookie)
{
    auto* event = perf_event_from_file(file);
    if (!event)
        return Error(EBADF);
    TRY(event->attach_program(program, cookie));
    auto* link = new (std::nothrow) PerfLink(RefPtr<PerfEvent>(event), move(program));
    if (!link) {
        event->detach_program();
        return Error(ENOMEM);
    }
    return RefPtr<bpf::kernel::LinkObject>::adopt(link);
}

}

void install_perf_link_attach() { bpf::kernel::set_perf_link_attach(attach_perf_link); }

}
