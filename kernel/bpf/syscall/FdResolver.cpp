// The kernel's ObjectResolver (see FdResolver.h).
#include "bpf/syscall/FdResolver.h"
#include "bpf/syscall/BpfFiles.h"
#include "proc/Process.h"

namespace bpf::kernel {

namespace {
PerfEventLookup s_perf_event_lookup = nullptr;
}

void set_perf_event_lookup(PerfEventLookup lookup) { s_perf_event_lookup = lookup; }

ErrorOr<RefPtr<Map>> FdResolver::map_from_fd(u32 fd)
{
    auto object = TRY(kernel::map_from_fd(static_cast<int>(fd)));
    return object->map_ref();
}

ErrorOr<RefPtr<PerfEventSource>> FdResolver::perf_event_from_fd(u32 fd)
{
    auto description = TRY(Process::current().fds().get(static_cast<int>(fd)));
    if (!s_perf_event_lookup)
        return Error(EBADF);
    return s_perf_event_lookup(description->file());
}

ErrorOr<RefPtr<Program>> FdResolver::program_from_fd(u32 fd)
{
    auto object = TRY(kernel::program_from_fd(static_cast<int>(fd)));
    if (m_target && !m_target->claim_owner(object->type()))
        return Error(EINVAL);
    return object->program_ref();
}

u32 FdResolver::program_id(Program const& program)
{
    auto object = ProgramObject::find_by_program(program);
    return object ? object->id() : 0;
}

}
