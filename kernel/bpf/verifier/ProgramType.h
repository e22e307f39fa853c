// Program types as the verifier sees them: which context fields a program may read or write,
// what a context load produces (a scalar or a packet pointer), how a context access is
// rewritten for the kernel's runtime context layout, whether LD_ABS/LD_IND are allowed and
// which return values are allowed. Linux's struct bpf_verifier_ops, one per program type.
//
// The registry is filled by the subsystem that owns each type (register_program_type());
// the six types the verifier ships defaults for (socket filter, XDP, kprobe, tracepoint,
// raw tracepoint, perf event) are registered by register_default_program_types(), which
// verify() calls once. Registration happens before programs are loaded; lookups take no lock.
#pragma once

#include "bpf/verifier/RegisterState.h"
#include "bpf/isa/Encoding.h"

namespace bpf::verifier {

enum class AccessType : u8 {
    Read,
    Write,
};

// What a valid context access means (Linux's bpf_insn_access_aux).
struct ContextAccess {
    RegType result { RegType::Scalar }; // a read yields a scalar or a packet pointer
    u8 field_size { 0 };                // the field's size when a narrower read is allowed
};

struct ProgramTypeOps {
    u32 type { 0 };        // BPF_PROG_TYPE_*
    char const* name { nullptr };
    u32 context_size { 0 }; // bytes of the context as the program sees it (UAPI struct)
    // Linux's is_valid_access(): whether [off, off + size) of the context may be accessed;
    // `is_ldsx` for sign-extending loads. Fills `access` for valid reads.
    bool (*is_valid_access)(i32 off, u32 size, AccessType type, bool is_ldsx, ContextAccess& access) { nullptr };
    // Rewrites a verified context load/store (LDX/STX/ST with the context pointer as base,
    // offset = the field offset) for the runtime context layout. nullptr: the runtime layout
    // is the UAPI layout, nothing to rewrite. Returns false if the access cannot be converted.
    bool (*convert_access)(isa::RawInstruction& insn, u32 field_offset, u8 access_size) { nullptr };
    // Bytes of the runtime context (what the kernel passes in r1), for tests and checked runs.
    u32 runtime_context_size { 0 };
    bool allows_ld_abs { false };       // LD_ABS/LD_IND (may_access_skb)
    bool packet_writable { false };     // stores through packet pointers (may_access_direct_pkt_data)
    bool has_return_range { false };
    i64 return_min { 0 };
    i64 return_max { 0 };
};

// Registers (or replaces) the ops of one program type. EINVAL for an invalid description.
ErrorOr<void> register_program_type(ProgramTypeOps const& ops);
// nullptr when the type is not registered.
ProgramTypeOps const* program_type_ops(u32 type);
// The six default registrations; idempotent.
void register_default_program_types();
// "socket_filter", "xdp", ... -> BPF_PROG_TYPE_*; false when unknown.
bool program_type_from_name(StringView name, u32& type);

}
