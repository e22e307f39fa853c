// RegisterState: the abstract value of one BPF register (or of a register spilled to the
// stack), Linux's struct bpf_reg_state. A value type: copy it, compare it, join it, print it.
//
//  - NotInit: never written (reads are rejected).
//  - Scalar: a number; `var_off` (Tnum) plus signed/unsigned 64- and 32-bit bounds. All five
//    describe the same set of values; sync_bounds() keeps them mutually tightened.
//  - pointers: the kind (`type`), a fixed offset `off` and a variable offset described by
//    `var_off` and the 64-bit bounds (the 32-bit bounds of pointers are unused), plus
//    kind-specific data: the map (map value/key, map pointer), `range` (packet: bytes known to
//    be inside the packet from the pointer; memory: the region size; function: subprogram).
//
// `id` links values that must change together: the several copies of one maybe-NULL pointer
// (a NULL check of one marks all), packet pointers derived from one variable offset, and
// scalars copied from one another (a branch on one narrows all; `linked_add_const` with `off`
// records "this = that + off"). `ref_obj_id` names the reference (ringbuf record) a pointer
// belongs to.
#pragma once

#include "bpf/verifier/Tnum.h"
#include "klib/String.h"

namespace bpf::verifier {

class MapDescriptor;

enum class RegType : u8 {
    NotInit,
    Scalar,
    PtrToCtx,
    ConstPtrToMap,
    PtrToMapValue,
    PtrToMapKey,
    PtrToStack,
    PtrToPacketMeta,
    PtrToPacket,
    PtrToPacketEnd,
    PtrToMem,
    PtrToFunc,
};

// Modifier bits of a pointer type (Linux's type flags).
constexpr u8 reg_flag_maybe_null = 1; // may be NULL until a NULL check
constexpr u8 reg_flag_rdonly = 2;     // memory the program may only read
constexpr u8 reg_flag_ringbuf = 4;    // a ring buffer record (PtrToMem)

// Packet range values below zero, after comparisons with the packet end (Linux's
// AT_PKT_END/BEYOND_PKT_END): the pointer is at, or beyond, the end.
constexpr i32 packet_range_at_end = -1;
constexpr i32 packet_range_beyond_end = -2;

constexpr u32 linked_add_const = 1u << 31; // id flag: scalar == linked scalar + off
constexpr i64 max_var_off = 1ll << 29;     // BPF_MAX_VAR_OFF

struct RegisterState {
    RegType type { RegType::NotInit };
    u8 flags { 0 };
    u8 frameno { 0 };  // PtrToStack: the frame it points into
    i32 off { 0 };     // pointers: fixed offset; linked scalars: the constant delta
    MapDescriptor const* map { nullptr }; // ConstPtrToMap, PtrToMapValue, PtrToMapKey
    i32 range { 0 };   // packet: verified bytes after the pointer; PtrToMem: size; PtrToFunc: subprogram
    u32 id { 0 };
    u32 ref_obj_id { 0 };
    Tnum var_off {};
    i64 smin { 0 };
    i64 smax { 0 };
    u64 umin { 0 };
    u64 umax { 0 };
    i32 s32_min { 0 };
    i32 s32_max { 0 };
    u32 u32_min { 0 };
    u32 u32_max { 0 };

    // ---- constructors -------------------------------------------------------------------
    static RegisterState not_init() { return {}; }
    static RegisterState unknown_scalar();
    static RegisterState known_scalar(u64 value);
    // A pointer of `type` with offset 0 and no variable part.
    static RegisterState pointer(RegType type, u8 flags = 0);

    // ---- queries ------------------------------------------------------------------------
    bool is_scalar() const { return type == RegType::Scalar; }
    bool is_pointer() const { return type != RegType::Scalar && type != RegType::NotInit; }
    bool is_packet_pointer() const { return type == RegType::PtrToPacket || type == RegType::PtrToPacketMeta; }
    bool is_packet_related() const { return is_packet_pointer() || type == RegType::PtrToPacketEnd; }
    bool maybe_null() const { return flags & reg_flag_maybe_null; }
    bool is_const() const { return var_off.is_const(); }
    bool is_const32() const { return var_off.subreg().is_const(); }
    // Known constant (64 or 32 bits per `is_32`) with consistent bounds.
    bool is_known_const(bool is_32) const;
    u64 const_value(bool is_32) const { return is_32 ? static_cast<u32>(var_off.value) : var_off.value; }
    bool is_known_zero() const { return type == RegType::Scalar && var_off.equals_const(0); }
    // Linux's reg_not_null(): a pointer that cannot be NULL.
    bool not_null() const;
    // Number of significant bits of the unsigned maximum (get_reg_width()).
    u32 width() const { return umax ? 64 - __builtin_clzll(umax) : 0; }

    // ---- bound maintenance --------------------------------------------------------------
    void mark_known(u64 value);
    void mark_known32(u32 value);
    void mark_unbounded();
    void mark_unbounded64();
    void mark_unbounded32();
    void update_bounds();
    void deduce_bounds();
    void bound_offset();
    // reg_bounds_sync(): propagate every fact between tnum and the four ranges.
    void sync_bounds();
    // Whether the bounds describe at least one value (false on an impossible branch).
    bool bounds_consistent() const;
    // Zero-extends the 32-bit result of an ALU32 operation into the whole register.
    void zext_32_to_64();
    // Truncates to `size` bytes (zero-extending loads); coerce_reg_to_size().
    void truncate_to(u8 size);
    // Sign-extends the low `size` bytes into 64 bits (MOVSX, LDXS); coerce_reg_to_size_sx().
    void sign_extend_from(u8 size);
    // Sign-extends the low `size` bytes into the low 32 bits (MOVSX32).
    void sign_extend32_from(u8 size);

    // ---- lattice ------------------------------------------------------------------------
    // Whether every concrete value (and pointer) *this may describe is also described by
    // `old` (Linux's range_within + tnum_in, plus equality of the non-numeric parts). Ids are
    // not compared here: see StateEquivalence.
    bool numerically_within(RegisterState const& old) const;
    // Least upper bound: a state describing every value of a and of b. Scalars join their
    // ranges; pointers of one kind into one object join their offsets; anything else joins to
    // NotInit, the top of the "what may the program do with it" order (no use is allowed).
    static RegisterState join(RegisterState const& a, RegisterState const& b);
    bool operator==(RegisterState const&) const = default;

    // ---- printing -----------------------------------------------------------------------
    // Linux's print_reg_state(): "scalar(smin=...)", "map_value(ks=4,vs=8)", "fp-8", "42".
    void print(StringBuilder& out, u8 current_frame) const;
};

char const* reg_type_name(RegType, u8 flags);
// Linux's verbose_snum/verbose_unum: small numbers in decimal, others in hex.
void print_snum(StringBuilder& out, i64 value);
void print_unum(StringBuilder& out, u64 value);

}
