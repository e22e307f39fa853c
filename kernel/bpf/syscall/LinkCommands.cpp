// BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH and BPF_RAW_TRACEPOINT_OPEN (Linux 6.1's
// link_create, link_update, link_detach, bpf_raw_tracepoint_open). The checks that do not
// depend on an attach point (the program, its type against the attach type, flags) are made
// here in Linux's order; the attach itself goes to the subsystem registered in
// AttachPoints.h.
#include "bpf/syscall/AttachPoints.h"
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "proc/Process.h"

namespace bpf::kernel {

namespace {

PerfLinkAttach s_perf_link_attach = nullptr;
RawTracepointAttach s_raw_tracepoint_attach = nullptr;

// attach_type_to_prog_type() for the attach types whose program types this kernel loads.
u32 program_type_for_attach_type(u32 attach_type)
{
    switch (attach_type) {
    case BPF_XDP:
        return BPF_PROG_TYPE_XDP;
    default:
        return BPF_PROG_TYPE_UNSPEC;
    }
}

ErrorOr<int> attach_perf_link(union bpf_attr const& attr, RefPtr<ProgramObject> program)
{
    if (!s_perf_link_attach)
        return Error(EOPNOTSUPP); // Linux without CONFIG_PERF_EVENTS
    if (attr.link_create.flags)
        return Error(EINVAL);
    auto perf = TRY(Process::current().fds().get(static_cast<int>(attr.link_create.target_fd)));
    auto link = TRY(s_perf_link_attach(perf->file(), move(program), attr.link_create.perf_event.bpf_cookie));
    TRY(link->publish());
    return install_link_fd(move(link), true);
}

// strncpy_from_user(buf, name, 127)
ErrorOr<void> copy_name(u64 user_name, char (&name)[128])
{
    memset(name, 0, sizeof(name));
    for (usize i = 0; i < sizeof(name) - 1; ++i) {
        TRY(copy_from_user(&name[i], user_name + i, 1));
        if (!name[i])
            return {};
    }
    return {};
}

}

void set_perf_link_attach(PerfLinkAttach attach) { s_perf_link_attach = attach; }
void set_raw_tracepoint_attach(RawTracepointAttach attach) { s_raw_tracepoint_attach = attach; }
PerfLinkAttach perf_link_attach() { return s_perf_link_attach; }
RawTracepointAttach raw_tracepoint_attach() { return s_raw_tracepoint_attach; }

ErrorOr<u64> link_create(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(link_create.kprobe_multi.cookies)))
        return Error(EINVAL);
    auto program = TRY(program_from_fd(static_cast<int>(attr.link_create.prog_fd)));
    u32 attach_type = attr.link_create.attach_type;
    u32 type = program->type();
    switch (type) {
    case BPF_PROG_TYPE_PERF_EVENT:
    case BPF_PROG_TYPE_TRACEPOINT:
        if (attach_type != BPF_PERF_EVENT)
            return Error(EINVAL);
        return TRY(attach_perf_link(attr, move(program)));
    case BPF_PROG_TYPE_KPROBE:
        if (attach_type == BPF_PERF_EVENT)
            return TRY(attach_perf_link(attr, move(program)));
        if (attach_type == BPF_TRACE_KPROBE_MULTI)
            return Error(EOPNOTSUPP); // no fprobe support
        return Error(EINVAL);
    default:
        if (program_type_for_attach_type(attach_type) != type || type == BPF_PROG_TYPE_UNSPEC)
            return Error(EINVAL);
        break;
    }
    // XDP is the only remaining type with an attach type: no network device has the
    // target ifindex (bpf_xdp_link_attach).
    return Error(EINVAL);
}

ErrorOr<u64> link_update(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(link_update.old_prog_fd)))
        return Error(EINVAL);
    u32 flags = attr.link_update.flags;
    if (flags & ~static_cast<u32>(BPF_F_REPLACE))
        return Error(EINVAL);
    auto link = TRY(link_from_fd(static_cast<int>(attr.link_update.link_fd)));
    auto new_program = TRY(program_from_fd(static_cast<int>(attr.link_update.new_prog_fd)));
    RefPtr<ProgramObject> old_program;
    if (flags & BPF_F_REPLACE)
        old_program = TRY(program_from_fd(static_cast<int>(attr.link_update.old_prog_fd)));
    else if (attr.link_update.old_prog_fd)
        return Error(EINVAL);
    TRY(link->update_program(move(new_program), old_program.ptr()));
    return 0;
}

ErrorOr<u64> link_detach(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(link_detach.link_fd)))
        return Error(EINVAL);
    auto link = TRY(link_from_fd(static_cast<int>(attr.link_detach.link_fd)));
    TRY(link->detach());
    return 0;
}

ErrorOr<u64> raw_tracepoint_open(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(raw_tracepoint.prog_fd)))
        return Error(EINVAL);
    auto program = TRY(program_from_fd(static_cast<int>(attr.raw_tracepoint.prog_fd)));
    if (program->type() != BPF_PROG_TYPE_RAW_TRACEPOINT && program->type() != BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE)
        return Error(EINVAL);
    char name[128];
    TRY(copy_name(attr.raw_tracepoint.name, name));
    if (!s_raw_tracepoint_attach)
        return Error(ENOENT);
    auto link = TRY(s_raw_tracepoint_attach(StringView(name), move(program)));
    TRY(link->publish());
    return TRY(install_link_fd(move(link), true));
}

}
