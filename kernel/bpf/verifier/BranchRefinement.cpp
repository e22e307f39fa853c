// Branch prediction and refinement on abstract values (see BranchRefinement.h), following
// Linux's is_scalar_branch_taken, is_pkt_ptr_branch_taken and regs_refine_cond_op.
#include "bpf/verifier/BranchRefinement.h"

namespace bpf::verifier {

namespace {

bool tnum_overlap(Tnum a, Tnum b)
{
    u64 known_both = ~(a.mask | b.mask);
    return ((a.value ^ b.value) & known_both) == 0;
}

// 1 taken, 0 not taken, -1 unknown (Linux's is_scalar_branch_taken).
int scalar_branch_taken(RegisterState const& r1, RegisterState const& r2, Cmp cmp, bool is32)
{
    Tnum t1 = is32 ? r1.var_off.subreg() : r1.var_off;
    Tnum t2 = is32 ? r2.var_off.subreg() : r2.var_off;
    u64 umin1 = is32 ? r1.u32_min : r1.umin, umax1 = is32 ? r1.u32_max : r1.umax;
    i64 smin1 = is32 ? r1.s32_min : r1.smin, smax1 = is32 ? r1.s32_max : r1.smax;
    u64 umin2 = is32 ? r2.u32_min : r2.umin, umax2 = is32 ? r2.u32_max : r2.umax;
    i64 smin2 = is32 ? r2.s32_min : r2.smin, smax2 = is32 ? r2.s32_max : r2.smax;
    switch (cmp) {
    case Cmp::Eq:
    case Cmp::Ne: {
        int equal = -1;
        if (t1.is_const() && t2.is_const())
            equal = t1.value == t2.value;
        else if (!tnum_overlap(t1, t2) || umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2)
            equal = 0;
        else if (!is32 && (r1.u32_min > r2.u32_max || r1.u32_max < r2.u32_min || r1.s32_min > r2.s32_max || r1.s32_max < r2.s32_min))
            equal = 0;
        if (equal < 0)
            return -1;
        return cmp == Cmp::Eq ? equal : !equal;
    }
    case Cmp::Set:
    case Cmp::NotSet: {
        RegisterState const* a = &r1;
        RegisterState const* b = &r2;
        Tnum ta = t1, tb = t2;
        if (!b->is_known_const(is32)) {
            klib::swap(a, b);
            klib::swap(ta, tb);
        }
        if (!b->is_known_const(is32))
            return -1;
        int set = -1;
        if ((~ta.mask & ta.value) & tb.value)
            set = 1;
        else if (!((ta.mask | ta.value) & tb.value))
            set = 0;
        if (set < 0)
            return -1;
        return cmp == Cmp::Set ? set : !set;
    }
    case Cmp::Gt:
        return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case Cmp::Sgt:
        return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case Cmp::Lt:
        return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case Cmp::Slt:
        return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case Cmp::Ge:
        return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case Cmp::Sge:
        return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case Cmp::Le:
        return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case Cmp::Sle:
        return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
    }
    return -1;
}

int packet_branch_taken_impl(RegisterState const& dst, RegisterState const& src, Cmp cmp)
{
    RegisterState const* pkt;
    if (src.type == RegType::PtrToPacketEnd) {
        pkt = &dst;
    } else if (dst.type == RegType::PtrToPacketEnd) {
        pkt = &src;
        cmp = flip(cmp);
    } else {
        return -1;
    }
    if (pkt->range >= 0)
        return -1;
    switch (cmp) {
    case Cmp::Le:
    case Cmp::Gt:
        if (pkt->range == packet_range_beyond_end)
            return cmp == Cmp::Gt;
        break;
    case Cmp::Lt:
    case Cmp::Ge:
        if (pkt->range == packet_range_beyond_end || pkt->range == packet_range_at_end)
            return cmp == Cmp::Ge;
        break;
    default:
        break;
    }
    return -1;
}

}

Cmp reverse(Cmp cmp)
{
    switch (cmp) {
    case Cmp::Eq:
        return Cmp::Ne;
    case Cmp::Ne:
        return Cmp::Eq;
    case Cmp::Gt:
        return Cmp::Le;
    case Cmp::Ge:
        return Cmp::Lt;
    case Cmp::Lt:
        return Cmp::Ge;
    case Cmp::Le:
        return Cmp::Gt;
    case Cmp::Sgt:
        return Cmp::Sle;
    case Cmp::Sge:
        return Cmp::Slt;
    case Cmp::Slt:
        return Cmp::Sge;
    case Cmp::Sle:
        return Cmp::Sgt;
    case Cmp::Set:
        return Cmp::NotSet;
    case Cmp::NotSet:
        return Cmp::Set;
    }
    return cmp;
}

// a OP b  <=>  b FLIP(OP) a
Cmp flip(Cmp cmp)
{
    switch (cmp) {
    case Cmp::Gt:
        return Cmp::Lt;
    case Cmp::Ge:
        return Cmp::Le;
    case Cmp::Lt:
        return Cmp::Gt;
    case Cmp::Le:
        return Cmp::Ge;
    case Cmp::Sgt:
        return Cmp::Slt;
    case Cmp::Sge:
        return Cmp::Sle;
    case Cmp::Slt:
        return Cmp::Sgt;
    case Cmp::Sle:
        return Cmp::Sge;
    default:
        return cmp;
    }
}

int branch_taken(RegisterState const& r1, RegisterState const& r2, Cmp cmp, bool is32)
{
    if (r1.is_packet_related() && r2.is_packet_related() && !is32)
        return packet_branch_taken_impl(r1, r2, cmp);
    if (r1.is_pointer() || r2.is_pointer()) {
        RegisterState const* ptr = &r1;
        RegisterState const* value = &r2;
        if (!value->is_known_const(is32)) {
            klib::swap(ptr, value);
            cmp = flip(cmp);
        }
        if (!value->is_known_const(is32))
            return -1;
        if (!ptr->not_null())
            return -1;
        if (value->const_value(is32) != 0)
            return -1;
        if (cmp == Cmp::Eq)
            return 0;
        if (cmp == Cmp::Ne)
            return 1;
        return -1;
    }
    return scalar_branch_taken(r1, r2, cmp, is32);
}

// Narrows r1 and r2 to the values satisfying "r1 CMP r2" (Linux's regs_refine_cond_op).
void refine(RegisterState& a, RegisterState& b, Cmp cmp, bool is32)
{
    RegisterState* r1 = &a;
    RegisterState* r2 = &b;
    if (cmp == Cmp::Ge || cmp == Cmp::Gt || cmp == Cmp::Sge || cmp == Cmp::Sgt) {
        cmp = flip(cmp);
        klib::swap(r1, r2);
    }
    switch (cmp) {
    case Cmp::Eq:
        if (is32) {
            r1->u32_min = max(r1->u32_min, r2->u32_min);
            r1->u32_max = min(r1->u32_max, r2->u32_max);
            r1->s32_min = max(r1->s32_min, r2->s32_min);
            r1->s32_max = min(r1->s32_max, r2->s32_max);
            r2->u32_min = r1->u32_min;
            r2->u32_max = r1->u32_max;
            r2->s32_min = r1->s32_min;
            r2->s32_max = r1->s32_max;
            Tnum t = tnum_intersect(r1->var_off.subreg(), r2->var_off.subreg());
            r1->var_off = r1->var_off.with_subreg(t);
            r2->var_off = r2->var_off.with_subreg(t);
        } else {
            r1->umin = max(r1->umin, r2->umin);
            r1->umax = min(r1->umax, r2->umax);
            r1->smin = max(r1->smin, r2->smin);
            r1->smax = min(r1->smax, r2->smax);
            r2->umin = r1->umin;
            r2->umax = r1->umax;
            r2->smin = r1->smin;
            r2->smax = r1->smax;
            r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
            r2->var_off = r1->var_off;
        }
        break;
    case Cmp::Ne: {
        if (!r2->is_known_const(is32))
            klib::swap(r1, r2);
        if (!r2->is_known_const(is32))
            break;
        u64 value = r2->const_value(is32);
        if (is32) {
            if (r1->u32_min == static_cast<u32>(value))
                r1->u32_min++;
            if (r1->u32_max == static_cast<u32>(value))
                r1->u32_max--;
            if (r1->s32_min == static_cast<i32>(value))
                r1->s32_min++;
            if (r1->s32_max == static_cast<i32>(value))
                r1->s32_max--;
        } else {
            if (r1->umin == value)
                r1->umin++;
            if (r1->umax == value)
                r1->umax--;
            if (r1->smin == static_cast<i64>(value))
                r1->smin++;
            if (r1->smax == static_cast<i64>(value))
                r1->smax--;
        }
        break;
    }
    case Cmp::Set: {
        if (!r2->is_known_const(is32))
            klib::swap(r1, r2);
        if (!r2->is_known_const(is32))
            break;
        u64 value = r2->const_value(is32);
        if (!value || (value & (value - 1)))
            break;
        if (is32)
            r1->var_off = r1->var_off.with_subreg(tnum_or(r1->var_off.subreg(), Tnum::constant(value)));
        else
            r1->var_off = tnum_or(r1->var_off, Tnum::constant(value));
        break;
    }
    case Cmp::NotSet: {
        if (!r2->is_known_const(is32))
            klib::swap(r1, r2);
        if (!r2->is_known_const(is32))
            break;
        u64 value = r2->const_value(is32);
        r1->mark_unbounded();
        if (is32)
            r1->var_off = r1->var_off.with_subreg(tnum_and(r1->var_off.subreg(), Tnum::constant(~value)));
        else
            r1->var_off = tnum_and(r1->var_off, Tnum::constant(~value));
        break;
    }
    case Cmp::Le:
        if (is32) {
            r1->u32_max = min(r1->u32_max, r2->u32_max);
            r2->u32_min = max(r1->u32_min, r2->u32_min);
        } else {
            r1->umax = min(r1->umax, r2->umax);
            r2->umin = max(r1->umin, r2->umin);
        }
        break;
    case Cmp::Lt:
        if (is32) {
            r1->u32_max = min(r1->u32_max, r2->u32_max - 1);
            r2->u32_min = max(r1->u32_min + 1, r2->u32_min);
        } else {
            r1->umax = min(r1->umax, r2->umax - 1);
            r2->umin = max(r1->umin + 1, r2->umin);
        }
        break;
    case Cmp::Sle:
        if (is32) {
            r1->s32_max = min(r1->s32_max, r2->s32_max);
            r2->s32_min = max(r1->s32_min, r2->s32_min);
        } else {
            r1->smax = min(r1->smax, r2->smax);
            r2->smin = max(r1->smin, r2->smin);
        }
        break;
    case Cmp::Slt:
        if (is32) {
            r1->s32_max = min(r1->s32_max, r2->s32_max - 1);
            r2->s32_min = max(r1->s32_min + 1, r2->s32_min);
        } else {
            r1->smax = min(r1->smax, r2->smax - 1);
            r2->smin = max(r1->smin + 1, r2->smin);
        }
        break;
    default:
        break;
    }
}

}
