// Conditional jumps (Linux's check_cond_jmp_op): when the outcome is known from the operands'
// ranges only that side is followed; otherwise the jump side is pushed for later and both
// sides learn from the comparison: scalar ranges narrow (with every register linked to the
// compared one), "ptr == 0" splits a maybe-NULL pointer into NULL and valid, and comparisons
// of packet pointers with the packet end prove packet ranges.
#include "bpf/verifier/ScalarAlu.h"
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;

namespace {

enum class Cmp : u8 {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Sgt,
    Sge,
    Slt,
    Sle,
    Set,
    NotSet, // the false side of Set
};

struct JumpInfo {
    Cmp cmp;
    bool is32;
    bool uses_src_reg;
};

JumpInfo decode_jump(Op op)
{
    u32 index = static_cast<u32>(op) - static_cast<u32>(Op::JeqImm);
    static constexpr Cmp cmps[] = { Cmp::Eq, Cmp::Ne, Cmp::Gt, Cmp::Ge, Cmp::Lt, Cmp::Le, Cmp::Sgt, Cmp::Sge, Cmp::Slt, Cmp::Sle, Cmp::Set };
    u32 variant = index % 4;
    return { cmps[index / 4], variant >= 2, variant == 1 || variant == 3 };
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

int packet_branch_taken(RegisterState const& dst, RegisterState const& src, Cmp cmp)
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

int branch_taken(RegisterState const& r1, RegisterState const& r2, Cmp cmp, bool is32)
{
    if (r1.is_packet_related() && r2.is_packet_related() && !is32)
        return packet_branch_taken(r1, r2, cmp);
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

// Applies `visit` to every register and spilled register of every frame.
template<typename Visit>
void for_each_reg(VerifierState& state, Visit visit)
{
    for (u32 f = 0; f <= state.curframe; ++f) {
        FrameState& frame = *state.frames[f];
        for (auto& reg : frame.regs)
            visit(reg);
        for (auto& slot : frame.stack) {
            if (slot.is_spill())
                visit(slot.spilled);
        }
    }
}

// After a branch narrowed `known`, every scalar linked to it (same id) gets the same value
// (plus its constant delta): Linux's sync_linked_regs().
void sync_linked(VerifierState& state, RegisterState const& known_in)
{
    RegisterState known = known_in;
    u32 base_id = known.id & ~linked_add_const;
    for_each_reg(state, [&](RegisterState& reg) {
        if (reg.type != RegType::Scalar || (reg.id & ~linked_add_const) != base_id)
            return;
        bool reg_const = reg.id & linked_add_const;
        bool known_const = known.id & linked_add_const;
        if ((!reg_const && !known_const) || reg.off == known.off) {
            u32 id = reg.id;
            i32 off = reg.off;
            reg = known;
            reg.id = id;
            reg.off = off;
            return;
        }
        RegisterState delta = RegisterState::known_scalar(static_cast<u64>(static_cast<i64>(reg.off) - static_cast<i64>(known.off)));
        u32 id = reg.id;
        i32 off = reg.off;
        reg = known;
        reg.id = id;
        reg.off = off;
        scalar32_add(reg, delta);
        scalar64_add(reg, delta);
        reg.var_off = tnum_add(reg.var_off, delta.var_off);
        reg.sync_bounds();
    });
}

void find_good_packet_pointers(VerifierState& state, RegisterState const& dst, RegType type, bool range_right_open)
{
    if (dst.off < 0 || (dst.off == 0 && range_right_open))
        return;
    if (dst.umax > 0xffff || dst.umax + static_cast<u64>(dst.off) > 0xffff)
        return;
    i32 new_range = dst.off + (range_right_open ? 1 : 0);
    u32 id = dst.id;
    for_each_reg(state, [&](RegisterState& reg) {
        if (reg.type == type && reg.id == id)
            reg.range = max(reg.range, new_range);
    });
}

void mark_packet_end(VerifierState& state, u32 regno, bool range_open)
{
    RegisterState& reg = state.regs()[regno];
    if (reg.type != RegType::PtrToPacket)
        return;
    reg.range = range_open ? packet_range_beyond_end : packet_range_at_end;
}

bool is_init_packet_pointer(RegisterState const& reg, RegType which)
{
    return reg.type == which && reg.id == 0 && reg.off == 0 && reg.var_off.equals_const(0);
}

bool match_packet_pointers(Cmp cmp, u32 dst_regno, u32 src_regno, VerifierState& this_branch, VerifierState& other_branch)
{
    RegisterState const& dst = this_branch.regs()[dst_regno];
    RegisterState const& src = this_branch.regs()[src_regno];
    bool dst_data = (dst.type == RegType::PtrToPacket && src.type == RegType::PtrToPacketEnd)
        || (dst.type == RegType::PtrToPacketMeta && is_init_packet_pointer(src, RegType::PtrToPacket));
    bool src_data = (dst.type == RegType::PtrToPacketEnd && src.type == RegType::PtrToPacket)
        || (is_init_packet_pointer(dst, RegType::PtrToPacket) && src.type == RegType::PtrToPacketMeta);
    if (!dst_data && !src_data)
        return false;
    RegisterState dst_copy = dst, src_copy = src;
    switch (cmp) {
    case Cmp::Gt:
        if (dst_data) {
            find_good_packet_pointers(this_branch, dst_copy, dst_copy.type, false);
            mark_packet_end(other_branch, dst_regno, true);
        } else {
            find_good_packet_pointers(other_branch, src_copy, src_copy.type, true);
            mark_packet_end(this_branch, src_regno, false);
        }
        return true;
    case Cmp::Lt:
        if (dst_data) {
            find_good_packet_pointers(other_branch, dst_copy, dst_copy.type, true);
            mark_packet_end(this_branch, dst_regno, false);
        } else {
            find_good_packet_pointers(this_branch, src_copy, src_copy.type, false);
            mark_packet_end(other_branch, src_regno, true);
        }
        return true;
    case Cmp::Ge:
        if (dst_data) {
            find_good_packet_pointers(this_branch, dst_copy, dst_copy.type, true);
            mark_packet_end(other_branch, dst_regno, false);
        } else {
            find_good_packet_pointers(other_branch, src_copy, src_copy.type, false);
            mark_packet_end(this_branch, src_regno, true);
        }
        return true;
    case Cmp::Le:
        if (dst_data) {
            find_good_packet_pointers(other_branch, dst_copy, dst_copy.type, false);
            mark_packet_end(this_branch, dst_regno, true);
        } else {
            find_good_packet_pointers(this_branch, src_copy, src_copy.type, true);
            mark_packet_end(other_branch, src_regno, false);
        }
        return true;
    default:
        return false;
    }
}

}

ErrorOr<void> VerifierEnv::mark_ptr_or_null_regs(VerifierState& state, u32 regno, bool is_null)
{
    RegisterState& reg = state.regs()[regno];
    u32 id = reg.id;
    u32 ref_obj_id = reg.ref_obj_id;
    if (is_null && ref_obj_id && ref_obj_id == id) {
        // A NULL record was never reserved: drop the reference.
        state.release_reference(ref_obj_id);
    }
    for_each_reg(state, [&](RegisterState& r) {
        if (!r.maybe_null() || r.id != id || id == 0)
            return;
        if (is_null) {
            r = RegisterState::known_scalar(0);
        } else {
            r.flags &= static_cast<u8>(~reg_flag_maybe_null);
            r.id = 0;
            if (r.type == RegType::PtrToMapValue && r.map && r.map->inner()) {
                // A lookup in a map of maps yields the inner map.
                r.type = RegType::ConstPtrToMap;
                r.map = r.map->inner();
            }
        }
    });
    return {};
}

ErrorOr<StepResult> VerifierEnv::check_cond_jmp(Instruction const& insn)
{
    JumpInfo info = decode_jump(insn.op);
    RegisterState* r = regs();
    RegisterState src_imm;
    if (info.uses_src_reg) {
        TRY(check_reg_read(insn.src));
        if (!(r[insn.dst].is_packet_related() && r[insn.src].is_packet_related()) && is_pointer_value(r[insn.src]))
            return reject(EACCES, "R%u pointer comparison prohibited\n", insn.src);
    }
    TRY(check_reg_read(insn.dst));
    RegisterState& dst = r[insn.dst];
    if (info.uses_src_reg) {
        // nothing: src_reg is r[insn.src]
    } else {
        src_imm = RegisterState::known_scalar(info.is32 ? static_cast<u64>(static_cast<u32>(insn.imm)) : insn.imm);
    }
    RegisterState& src = info.uses_src_reg ? r[insn.src] : src_imm;
    u32 fallthrough = m_insn_idx + 1;
    u32 target = insn.target;

    int taken = branch_taken(dst, src, info.cmp, info.is32);
    if (taken == 1) {
        m_aux[m_insn_idx].jump_taken = true;
        if (logging())
            print_insn_state(m_cur->curframe);
        m_insn_idx = target;
        return StepResult::Continue;
    }
    if (taken == 0) {
        m_aux[m_insn_idx].fall_through = true;
        if (logging())
            print_insn_state(m_cur->curframe);
        m_insn_idx = fallthrough;
        return StepResult::Continue;
    }
    m_aux[m_insn_idx].jump_taken = true;
    m_aux[m_insn_idx].fall_through = true;

    VerifierState* other = TRY(push_stack(target, m_insn_idx));
    RegisterState* other_regs = other->regs();
    bool this_feasible = true, other_feasible = true;
    if (dst.type == RegType::Scalar && src.type == RegType::Scalar && !(info.uses_src_reg && insn.src == insn.dst)) {
        RegisterState other_src_imm = src_imm;
        RegisterState& other_dst = other_regs[insn.dst];
        RegisterState& other_src = info.uses_src_reg ? other_regs[insn.src] : other_src_imm;
        refine(dst, src, reverse(info.cmp), info.is32);
        dst.sync_bounds();
        src.sync_bounds();
        refine(other_dst, other_src, info.cmp, info.is32);
        other_dst.sync_bounds();
        other_src.sync_bounds();
        this_feasible = dst.bounds_consistent() && src.bounds_consistent();
        other_feasible = other_dst.bounds_consistent() && other_src.bounds_consistent();
        if (info.uses_src_reg && src.id) {
            sync_linked(*m_cur, src);
            sync_linked(*other, other_regs[insn.src]);
        }
        if (dst.id) {
            sync_linked(*m_cur, dst);
            sync_linked(*other, other_regs[insn.dst]);
        }
    }

    // Comparing a maybe-NULL pointer with a non-NULL one: equal means non-NULL.
    if (!info.is32 && info.uses_src_reg && src.is_pointer() && dst.is_pointer() && src.maybe_null() != dst.maybe_null()) {
        RegisterState* eq_regs = info.cmp == Cmp::Eq ? other_regs : info.cmp == Cmp::Ne ? r : nullptr;
        VerifierState* eq_state = info.cmp == Cmp::Eq ? other : m_cur.ptr();
        if (eq_regs) {
            u32 regno = src.maybe_null() ? insn.src : insn.dst;
            TRY(mark_ptr_or_null_regs(*eq_state, regno, false));
        }
    }

    if (!info.is32 && !info.uses_src_reg && insn.imm == 0 && (info.cmp == Cmp::Eq || info.cmp == Cmp::Ne) && dst.maybe_null()) {
        TRY(mark_ptr_or_null_regs(*m_cur, insn.dst, info.cmp == Cmp::Ne));
        TRY(mark_ptr_or_null_regs(*other, insn.dst, info.cmp == Cmp::Eq));
    } else if (!(info.uses_src_reg && !info.is32 && match_packet_pointers(info.cmp, insn.dst, insn.src, *m_cur, *other))
        && is_pointer_value(dst)) {
        return reject(EACCES, "R%u pointer comparison prohibited\n", insn.dst);
    }

    // A side whose refined ranges are empty cannot happen: do not explore it.
    if (!this_feasible && !other_feasible)
        return reject(EFAULT, "verifier bug: both sides of the jump at %u are impossible\n", m_insn_idx);
    if (!other_feasible) {
        VerifierState* parent = other->parent;
        m_stack.take_last();
        if (parent)
            --parent->branches;
    }
    if (logging())
        print_insn_state(m_cur->curframe);
    if (!this_feasible)
        return StepResult::PathDone;
    m_insn_idx = fallthrough;
    return StepResult::Continue;
}

}
