// Scalar ALU transfer functions (see ScalarAlu.h). Each operation computes the tnum and the
// four ranges separately; RegisterState::sync_bounds() then lets them tighten each other.
#include "bpf/verifier/ScalarAlu.h"

namespace bpf::verifier {

namespace {

void signed_from_unsigned32(RegisterState& r)
{
    if (static_cast<i32>(r.u32_min) <= static_cast<i32>(r.u32_max)) {
        r.s32_min = static_cast<i32>(r.u32_min);
        r.s32_max = static_cast<i32>(r.u32_max);
    } else {
        r.s32_min = INT32_MIN;
        r.s32_max = INT32_MAX;
    }
}

void signed_from_unsigned64(RegisterState& r)
{
    if (static_cast<i64>(r.umin) <= static_cast<i64>(r.umax)) {
        r.smin = static_cast<i64>(r.umin);
        r.smax = static_cast<i64>(r.umax);
    } else {
        r.smin = INT64_MIN;
        r.smax = INT64_MAX;
    }
}

void scalar32_sub(RegisterState& d, RegisterState const& s)
{
    i32 smin, smax;
    if (__builtin_sub_overflow(d.s32_min, s.s32_max, &smin) || __builtin_sub_overflow(d.s32_max, s.s32_min, &smax)) {
        d.s32_min = INT32_MIN;
        d.s32_max = INT32_MAX;
    } else {
        d.s32_min = smin;
        d.s32_max = smax;
    }
    u32 umin, umax;
    bool min_under = __builtin_sub_overflow(d.u32_min, s.u32_max, &umin);
    bool max_under = __builtin_sub_overflow(d.u32_max, s.u32_min, &umax);
    if (min_under && !max_under) {
        d.u32_min = 0;
        d.u32_max = UINT32_MAX;
    } else {
        d.u32_min = umin;
        d.u32_max = umax;
    }
}

void scalar64_sub(RegisterState& d, RegisterState const& s)
{
    i64 smin, smax;
    if (__builtin_sub_overflow(d.smin, s.smax, &smin) || __builtin_sub_overflow(d.smax, s.smin, &smax)) {
        d.smin = INT64_MIN;
        d.smax = INT64_MAX;
    } else {
        d.smin = smin;
        d.smax = smax;
    }
    u64 umin, umax;
    bool min_under = __builtin_sub_overflow(d.umin, s.umax, &umin);
    bool max_under = __builtin_sub_overflow(d.umax, s.umin, &umax);
    if (min_under && !max_under) {
        d.umin = 0;
        d.umax = UINT64_MAX;
    } else {
        d.umin = umin;
        d.umax = umax;
    }
}

void scalar32_mul(RegisterState& d, RegisterState const& s)
{
    u32 umin, umax;
    if (__builtin_mul_overflow(d.u32_max, s.u32_max, &umax) || __builtin_mul_overflow(d.u32_min, s.u32_min, &umin)) {
        d.u32_min = 0;
        d.u32_max = UINT32_MAX;
    } else {
        d.u32_min = umin;
        d.u32_max = umax;
    }
    i32 p[4];
    if (__builtin_mul_overflow(d.s32_min, s.s32_min, &p[0]) || __builtin_mul_overflow(d.s32_min, s.s32_max, &p[1])
        || __builtin_mul_overflow(d.s32_max, s.s32_min, &p[2]) || __builtin_mul_overflow(d.s32_max, s.s32_max, &p[3])) {
        d.s32_min = INT32_MIN;
        d.s32_max = INT32_MAX;
    } else {
        d.s32_min = min(min(p[0], p[1]), min(p[2], p[3]));
        d.s32_max = max(max(p[0], p[1]), max(p[2], p[3]));
    }
}

void scalar64_mul(RegisterState& d, RegisterState const& s)
{
    u64 umin, umax;
    if (__builtin_mul_overflow(d.umax, s.umax, &umax) || __builtin_mul_overflow(d.umin, s.umin, &umin)) {
        d.umin = 0;
        d.umax = UINT64_MAX;
    } else {
        d.umin = umin;
        d.umax = umax;
    }
    i64 p[4];
    if (__builtin_mul_overflow(d.smin, s.smin, &p[0]) || __builtin_mul_overflow(d.smin, s.smax, &p[1])
        || __builtin_mul_overflow(d.smax, s.smin, &p[2]) || __builtin_mul_overflow(d.smax, s.smax, &p[3])) {
        d.smin = INT64_MIN;
        d.smax = INT64_MAX;
    } else {
        d.smin = min(min(p[0], p[1]), min(p[2], p[3]));
        d.smax = max(max(p[0], p[1]), max(p[2], p[3]));
    }
}

// AND/OR/XOR run after var_off already holds the result's known bits.
void scalar32_and(RegisterState& d, RegisterState const& s)
{
    Tnum sub = d.var_off.subreg();
    if (s.var_off.subreg().is_const() && sub.is_const()) {
        d.mark_known32(static_cast<u32>(sub.value));
        return;
    }
    d.u32_min = static_cast<u32>(sub.value);
    d.u32_max = min(d.u32_max, s.u32_max);
    signed_from_unsigned32(d);
}

void scalar64_and(RegisterState& d, RegisterState const& s)
{
    if (s.var_off.is_const() && d.var_off.is_const()) {
        d.mark_known(d.var_off.value);
        return;
    }
    d.umin = d.var_off.value;
    d.umax = min(d.umax, s.umax);
    signed_from_unsigned64(d);
    d.update_bounds();
}

void scalar32_or(RegisterState& d, RegisterState const& s)
{
    Tnum sub = d.var_off.subreg();
    if (s.var_off.subreg().is_const() && sub.is_const()) {
        d.mark_known32(static_cast<u32>(sub.value));
        return;
    }
    d.u32_min = max(d.u32_min, s.u32_min);
    d.u32_max = static_cast<u32>(sub.value | sub.mask);
    signed_from_unsigned32(d);
}

void scalar64_or(RegisterState& d, RegisterState const& s)
{
    if (s.var_off.is_const() && d.var_off.is_const()) {
        d.mark_known(d.var_off.value);
        return;
    }
    d.umin = max(d.umin, s.umin);
    d.umax = d.var_off.value | d.var_off.mask;
    signed_from_unsigned64(d);
    d.update_bounds();
}

void scalar32_xor(RegisterState& d, RegisterState const& s)
{
    Tnum sub = d.var_off.subreg();
    if (s.var_off.subreg().is_const() && sub.is_const()) {
        d.mark_known32(static_cast<u32>(sub.value));
        return;
    }
    d.u32_min = static_cast<u32>(sub.value);
    d.u32_max = static_cast<u32>(sub.value | sub.mask);
    signed_from_unsigned32(d);
}

void scalar64_xor(RegisterState& d, RegisterState const& s)
{
    if (s.var_off.is_const() && d.var_off.is_const()) {
        d.mark_known(d.var_off.value);
        return;
    }
    d.umin = d.var_off.value;
    d.umax = d.var_off.value | d.var_off.mask;
    signed_from_unsigned64(d);
    d.update_bounds();
}

void scalar32_lsh_bounds(RegisterState& d, u64 umin_val, u64 umax_val)
{
    d.s32_min = INT32_MIN;
    d.s32_max = INT32_MAX;
    if (umax_val > 31 || d.u32_max > (1ull << (31 - umax_val))) {
        d.u32_min = 0;
        d.u32_max = UINT32_MAX;
    } else {
        d.u32_min <<= umin_val;
        d.u32_max <<= umax_val;
    }
}

void scalar32_lsh(RegisterState& d, RegisterState const& s)
{
    Tnum sub = d.var_off.subreg();
    scalar32_lsh_bounds(d, s.u32_min, s.u32_max);
    d.var_off = tnum_lshift(sub, static_cast<u8>(s.u32_min)).subreg();
    d.mark_unbounded64();
    d.update_bounds();
}

void scalar64_lsh(RegisterState& d, RegisterState const& s)
{
    u64 umin_val = s.umin, umax_val = s.umax;
    // "<< 32" of a non-negative s32 keeps a signed range (the compilers' sign-extension idiom).
    if (umin_val == 32 && umax_val == 32 && d.s32_max >= 0)
        d.smax = static_cast<i64>(static_cast<u64>(static_cast<i64>(d.s32_max)) << 32);
    else
        d.smax = INT64_MAX;
    if (umin_val == 32 && umax_val == 32 && d.s32_min >= 0)
        d.smin = static_cast<i64>(static_cast<u64>(static_cast<i64>(d.s32_min)) << 32);
    else
        d.smin = INT64_MIN;
    if (d.umax > (1ull << (63 - umax_val))) {
        d.umin = 0;
        d.umax = UINT64_MAX;
    } else {
        d.umin <<= umin_val;
        d.umax <<= umax_val;
    }
    scalar32_lsh_bounds(d, umin_val, umax_val);
    d.var_off = tnum_lshift(d.var_off, static_cast<u8>(umin_val));
    d.update_bounds();
}

void scalar32_rsh(RegisterState& d, RegisterState const& s)
{
    Tnum sub = d.var_off.subreg();
    d.s32_min = INT32_MIN;
    d.s32_max = INT32_MAX;
    d.var_off = tnum_rshift(sub, static_cast<u8>(s.u32_min));
    d.u32_min >>= s.u32_max;
    d.u32_max >>= s.u32_min;
    d.mark_unbounded64();
    d.update_bounds();
}

void scalar64_rsh(RegisterState& d, RegisterState const& s)
{
    d.smin = INT64_MIN;
    d.smax = INT64_MAX;
    d.var_off = tnum_rshift(d.var_off, static_cast<u8>(s.umin));
    d.umin >>= s.umax;
    d.umax >>= s.umin;
    d.mark_unbounded32();
    d.update_bounds();
}

void scalar32_arsh(RegisterState& d, RegisterState const& s)
{
    u8 shift = static_cast<u8>(s.u32_min);
    d.s32_min = d.s32_min >> shift;
    d.s32_max = d.s32_max >> shift;
    d.var_off = tnum_arshift(d.var_off.subreg(), shift, 32);
    d.u32_min = 0;
    d.u32_max = UINT32_MAX;
    d.mark_unbounded64();
    d.update_bounds();
}

void scalar64_arsh(RegisterState& d, RegisterState const& s)
{
    u8 shift = static_cast<u8>(s.umin);
    d.smin >>= shift;
    d.smax >>= shift;
    d.var_off = tnum_arshift(d.var_off, shift, 64);
    d.umin = 0;
    d.umax = UINT64_MAX;
    d.mark_unbounded32();
    d.update_bounds();
}

// Linux's is_safe_to_compute_dst_reg_range(): shifts only by a known, in-range amount;
// division and modulo are not tracked.
bool computable(AluOp op, RegisterState const& src, bool alu32)
{
    switch (op) {
    case AluOp::Add:
    case AluOp::Sub:
    case AluOp::Neg:
    case AluOp::And:
    case AluOp::Xor:
    case AluOp::Or:
    case AluOp::Mul:
        return true;
    case AluOp::Lsh:
    case AluOp::Rsh:
    case AluOp::Arsh:
        if (alu32)
            return src.is_known_const(true) && src.u32_max < 32;
        return src.is_known_const(false) && src.umax < 64;
    default:
        return false;
    }
}

}

void scalar32_add(RegisterState& d, RegisterState const& s)
{
    i32 smin, smax;
    if (__builtin_add_overflow(d.s32_min, s.s32_min, &smin) || __builtin_add_overflow(d.s32_max, s.s32_max, &smax)) {
        d.s32_min = INT32_MIN;
        d.s32_max = INT32_MAX;
    } else {
        d.s32_min = smin;
        d.s32_max = smax;
    }
    u32 umin, umax;
    bool min_over = __builtin_add_overflow(d.u32_min, s.u32_min, &umin);
    bool max_over = __builtin_add_overflow(d.u32_max, s.u32_max, &umax);
    if (!min_over && max_over) {
        d.u32_min = 0;
        d.u32_max = UINT32_MAX;
    } else {
        d.u32_min = umin;
        d.u32_max = umax;
    }
}

void scalar64_add(RegisterState& d, RegisterState const& s)
{
    i64 smin, smax;
    if (__builtin_add_overflow(d.smin, s.smin, &smin) || __builtin_add_overflow(d.smax, s.smax, &smax)) {
        d.smin = INT64_MIN;
        d.smax = INT64_MAX;
    } else {
        d.smin = smin;
        d.smax = smax;
    }
    u64 umin, umax;
    bool min_over = __builtin_add_overflow(d.umin, s.umin, &umin);
    bool max_over = __builtin_add_overflow(d.umax, s.umax, &umax);
    if (!min_over && max_over) {
        d.umin = 0;
        d.umax = UINT64_MAX;
    } else {
        d.umin = umin;
        d.umax = umax;
    }
}

void scalar_alu(RegisterState& dst, RegisterState const& src, AluOp op, bool alu32)
{
    if (!computable(op, src, alu32)) {
        u32 id = 0;
        (void)id;
        dst = RegisterState::unknown_scalar();
        if (alu32) {
            dst.zext_32_to_64();
            dst.sync_bounds();
        }
        return;
    }
    switch (op) {
    case AluOp::Add:
        scalar32_add(dst, src);
        scalar64_add(dst, src);
        dst.var_off = tnum_add(dst.var_off, src.var_off);
        break;
    case AluOp::Sub:
        scalar32_sub(dst, src);
        scalar64_sub(dst, src);
        dst.var_off = tnum_sub(dst.var_off, src.var_off);
        break;
    case AluOp::Neg: {
        RegisterState value = dst;
        dst.mark_known(0);
        scalar32_sub(dst, value);
        scalar64_sub(dst, value);
        dst.var_off = tnum_neg(value.var_off);
        break;
    }
    case AluOp::Mul:
        dst.var_off = tnum_mul(dst.var_off, src.var_off);
        scalar32_mul(dst, src);
        scalar64_mul(dst, src);
        break;
    case AluOp::And:
        dst.var_off = tnum_and(dst.var_off, src.var_off);
        scalar32_and(dst, src);
        scalar64_and(dst, src);
        break;
    case AluOp::Or:
        dst.var_off = tnum_or(dst.var_off, src.var_off);
        scalar32_or(dst, src);
        scalar64_or(dst, src);
        break;
    case AluOp::Xor:
        dst.var_off = tnum_xor(dst.var_off, src.var_off);
        scalar32_xor(dst, src);
        scalar64_xor(dst, src);
        break;
    case AluOp::Lsh:
        alu32 ? scalar32_lsh(dst, src) : scalar64_lsh(dst, src);
        break;
    case AluOp::Rsh:
        alu32 ? scalar32_rsh(dst, src) : scalar64_rsh(dst, src);
        break;
    case AluOp::Arsh:
        alu32 ? scalar32_arsh(dst, src) : scalar64_arsh(dst, src);
        break;
    default:
        break;
    }
    if (alu32)
        dst.zext_32_to_64();
    dst.sync_bounds();
}

}
