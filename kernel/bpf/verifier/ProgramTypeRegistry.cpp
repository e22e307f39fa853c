// The program-type registry (see ProgramType.h): a fixed table indexed by BPF_PROG_TYPE_*,
// written under a lock by registrations and read without one by the verifier.
#include "bpf/verifier/ProgramType.h"
#include "bpf/verifier/types/DefaultTypes.h"
#include "klib/Spinlock.h"
#include <linux/bpf.h>

namespace bpf::verifier {

namespace {

constexpr u32 max_types = 64;
ProgramTypeOps s_ops[max_types];
bool s_registered[max_types];
Spinlock s_lock;
bool s_defaults_done = false;

struct Name {
    char const* name;
    u32 type;
};
constexpr Name s_names[] = {
    { "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER },
    { "xdp", BPF_PROG_TYPE_XDP },
    { "kprobe", BPF_PROG_TYPE_KPROBE },
    { "tracepoint", BPF_PROG_TYPE_TRACEPOINT },
    { "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT },
    { "perf_event", BPF_PROG_TYPE_PERF_EVENT },
};

}

ErrorOr<void> register_program_type(ProgramTypeOps const& ops)
{
    if (ops.type == 0 || ops.type >= max_types || !ops.is_valid_access || !ops.name)
        return Error(EINVAL);
    SpinlockGuard guard(s_lock);
    s_ops[ops.type] = ops;
    s_registered[ops.type] = true;
    return {};
}

ProgramTypeOps const* program_type_ops(u32 type)
{
    if (type >= max_types || !s_registered[type])
        return nullptr;
    return &s_ops[type];
}

void register_default_program_types()
{
    {
        SpinlockGuard guard(s_lock);
        if (s_defaults_done)
            return;
        s_defaults_done = true;
    }
    // A subsystem that registered its own ops first keeps them.
    ProgramTypeOps const defaults[] = {
        types::socket_filter_ops(),
        types::xdp_ops(),
        types::kprobe_ops(),
        types::tracepoint_ops(),
        types::raw_tracepoint_ops(),
        types::perf_event_ops(),
    };
    for (auto const& ops : defaults) {
        if (!program_type_ops(ops.type))
            MUST(register_program_type(ops));
    }
}

bool program_type_from_name(StringView name, u32& type)
{
    for (auto const& entry : s_names) {
        if (name == StringView(entry.name)) {
            type = entry.type;
            return true;
        }
    }
    return false;
}

}
