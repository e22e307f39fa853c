// BPF_PROG_TYPE_XDP: the context is struct xdp_md (Linux's xdp_is_valid_access): read-only,
// 4-byte reads of whole fields; data, data_meta and data_end produce packet pointers;
// egress_ifindex only for BPF_XDP_DEVMAP programs (rejected here: no devmap attach type).
//
// Runtime layout (XdpRuntimeContext below): the u32 fields where xdp_md has them, followed by
// the three packet pointers as 64-bit values; loads of data/data_end/data_meta are rewritten
// into 64-bit loads of those.
#include "bpf/verifier/types/DefaultTypes.h"
#include "bpf/verifier/types/XdpContext.h"
#include <linux/bpf.h>
#include <stddef.h>

namespace bpf::verifier::types {

namespace {

bool xdp_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    if (off == static_cast<i32>(offsetof(struct xdp_md, egress_ifindex)))
        return false;
    if (type == AccessType::Write)
        return false;
    if (is_ldsx)
        return false;
    if (off == static_cast<i32>(offsetof(struct xdp_md, data)))
        access.result = RegType::PtrToPacket;
    else if (off == static_cast<i32>(offsetof(struct xdp_md, data_meta)))
        access.result = RegType::PtrToPacketMeta;
    else if (off == static_cast<i32>(offsetof(struct xdp_md, data_end)))
        access.result = RegType::PtrToPacketEnd;
    if (off < 0 || off >= static_cast<i32>(sizeof(struct xdp_md)))
        return false;
    if (off % static_cast<i32>(size))
        return false;
    return size == 4;
}

bool xdp_convert_access(isa::RawInstruction& insn, u32 field_offset, u8 access_size)
{
    (void)access_size;
    i16 pointer_offset;
    switch (field_offset) {
    case offsetof(struct xdp_md, data):
        pointer_offset = offsetof(XdpRuntimeContext, data);
        break;
    case offsetof(struct xdp_md, data_end):
        pointer_offset = offsetof(XdpRuntimeContext, data_end);
        break;
    case offsetof(struct xdp_md, data_meta):
        pointer_offset = offsetof(XdpRuntimeContext, data_meta);
        break;
    default:
        return true; // the u32 fields keep their offsets
    }
    using namespace isa::encoding;
    if (op_class(insn.opcode) != class_ldx)
        return false;
    insn.opcode = class_ldx | mode_mem | size_dw;
    insn.offset = pointer_offset;
    return true;
}

}

ProgramTypeOps xdp_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_XDP;
    ops.name = "xdp";
    ops.context_size = sizeof(struct xdp_md);
    ops.is_valid_access = xdp_is_valid_access;
    ops.convert_access = xdp_convert_access;
    ops.runtime_context_size = sizeof(XdpRuntimeContext);
    ops.packet_writable = true;
    return ops;
}

}
