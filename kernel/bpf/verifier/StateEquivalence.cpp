// State inclusion for pruning, and exact equality for loop detection (Linux's states_equal
// with NOT_EXACT and EXACT).
//
// "old includes cur" (old fully explored and safe => cur is safe) holds when, for every
// frame, every live register and stack slot of cur is covered by old's:
//  - old NotInit: the explored paths never read it, whatever cur holds;
//  - a relevant scalar: cur's range and known bits lie within old's, and the ids that link
//    scalars map one-to-one (a branch on one of them narrows the others the same way);
//  - an irrelevant scalar: any scalar (Liveness.h: its value decides nothing);
//  - pointers: same kind, object and fixed offset, variable offset within old's, packet range
//    at least old's, ids (NULL-check groups, packet groups, references) mapped one-to-one;
//  - stack slots: old uninitialized covers anything; old data covers data; spilled registers
//    compare as registers.
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

bool IdMap::check(u32 old_id, u32 cur_id)
{
    if ((old_id == 0) != (cur_id == 0))
        return false;
    if (old_id == 0)
        return true;
    for (u32 i = 0; i < count; ++i) {
        if (pairs[i].old_id == old_id)
            return pairs[i].cur_id == cur_id;
        if (pairs[i].cur_id == cur_id)
            return false;
    }
    if (count == sizeof(pairs) / sizeof(pairs[0]))
        return false;
    pairs[count++] = { old_id, cur_id };
    return true;
}

bool IdMap::check_scalar(u32 old_id, u32 cur_id)
{
    if (!old_id)
        return true;
    if (!cur_id)
        cur_id = ++tmp_id_gen;
    return check(old_id, cur_id);
}

namespace {

bool same_except_ids(RegisterState const& a, RegisterState const& b)
{
    return a.type == b.type && a.flags == b.flags && a.frameno == b.frameno && a.off == b.off && a.map == b.map && a.range == b.range
        && a.var_off == b.var_off && a.smin == b.smin && a.smax == b.smax && a.umin == b.umin && a.umax == b.umax && a.s32_min == b.s32_min
        && a.s32_max == b.s32_max && a.u32_min == b.u32_min && a.u32_max == b.u32_max;
}

}

bool VerifierEnv::regsafe(RegisterState const& old, RegisterState const& cur, bool relevant, bool exact)
{
    if (old.type == RegType::NotInit) {
        if (!exact || cur.type == RegType::NotInit)
            return true;
    }
    if (old.type != cur.type || old.flags != cur.flags)
        return false;
    auto regs_exact = [&]() {
        return same_except_ids(old, cur) && m_idmap.check(old.id, cur.id) && m_idmap.check(old.ref_obj_id, cur.ref_obj_id);
    };
    switch (old.type) {
    case RegType::Scalar:
        if (exact)
            return regs_exact();
        if (!relevant)
            return true;
        if ((old.id & linked_add_const) != (cur.id & linked_add_const))
            return false;
        if ((old.id & linked_add_const) && old.off != cur.off)
            return false;
        return cur.numerically_within(old) && m_idmap.check_scalar(old.id, cur.id);
    case RegType::PtrToMapKey:
    case RegType::PtrToMapValue:
        if (exact)
            return regs_exact();
        return old.off == cur.off && old.map == cur.map && cur.numerically_within(old) && m_idmap.check(old.id, cur.id)
            && m_idmap.check(old.ref_obj_id, cur.ref_obj_id);
    case RegType::PtrToPacket:
    case RegType::PtrToPacketMeta:
        if (exact)
            return regs_exact();
        if (old.range > cur.range)
            return false;
        if (old.off != cur.off)
            return false;
        if (!m_idmap.check(old.id, cur.id))
            return false;
        return cur.numerically_within(old);
    case RegType::PtrToStack:
        return regs_exact() && old.frameno == cur.frameno;
    default:
        return regs_exact();
    }
}

namespace {

bool slot_all_misc(StackSlot const& slot, bool allow_uninit)
{
    for (auto type : slot.type) {
        if (type == SlotType::Misc || (type == SlotType::Invalid && allow_uninit))
            continue;
        return false;
    }
    return true;
}

bool is_spilled_scalar64(StackSlot const& slot)
{
    for (auto type : slot.type) {
        if (type != SlotType::Spill)
            return false;
    }
    return slot.spilled.type == RegType::Scalar;
}

}

bool VerifierEnv::stacksafe(FrameState const& old, FrameState const& cur, u64 live_slots, u64 relevant_slots, bool exact)
{
    bool allow_uninit = m_request.privileges.allow_uninit_stack;
    static StackSlot const empty_slot {};
    RegisterState const unbound = RegisterState::unknown_scalar();
    for (u32 s = 0; s < old.stack.size(); ++s) {
        StackSlot const& o = old.stack[s];
        StackSlot const& c = s < cur.stack.size() ? cur.stack[s] : empty_slot;
        if (exact) {
            if (s >= cur.stack.size())
                return false;
            for (u32 j = 0; j < slot_size; ++j) {
                if (o.type[j] != c.type[j])
                    return false;
            }
        }
        u64 bit = s < 64 ? 1ull << s : 0;
        if (!exact && !(live_slots & bit))
            continue;
        bool relevant = exact || (relevant_slots & bit);

        bool old_used = false;
        for (auto type : o.type) {
            if (type != SlotType::Invalid && !(allow_uninit && type == SlotType::Misc))
                old_used = true;
        }
        if (!old_used)
            continue;
        if (s >= cur.stack.size())
            return false;

        if (!relevant) {
            // Only the kinds matter: data covers data, spilled pointers compare as pointers.
            if (o.is_spill() && o.spilled.type != RegType::Scalar) {
                if (!c.is_spill())
                    return false;
                for (u32 j = 0; j < slot_size; ++j) {
                    if (o.type[j] != c.type[j])
                        return false;
                }
                if (!regsafe(o.spilled, c.spilled, true, false))
                    return false;
                continue;
            }
            for (u32 j = 0; j < slot_size; ++j) {
                SlotType ot = o.type[j];
                if (ot == SlotType::Invalid || (allow_uninit && ot == SlotType::Misc))
                    continue;
                SlotType ct = c.type[j];
                if (ct == SlotType::Invalid && !allow_uninit)
                    return false;
                if (ct == SlotType::Spill && c.spilled.type != RegType::Scalar)
                    return false;
            }
            continue;
        }

        // Relevant slot: Linux's byte-wise rules.
        RegisterState const* old_scalar = is_spilled_scalar64(o) ? &o.spilled : slot_all_misc(o, allow_uninit) ? &unbound : nullptr;
        RegisterState const* cur_scalar = is_spilled_scalar64(c) ? &c.spilled : slot_all_misc(c, allow_uninit) ? &unbound : nullptr;
        if (old_scalar && cur_scalar && !exact) {
            if (!regsafe(*old_scalar, *cur_scalar, true, false))
                return false;
            continue;
        }
        for (u32 j = 0; j < slot_size; ++j) {
            SlotType ot = o.type[j];
            if (!exact && (ot == SlotType::Invalid || (allow_uninit && ot == SlotType::Misc)))
                continue;
            SlotType ct = c.type[j];
            if (!exact && ot == SlotType::Misc && ct == SlotType::Zero)
                continue;
            if (ot != ct)
                return false;
        }
        if (o.is_spill() && !regsafe(o.spilled, c.spilled, true, exact))
            return false;
    }
    return true;
}

bool VerifierEnv::func_states_equal(FrameState const& old, FrameState const& cur, u32 frame, VerifierState const& state, bool exact)
{
    if (old.callback_depth > cur.callback_depth)
        return false;
    LiveSet live;
    if (frame == state.curframe) {
        live = m_liveness.at(state.insn_idx);
    } else {
        FrameState const& callee = *state.frames[frame + 1];
        live = m_liveness.caller_frame(static_cast<u32>(callee.callsite), callee.in_callback);
    }
    for (u32 r = 0; r < register_count; ++r) {
        bool is_live = r == frame_pointer || (live.live_regs & (1u << r));
        if (!is_live)
            continue;
        if (!regsafe(old.regs[r], cur.regs[r], (live.relevant_regs & (1u << r)) != 0, exact))
            return false;
    }
    return stacksafe(old, cur, live.live_slots, live.relevant_slots, exact);
}

bool VerifierEnv::states_equal(VerifierState const& old, VerifierState const& cur, bool exact)
{
    if (old.curframe != cur.curframe)
        return false;
    m_idmap.reset(m_id_gen);
    if (old.refs.size() != cur.refs.size())
        return false;
    for (usize i = 0; i < old.refs.size(); ++i) {
        if (!m_idmap.check(old.refs[i].id, cur.refs[i].id))
            return false;
    }
    for (u32 i = 0; i <= old.curframe; ++i) {
        if (old.frames[i]->callsite != cur.frames[i]->callsite)
            return false;
        if (old.frames[i]->in_callback != cur.frames[i]->in_callback)
            return false;
        if (!func_states_equal(*old.frames[i], *cur.frames[i], i, cur, exact))
            return false;
    }
    return true;
}

bool VerifierEnv::states_maybe_looping(VerifierState const& old, VerifierState const& cur) const
{
    if (old.curframe != cur.curframe)
        return false;
    FrameState const& a = *old.frames[old.curframe];
    FrameState const& b = *cur.frames[cur.curframe];
    for (u32 r = 0; r < register_count; ++r) {
        if (!(a.regs[r] == b.regs[r]))
            return false;
    }
    return true;
}

}
