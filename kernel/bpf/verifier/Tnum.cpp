// Tnum arithmetic (see Tnum.h). Follows the algorithms of Linux's kernel/bpf/tnum.c, whose
// soundness proofs (Vishwanathan et al., "Verifying the verifier: eBPF range analysis
// verification", CAV 2023) apply unchanged.
#include "bpf/verifier/Tnum.h"
#include "klib/Format.h"

namespace bpf::verifier {

Tnum Tnum::range(u64 min, u64 max)
{
    u64 chi = min ^ max;
    if (chi == 0)
        return constant(min);
    u8 bits = static_cast<u8>(64 - __builtin_clzll(chi));
    if (bits > 63)
        return unknown();
    u64 delta = (1ull << bits) - 1;
    return { min & ~delta, delta };
}

bool Tnum::contains(Tnum b) const
{
    if (b.mask & ~mask)
        return false;
    return value == (b.value & ~mask);
}

bool Tnum::is_aligned(u64 size) const
{
    if (!size)
        return true;
    return !((value | mask) & (size - 1));
}

Tnum Tnum::subreg() const { return cast(4); }
Tnum Tnum::clear_subreg() const { return tnum_lshift(tnum_rshift(*this, 32), 32); }
Tnum Tnum::with_subreg(Tnum sub) const { return tnum_or(clear_subreg(), sub.subreg()); }
Tnum Tnum::with_const_subreg(u32 v) const { return with_subreg(constant(v)); }

Tnum Tnum::cast(u8 size) const
{
    if (size >= 8)
        return *this;
    u64 keep = (1ull << (size * 8)) - 1;
    return { value & keep, mask & keep };
}

int Tnum::format(char* buffer, usize size) const
{
    if (mask == 0) {
        if (value <= 0xffff)
            return klib::format(buffer, size, "%llu", static_cast<unsigned long long>(value));
        return klib::format(buffer, size, "0x%llx", static_cast<unsigned long long>(value));
    }
    return klib::format(buffer, size, "(0x%llx; 0x%llx)", static_cast<unsigned long long>(value), static_cast<unsigned long long>(mask));
}

Tnum tnum_lshift(Tnum a, u8 shift) { return { a.value << shift, a.mask << shift }; }
Tnum tnum_rshift(Tnum a, u8 shift) { return { a.value >> shift, a.mask >> shift }; }

Tnum tnum_arshift(Tnum a, u8 shift, u8 insn_bitness)
{
    // The sign bit of the operand width spreads into the vacated bits, known or unknown.
    if (insn_bitness == 32) {
        return { static_cast<u32>(static_cast<i32>(static_cast<u32>(a.value)) >> shift),
            static_cast<u32>(static_cast<i32>(static_cast<u32>(a.mask)) >> shift) };
    }
    return { static_cast<u64>(static_cast<i64>(a.value) >> shift), static_cast<u64>(static_cast<i64>(a.mask) >> shift) };
}

Tnum tnum_add(Tnum a, Tnum b)
{
    u64 sm = a.mask + b.mask;
    u64 sv = a.value + b.value;
    u64 sigma = sm + sv;
    u64 chi = sigma ^ sv;
    u64 mu = chi | a.mask | b.mask;
    return { sv & ~mu, mu };
}

Tnum tnum_sub(Tnum a, Tnum b)
{
    u64 dv = a.value - b.value;
    u64 alpha = dv + a.mask;
    u64 beta = dv - b.mask;
    u64 chi = alpha ^ beta;
    u64 mu = chi | a.mask | b.mask;
    return { dv & ~mu, mu };
}

Tnum tnum_neg(Tnum a) { return tnum_sub(Tnum::constant(0), a); }

Tnum tnum_and(Tnum a, Tnum b)
{
    u64 alpha = a.value | a.mask;
    u64 beta = b.value | b.mask;
    u64 v = a.value & b.value;
    return { v, alpha & beta & ~v };
}

Tnum tnum_or(Tnum a, Tnum b)
{
    u64 v = a.value | b.value;
    u64 mu = a.mask | b.mask;
    return { v, mu & ~v };
}

Tnum tnum_xor(Tnum a, Tnum b)
{
    u64 v = a.value ^ b.value;
    u64 mu = a.mask | b.mask;
    return { v & ~mu, mu };
}

// Multiplication as shift-and-add over the bits of a: known 1 bits add b, unknown bits add
// b's possible values (value 0 with b's value|mask unknown).
Tnum tnum_mul(Tnum a, Tnum b)
{
    Tnum acc_v = Tnum::constant(a.value * b.value);
    Tnum acc_m = Tnum::constant(0);
    while (a.value || a.mask) {
        if (a.value & 1)
            acc_m = tnum_add(acc_m, Tnum { 0, b.mask });
        else if (a.mask & 1)
            acc_m = tnum_add(acc_m, Tnum { 0, b.value | b.mask });
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return tnum_add(acc_v, acc_m);
}

Tnum tnum_intersect(Tnum a, Tnum b)
{
    u64 v = a.value | b.value;
    u64 mu = a.mask & b.mask;
    return { v & ~mu, mu };
}

Tnum tnum_union(Tnum a, Tnum b)
{
    u64 v = a.value & b.value;
    u64 mu = (a.value ^ b.value) | a.mask | b.mask;
    return { v & ~mu, mu };
}

}
