// BPF_PROG_TYPE_KPROBE: the context is the probed task's x86_64 struct pt_regs (21 64-bit
// registers, 168 bytes); read-only, naturally aligned reads of any size inside it (Linux's
// kprobe_prog_is_valid_access). Runtime layout: the pt_regs image itself.
#include "bpf/verifier/types/DefaultTypes.h"
#include <linux/bpf.h>

namespace bpf::verifier::types {

namespace {

constexpr i32 pt_regs_size = 21 * 8; // sizeof(struct pt_regs) on x86_64

bool kprobe_is_valid_access(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access)
{
    (void)is_ldsx, (void)access;
    if (off < 0 || off >= pt_regs_size)
        return false;
    if (type != AccessType::Read)
        return false;
    if (off % static_cast<i32>(size))
        return false;
    return off + static_cast<i32>(size) <= pt_regs_size;
}

}

ProgramTypeOps kprobe_ops()
{
    ProgramTypeOps ops;
    ops.type = BPF_PROG_TYPE_KPROBE;
    ops.name = "kprobe";
    ops.context_size = pt_regs_size;
    ops.is_valid_access = kprobe_is_valid_access;
    ops.runtime_context_size = pt_regs_size;
    return ops;
}

}
