// Host registration of the context helper prototypes (see HostContextHelpers.h). The
// prototypes match kernel/bpf/syscall/ProgramTypes.cpp; the function pointers are null
// because only the checked interpreter runs these programs on the host.
#include "HostContextHelpers.h"
#include "bpf/helpers/HelperProto.h"

namespace bpfvm {

namespace {

using namespace bpf;

constexpr u64 skb_types = program_type_bit(BPF_PROG_TYPE_SOCKET_FILTER);
constexpr u64 xdp_types = program_type_bit(BPF_PROG_TYPE_XDP);

HelperProto const s_context_protos[] = {
    { BPF_FUNC_skb_load_bytes, "skb_load_bytes", nullptr, RET_INTEGER,
        { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_DONTCARE }, false, false, false, skb_types },
    { BPF_FUNC_xdp_adjust_head, "xdp_adjust_head", nullptr, RET_INTEGER,
        { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE }, false, false, false, xdp_types },
    { BPF_FUNC_xdp_adjust_tail, "xdp_adjust_tail", nullptr, RET_INTEGER,
        { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE }, false, false, false, xdp_types },
};

}

void register_host_context_helpers()
{
    static bool registered = false;
    if (registered)
        return;
    registered = true;
    register_context_helpers(s_context_protos, sizeof(s_context_protos) / sizeof(s_context_protos[0]));
}

}
