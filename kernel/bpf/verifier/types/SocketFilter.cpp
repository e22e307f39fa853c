// BPF_PROG_TYPE_SOCKET_FILTER: the context is struct __sk_buff (Linux's
// sk_filter_is_valid_access + bpf_skb_is_valid_access). Socket filters read the packet with
// LD_ABS/LD_IND only: data/data_end/data_meta, the socket fields (family..local_port),
// tc_classid, the timestamps and wire_len are not readable, and only cb[] is writable.
// Runtime layout: the kernel passes a struct __sk_buff image (no rewrite needed); the
// `sk` pointer field is not offered (this kernel has no socket pointer type) and is rejected.
#include "bpf/verifier/types/DefaultTypes.h"
#include <linux/bpf.h>
#include <stddef.h>

namespace bpf::verifier::types {

namespace {

#define FIELD_START(f) static_cast<i32>(offsetof(struct __sk_buff, f))
#define FIELD_END(f) static_cast<i32>(offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff*)nullptr)->f))

bool in_field(i32 off, i32 start, i32 end) { return off >= start && off < end; }

bool skb_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    (void)is_ldsx;
    if (off < 0 || off >= static_cast<i32>(sizeof(struct __sk_buff)))
        return false;
    if (off % static_cast<i32>(size))
        return false;
    if (in_field(off, FIELD_START(cb[0]), FIELD_END(cb[4])))
        return off + static_cast<i32>(size) <= FIELD_END(cb[4]);
    if (in_field(off, FIELD_START(flow_keys), FIELD_END(flow_keys)))
        return false;
    if (in_field(off, FIELD_START(sk), FIELD_END(sk)))
        return false; // PTR_TO_SOCK_COMMON_OR_NULL is not supported
    if (in_field(off, FIELD_START(tstamp_type), FIELD_START(hwtstamp)))
        return false; // tstamp_type and the padding after it
    if (type == AccessType::Write)
        return size == 4;
    access.field_size = 4;
    return narrow_access_ok(size, 4);
}

bool socket_filter_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    if (in_field(off, FIELD_START(tc_classid), FIELD_END(tc_classid)) || in_field(off, FIELD_START(data), FIELD_END(data))
        || in_field(off, FIELD_START(data_meta), FIELD_END(data_meta)) || in_field(off, FIELD_START(data_end), FIELD_END(data_end))
        || in_field(off, FIELD_START(family), FIELD_END(local_port)) || in_field(off, FIELD_START(tstamp), FIELD_END(tstamp))
        || in_field(off, FIELD_START(wire_len), FIELD_END(wire_len)) || in_field(off, FIELD_START(hwtstamp), FIELD_END(hwtstamp)))
        return false;
    if (type == AccessType::Write && !in_field(off, FIELD_START(cb[0]), FIELD_END(cb[4])))
        return false;
    return skb_is_valid_access(off, size, type, is_ldsx, access);
}

}

ProgramTypeOps socket_filter_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_SOCKET_FILTER;
    ops.name = "socket_filter";
    ops.context_size = sizeof(struct __sk_buff);
    ops.is_valid_access = socket_filter_is_valid_access;
    ops.runtime_context_size = sizeof(struct __sk_buff);
    ops.allows_ld_abs = true;
    return ops;
}

}
