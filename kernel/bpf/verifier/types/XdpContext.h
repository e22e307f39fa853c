// The runtime context of XDP programs in this kernel: what r1 points to when an XDP program
// runs. The verifier rewrites xdp_md loads to this layout (types/Xdp.cpp); the network code
// that runs XDP programs fills it.
#pragma once

#include "klib/Types.h"

namespace bpf::verifier {

struct XdpRuntimeContext {
    u32 data_uapi;          // xdp_md.data (never read: loads are rewritten to `data`)
    u32 data_end_uapi;      // xdp_md.data_end
    u32 data_meta_uapi;     // xdp_md.data_meta
    u32 ingress_ifindex;    // xdp_md.ingress_ifindex
    u32 rx_queue_index;     // xdp_md.rx_queue_index
    u32 egress_ifindex;     // xdp_md.egress_ifindex
    u64 data;               // first packet byte
    u64 data_end;           // one past the last packet byte
    u64 data_meta;          // first metadata byte (== data when there is none)
};
static_assert(sizeof(XdpRuntimeContext) == 48);

}
