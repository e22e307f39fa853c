// Conditional jumps (Linux's check_cond_jmp_op): when the outcome is known from the operands'
// ranges only that side is followed; otherwise the jump side is pushed for later and both
// sides learn from the comparison: scalar ranges narrow (with every register linked to the
// compared one), "ptr == 0" splits a maybe-NULL pointer into NULL and valid, and comparisons
// of packet pointers with the packet end prove packet ranges.
#include "bpf/verifier/BranchRefinement.h"
#include "bpf/verifier/ScalarAlu.h"
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;

namespace {

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
