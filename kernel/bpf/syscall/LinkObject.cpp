// LinkObject (see LinkObject.h).
#include "bpf/syscall/LinkObject.h"

namespace bpf::kernel {

IdRegistry<LinkObject>& LinkObject::registry()
{
    static IdRegistry<LinkObject> s_registry;
    return s_registry;
}

LinkObject::LinkObject(u32 type, RefPtr<ProgramObject> program)
    : m_type(type)
    , m_program(move(program))
{
}

LinkObject::~LinkObject() { registry().release(m_id); }

RefPtr<ProgramObject> LinkObject::program() const
{
    SpinlockGuard guard(m_lock);
    return m_program;
}

void LinkObject::replace_program(RefPtr<ProgramObject> program)
{
    RefPtr<ProgramObject> old;
    {
        SpinlockGuard guard(m_lock);
        old = exchange(m_program, move(program));
    }
}

ErrorOr<void> LinkObject::publish()
{
    if (m_id)
        return {};
    m_id = TRY(registry().allocate(this));
    return {};
}

ErrorOr<void> LinkObject::update_program(RefPtr<ProgramObject>, ProgramObject*) { return Error(EINVAL); }
ErrorOr<void> LinkObject::detach() { return Error(EOPNOTSUPP); }

char const* LinkObject::type_name(u32 type)
{
    // Linux's bpf_link_type_strs (include/linux/bpf_types.h).
    switch (type) {
    case BPF_LINK_TYPE_RAW_TRACEPOINT:
        return "raw_tracepoint";
    case BPF_LINK_TYPE_TRACING:
        return "tracing";
    case BPF_LINK_TYPE_CGROUP:
        return "cgroup";
    case BPF_LINK_TYPE_ITER:
        return "iter";
    case BPF_LINK_TYPE_NETNS:
        return "netns";
    case BPF_LINK_TYPE_XDP:
        return "xdp";
    case BPF_LINK_TYPE_PERF_EVENT:
        return "perf_event";
    case BPF_LINK_TYPE_KPROBE_MULTI:
        return "kprobe_multi";
    case BPF_LINK_TYPE_STRUCT_OPS:
        return "struct_ops";
    default:
        return "<invalid>";
    }
}

}
