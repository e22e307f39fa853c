// BPF_PROG_TYPE_PERF_EVENT: the context is struct bpf_perf_event_data { pt_regs regs;
// u64 sample_period; u64 addr; } (Linux's pe_prog_is_valid_access): read-only; the registers
// only as whole 64-bit words, sample_period and addr also narrower (aligned, power of two).
// Runtime layout: a bpf_perf_event_data image.
#include "bpf/verifier/types/DefaultTypes.h"
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <stddef.h>

namespace bpf::verifier::types {

namespace {

constexpr i32 data_size = 21 * 8 + 16; // x86_64 pt_regs + sample_period + addr
constexpr i32 sample_period_offset = 21 * 8;
constexpr i32 addr_offset = 21 * 8 + 8;

bool perf_event_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    (void)is_ldsx;
    if (off < 0 || off >= data_size)
        return false;
    if (type != AccessType::Read)
        return false;
    if (off % static_cast<i32>(size))
        return false;
    if ((off >= sample_period_offset && off < sample_period_offset + 8) || (off >= addr_offset && off < addr_offset + 8)) {
        access.field_size = 8;
        return narrow_access_ok(size, 8);
    }
    return size == 8;
}

}

ProgramTypeOps perf_event_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_PERF_EVENT;
    ops.name = "perf_event";
    ops.context_size = data_size;
    ops.is_valid_access = perf_event_is_valid_access;
    ops.runtime_context_size = data_size;
    return ops;
}

}
