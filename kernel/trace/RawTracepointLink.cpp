// Raw tracepoint links (BPF_RAW_TRACEPOINT_OPEN): a RAW_TRACEPOINT program attached to a
// tracepoint by its bare name, run with ctx = the tracepoint's arguments as u64 args[], like
// Linux's bpf_trace_run<N>(). Installed into the bpf() layer with set_raw_tracepoint_attach().
//
// Linux's rules: an unknown name (or a per-syscall event, which is not a raw tracepoint)
// gives ENOENT; a program reading past the tracepoint's arguments gives EINVAL; writable raw
// tracepoint programs need a writable tracepoint (there are none: EINVAL). The link detaches
// when its last reference goes; LINK_DETACH and LINK_UPDATE are not supported (as on Linux).
#include "bpf/syscall/AttachPoints.h"
#include "klib/CString.h"
#include "mm/UserBuffer.h"
#include "klib/String.h"
#include "trace/BpfRun.h"
#include "trace/Tracepoint.h"

namespace trace {

namespace {

using namespace bpf::kernel;

class RawTracepointLink final : public LinkObject, public TracepointListener {
public:
    RawTracepointLink(Tracepoint& tracepoint, RefPtr<ProgramObject> program)
        : LinkObject(BPF_LINK_TYPE_RAW_TRACEPOINT, program)
        , m_tracepoint(tracepoint)
        , m_program(move(program))
    {
    }
    ~RawTracepointLink() override
    {
        if (m_attached)
            m_tracepoint.remove_listener(*this);
    }

    ErrorOr<void> attach()
    {
        TRY(m_tracepoint.add_listener(*this));
        m_attached = true;
        return {};
    }

    bool wants_record() const override { return false; }
    void on_hit(TracepointHit const& hit) override
    {
        u64 args[max_tracepoint_args] {};
        memcpy(args, hit.args, min(hit.arg_count, max_tracepoint_args) * sizeof(u64));
        run_traced_program(*m_program, args, TraceContext { hit.regs, 0, 0 });
    }

    ErrorOr<void> fill_info(bpf_link_info& info) const override
    {
        // tp_name/tp_name_len: the name with its NUL; ENOSPC when the buffer is too small
        // (Linux copies what fits).
        StringView name = m_tracepoint.name();
        u32 needed = static_cast<u32>(name.length() + 1);
        u64 user_name = info.raw_tracepoint.tp_name;
        u32 user_length = info.raw_tracepoint.tp_name_len;
        info.raw_tracepoint.tp_name_len = needed;
        if (!user_name && user_length)
            return Error(EINVAL);
        if (!user_name)
            return {};
        char buffer[64] {};
        memcpy(buffer, name.chars(), min<usize>(name.length(), sizeof buffer - 1));
        u32 copy = min(user_length, needed);
        if (copy) {
            TRY(copy_to_user(user_name, buffer, copy - 1));
            char nul = 0;
            TRY(copy_to_user(user_name + copy - 1, &nul, 1));
        }
        return user_length < needed ? ErrorOr<void>(Error(ENOSPC)) : ErrorOr<void>();
    }

    ErrorOr<void> show_fdinfo(StringBuilder& out) const override
    {
        StringView name = m_tracepoint.name();
        return out.try_appendf("tp_name:\t%.*s\ncookie:\t0\n", static_cast<int>(name.length()), name.chars());
    }

private:
    Tracepoint& m_tracepoint;
    RefPtr<ProgramObject> m_program;
    bool m_attached { false };
};

ErrorOr<RefPtr<LinkObject>> attach_raw_tracepoint(StringView name, RefPtr<ProgramObject> program)
{
    Tracepoint* tracepoint = find_tracepoint_by_name(name);
    if (!tracepoint)
        return Error(ENOENT);
    if (program->type() == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE)
        return Error(EINVAL);
    if (program->info().max_context_offset > tracepoint->definition().arg_count * sizeof(u64))
        return Error(EINVAL);
    auto link = TRY(adopt_ref_or_enomem(new (std::nothrow) RawTracepointLink(*tracepoint, move(program))));
    TRY(link->attach());
    return RefPtr<LinkObject>(move(link));
}

}

void raw_tracepoints_initialize() { set_raw_tracepoint_attach(attach_raw_tracepoint); }

}
