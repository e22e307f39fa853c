// The kernel-side contexts of the program types this kernel runs through BPF_PROG_TEST_RUN:
// what r1 points at. Each starts with the UAPI structure the program was compiled against
// (struct __sk_buff, struct xdp_md, u64 args[]) so plain field reads work as they are; the
// packet pointers that UAPI only has as 32-bit offsets (__sk_buff.data/data_end,
// xdp_md.data/data_end/data_meta) are kept as real pointers after it. The verifier rewrites
// loads of those UAPI fields into 64-bit loads of the pointer fields here (Linux's
// convert_ctx_access): XDP's layout is the verifier's XdpRuntimeContext (checked below);
// socket filters cannot read __sk_buff.data at all, so their packet pointers are only for
// LD_ABS/LD_IND and bpf_skb_load_bytes.
//
// Pure layout definitions: no kernel services, usable by the verifier.
#pragma once

#include "bpf/verifier/types/XdpContext.h"
#include "klib/Types.h"
#include <linux/bpf.h>
#include <stddef.h>

namespace bpf::kernel {

// SOCKET_FILTER (and the other __sk_buff program types). The packet starts at the network
// header: Linux strips the Ethernet header before running a socket filter.
struct SkbContext {
    __sk_buff skb;  // len, protocol, pkt_type, mark, priority, ifindex, cb[], hash... filled in
    u64 data;       // first byte of the packet (what skb->data means for the program)
    u64 data_end;   // one past the last byte
    u64 data_meta;
};

// XDP: the frame sits in a buffer with XDP_PACKET_HEADROOM (256) bytes of headroom.
struct XdpContext {
    xdp_md md;      // ingress_ifindex, rx_queue_index, egress_ifindex (data fields unused)
    u64 data;
    u64 data_end;
    u64 data_meta;
    u64 data_hard_start; // start of the headroom
    u64 frame_end;       // end of the buffer (data_end may grow up to here)
};

// The verifier rewrites xdp_md loads for its XdpRuntimeContext; XdpContext extends that layout.
static_assert(offsetof(XdpContext, data) == offsetof(verifier::XdpRuntimeContext, data));
static_assert(offsetof(XdpContext, data_end) == offsetof(verifier::XdpRuntimeContext, data_end));
static_assert(offsetof(XdpContext, data_meta) == offsetof(verifier::XdpRuntimeContext, data_meta));
static_assert(offsetof(XdpContext, md.ingress_ifindex) == offsetof(verifier::XdpRuntimeContext, ingress_ifindex));
static_assert(offsetof(XdpContext, md.rx_queue_index) == offsetof(verifier::XdpRuntimeContext, rx_queue_index));

// The 64-bit field a verifier rewrite should load for a 32-bit UAPI packet field, or -1.
constexpr i32 skb_pointer_field(u32 uapi_offset)
{
    return uapi_offset == offsetof(__sk_buff, data) ? static_cast<i32>(offsetof(SkbContext, data))
        : uapi_offset == offsetof(__sk_buff, data_end) ? static_cast<i32>(offsetof(SkbContext, data_end))
        : uapi_offset == offsetof(__sk_buff, data_meta) ? static_cast<i32>(offsetof(SkbContext, data_meta))
                                                         : -1;
}

constexpr i32 xdp_pointer_field(u32 uapi_offset)
{
    return uapi_offset == offsetof(xdp_md, data) ? static_cast<i32>(offsetof(XdpContext, data))
        : uapi_offset == offsetof(xdp_md, data_end) ? static_cast<i32>(offsetof(XdpContext, data_end))
        : uapi_offset == offsetof(xdp_md, data_meta) ? static_cast<i32>(offsetof(XdpContext, data_meta))
                                                      : -1;
}

constexpr u32 xdp_packet_headroom = 256;    // XDP_PACKET_HEADROOM
constexpr u32 eth_header_length = 14;       // ETH_HLEN
constexpr u32 max_raw_tracepoint_args = 12; // MAX_BPF_FUNC_ARGS

}
