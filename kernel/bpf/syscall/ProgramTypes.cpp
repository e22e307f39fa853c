// Supported program types and their type-specific helpers (see ProgramTypes.h).
#include "bpf/syscall/ProgramTypes.h"
#include "bpf/syscall/ProgramContexts.h"
#include "bpf/syscall/TestRun.h"
#include "klib/CString.h"

namespace bpf::kernel {

namespace {

// ---- Type-specific helpers ------------------------------------------------------------------

constexpr u64 xdp_frame_size = 40;      // sizeof(struct xdp_frame)
constexpr u64 skb_shared_info_size = 320; // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))

// bpf_skb_load_bytes(skb, offset, to, len): 0, or -EFAULT with `to` cleared.
u64 skb_load_bytes(u64 ctx, u64 offset, u64 to, u64 len, u64)
{
    auto const* skb = reinterpret_cast<SkbContext const*>(ctx);
    auto* destination = reinterpret_cast<u8*>(to);
    u64 available = skb->data_end - skb->data;
    if (offset > 0x7fffffffu || len > available || offset > available - len) {
        memset(destination, 0, len);
        return static_cast<u64>(-static_cast<i64>(EFAULT));
    }
    memcpy(destination, reinterpret_cast<u8 const*>(skb->data + offset), len);
    return 0;
}

// bpf_xdp_adjust_head(xdp, delta)
u64 xdp_adjust_head(u64 ctx, u64 delta, u64, u64, u64)
{
    auto* xdp = reinterpret_cast<XdpContext*>(ctx);
    i64 offset = static_cast<i32>(delta);
    u64 metalen = xdp->data_meta <= xdp->data ? xdp->data - xdp->data_meta : 0;
    u64 data_start = xdp->data_hard_start + xdp_frame_size + metalen;
    u64 data = xdp->data + offset;
    if (data < data_start || data > xdp->data_end - eth_header_length)
        return static_cast<u64>(-static_cast<i64>(EINVAL));
    if (metalen)
        memmove(reinterpret_cast<void*>(xdp->data_meta + offset), reinterpret_cast<void*>(xdp->data_meta), metalen);
    xdp->data_meta += offset;
    xdp->data = data;
    return 0;
}

// bpf_xdp_adjust_tail(xdp, delta)
u64 xdp_adjust_tail(u64 ctx, u64 delta, u64, u64, u64)
{
    auto* xdp = reinterpret_cast<XdpContext*>(ctx);
    i64 offset = static_cast<i32>(delta);
    u64 data_end = xdp->data_end + offset;
    if (data_end > xdp->frame_end || data_end < xdp->data + eth_header_length)
        return static_cast<u64>(-static_cast<i64>(EINVAL));
    if (offset > 0)
        memset(reinterpret_cast<void*>(xdp->data_end), 0, static_cast<usize>(offset));
    xdp->data_end = data_end;
    return 0;
}

#define PROTO(ID, NAME, FN, RET, A1, A2, A3, A4, A5, GPL, TYPES) \
    HelperProto { ID, NAME, FN, RET, { A1, A2, A3, A4, A5 }, GPL, false, false, TYPES }

constexpr u64 skb_types = program_type_bit(BPF_PROG_TYPE_SOCKET_FILTER);
constexpr u64 xdp_types = program_type_bit(BPF_PROG_TYPE_XDP);

HelperProto const s_type_protos[] = {
    PROTO(BPF_FUNC_skb_load_bytes, "skb_load_bytes", skb_load_bytes, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING,
        ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_DONTCARE, false, skb_types),
    PROTO(BPF_FUNC_xdp_adjust_head, "xdp_adjust_head", xdp_adjust_head, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING,
        ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, false, xdp_types),
    PROTO(BPF_FUNC_xdp_adjust_tail, "xdp_adjust_tail", xdp_adjust_tail, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING,
        ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, false, xdp_types),
};

constexpr u32 function_count = __BPF_FUNC_MAX_ID;
HelperFunction s_skb_helpers[function_count];
HelperFunction s_xdp_helpers[function_count];

// ---- Program types ---------------------------------------------------------------------------

ProgramTypeInfo const s_types[] = {
    { BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter", sizeof(__sk_buff), test_run_skb },
    { BPF_PROG_TYPE_KPROBE, "kprobe", 168 /* struct pt_regs */, nullptr },
    { BPF_PROG_TYPE_TRACEPOINT, "tracepoint", 0xffff /* the event's record */, nullptr },
    { BPF_PROG_TYPE_XDP, "xdp", sizeof(xdp_md), test_run_xdp },
    { BPF_PROG_TYPE_PERF_EVENT, "perf_event", 168 + 16 /* struct bpf_perf_event_data */, nullptr },
    { BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", max_raw_tracepoint_args * sizeof(u64), test_run_raw_tracepoint },
};

}

ProgramTypeInfo const* program_type_info(u32 type)
{
    for (auto const& info : s_types)
        if (info.type == type)
            return &info;
    return nullptr;
}

HelperProto const* program_helper_proto(u32 type, u32 id)
{
    for (auto const& proto : s_type_protos)
        if (proto.id == id && type < 64 && (proto.program_types & program_type_bit(type)))
            return &proto;
    return helper_proto(id);
}

HelperFunction const* program_helper_table(u32 type)
{
    switch (type) {
    case BPF_PROG_TYPE_SOCKET_FILTER:
        return s_skb_helpers;
    case BPF_PROG_TYPE_XDP:
        return s_xdp_helpers;
    default:
        return helper_table();
    }
}

void bpf_program_types_initialize()
{
    static_assert(function_count >= sizeof(s_skb_helpers) / sizeof(s_skb_helpers[0]));
    u32 base_count = helper_table_size();
    HelperFunction const* base = helper_table();
    for (u32 id = 0; id < function_count && id < base_count; ++id)
        s_skb_helpers[id] = s_xdp_helpers[id] = base[id];
    register_context_helpers(s_type_protos, sizeof(s_type_protos) / sizeof(s_type_protos[0]));
    for (auto const& proto : s_type_protos) {
        if (proto.program_types & skb_types)
            s_skb_helpers[proto.id] = proto.function;
        if (proto.program_types & xdp_types)
            s_xdp_helpers[proto.id] = proto.function;
    }
}

}
