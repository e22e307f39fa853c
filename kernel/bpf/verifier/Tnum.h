// Tnum: a "tristate number" (Linux's struct tnum), the bit-level half of a scalar's abstract
// value. Each of the 64 bits is known 0, known 1 or unknown: `mask` has a 1 for every unknown
// bit and `value` holds the known bits. Invariant: (value & mask) == 0.
//
// Every operation over-approximates: for all concrete x in a and y in b, (x op y) is in
// (a op b). The set of concrete values of a tnum t is { x : (x & ~t.mask) == t.value }.
#pragma once

#include "klib/Types.h"

namespace bpf::verifier {

struct Tnum {
    u64 value { 0 };
    u64 mask { 0 };

    static constexpr Tnum constant(u64 value) { return { value, 0 }; }
    static constexpr Tnum unknown() { return { 0, ~0ull }; }
    // The smallest tnum containing every value of [min, max] (unsigned).
    static Tnum range(u64 min, u64 max);

    constexpr bool is_const() const { return mask == 0; }
    constexpr bool is_unknown() const { return mask == ~0ull; }
    constexpr bool equals_const(u64 v) const { return mask == 0 && value == v; }
    constexpr bool operator==(Tnum const&) const = default;
    // Minimum and maximum concrete unsigned values.
    constexpr u64 umin() const { return value; }
    constexpr u64 umax() const { return value | mask; }

    // Whether every value of b is also a value of *this (b is a subset).
    bool contains(Tnum b) const;
    // Whether every value is a multiple of `size` (a power of two).
    bool is_aligned(u64 size) const;

    // The low 32 bits (zero-extended), and helpers for the 32-bit half of a register.
    Tnum subreg() const;
    Tnum clear_subreg() const;
    Tnum with_subreg(Tnum subreg) const;
    Tnum with_const_subreg(u32 value) const;
    // Truncates to `size` bytes (zero-extending).
    Tnum cast(u8 size) const;

    // Writes "0x5" for a constant, else "(0x0; 0xff)" (Linux's tnum_strn); returns the length.
    int format(char* buffer, usize size) const;
};

Tnum tnum_lshift(Tnum a, u8 shift);
Tnum tnum_rshift(Tnum a, u8 shift);
Tnum tnum_arshift(Tnum a, u8 shift, u8 insn_bitness);
Tnum tnum_add(Tnum a, Tnum b);
Tnum tnum_sub(Tnum a, Tnum b);
Tnum tnum_neg(Tnum a);
Tnum tnum_and(Tnum a, Tnum b);
Tnum tnum_or(Tnum a, Tnum b);
Tnum tnum_xor(Tnum a, Tnum b);
Tnum tnum_mul(Tnum a, Tnum b);
// Values in both a and b (a and b must overlap; used when two facts about one value combine).
Tnum tnum_intersect(Tnum a, Tnum b);
// The smallest tnum containing every value of a and every value of b.
Tnum tnum_union(Tnum a, Tnum b);

}
