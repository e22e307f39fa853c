// Structural checks before the walk, in Linux's order:
//  1. subprograms from pseudo-calls and BPF_PSEUDO_FUNC loads ("call to invalid destination"),
//     every jump inside its subprogram ("jump out of range from insn 3 to 9"), every
//     subprogram ending in EXIT or JA ("last insn is not an exit or jmp") - on the raw
//     instructions, before decoding, as Linux does;
//  2. (after decoding) a depth-first search from instruction 0 through jumps, calls and
//     function references: every instruction reached ("unreachable insn 4"), no jump into the
//     second half of an LD_IMM64, and without CAP_BPF no back-edges ("back-edge from insn 7
//     to 2"). The search also marks the prune points of the walk.
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;
using namespace isa::encoding;

namespace {

bool is_lddw(RawInstruction const& insn) { return insn.opcode == lddw_opcode; }
bool is_pseudo_call(RawInstruction const& insn) { return insn.opcode == (class_jmp | jmp_call) && insn.src == call_pseudo; }
bool is_pseudo_func(RawInstruction const& insn) { return is_lddw(insn) && insn.src == pseudo_func; }

}

ErrorOr<void> VerifierEnv::check_raw_structure()
{
    u32 count = static_cast<u32>(m_raw.size());
    Vector<u32> starts;
    TRY(starts.try_append(0u));
    auto add_subprog = [&](i64 target) -> ErrorOr<void> {
        if (target < 0 || target >= count)
            return reject(EINVAL, "call to invalid destination\n");
        for (u32 s : starts) {
            if (s == target)
                return {};
        }
        if (starts.size() >= 256 + 1)
            return reject(E2BIG, "too many subprograms\n");
        return starts.try_append(static_cast<u32>(target));
    };
    for (u32 i = 0; i < count; ++i) {
        RawInstruction const& insn = m_raw[i];
        if (is_pseudo_func(insn) || is_pseudo_call(insn)) {
            if (!m_request.privileges.bpf_capable)
                return reject(EPERM, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN\n");
            TRY(add_subprog(static_cast<i64>(i) + insn.imm + 1));
        }
    }
    // Sort the starts (insertion sort: there are few).
    for (usize i = 1; i < starts.size(); ++i) {
        for (usize j = i; j > 0 && starts[j - 1] > starts[j]; --j)
            klib::swap(starts[j - 1], starts[j]);
    }
    TRY(m_subprogs.try_resize(starts.size()));
    for (usize s = 0; s < starts.size(); ++s) {
        m_subprogs[s].start = starts[s];
        m_subprogs[s].end = s + 1 < starts.size() ? starts[s + 1] : count;
    }

    u32 current = 0;
    for (u32 i = 0; i < count; ++i) {
        RawInstruction const& insn = m_raw[i];
        SubprogInfo& sub = m_subprogs[current];
        u8 cls = op_class(insn.opcode);
        if (insn.opcode == (class_jmp | jmp_call) && insn.src == call_helper && insn.imm == helper_tail_call)
            sub.has_tail_call = true;
        if (cls == class_ld && (op_mode(insn.opcode) == mode_abs || op_mode(insn.opcode) == mode_ind))
            sub.has_ld_abs = true;
        if ((cls == class_jmp || cls == class_jmp32) && op_code(insn.opcode) != jmp_exit && op_code(insn.opcode) != jmp_call) {
            i64 target = insn.opcode == (class_jmp32 | jmp_ja) ? static_cast<i64>(i) + insn.imm + 1 : static_cast<i64>(i) + insn.offset + 1;
            if (target < sub.start || target >= sub.end)
                return reject(EINVAL, "jump out of range from insn %u to %lld\n", i, static_cast<long long>(target));
        }
        if (i == sub.end - 1) {
            if (insn.opcode != (class_jmp | jmp_exit) && insn.opcode != (class_jmp32 | jmp_ja) && insn.opcode != (class_jmp | jmp_ja))
                return reject(EINVAL, "last insn is not an exit or jmp\n");
            ++current;
        }
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_subprogs()
{
    // LD_ABS/LD_IND end the program on a packet miss and a tail call replaces it: from a
    // subprogram either would skip the callers' frames, which Linux allows only for programs
    // with BTF function info (not supported here). The main program may use both.
    for (usize s = 1; s < m_subprogs.size(); ++s) {
        if (m_subprogs[s].has_ld_abs)
            return reject(EINVAL, "LD_ABS is not allowed in subprogs without BTF\n");
        if (m_subprogs[s].has_tail_call)
            return reject(EINVAL, "tail_call is not allowed in subprogs without BTF\n");
    }
    return {};
}

namespace {

constexpr u8 discovered = 0x10;
constexpr u8 explored = 0x20;
constexpr u8 edge_fallthrough = 1;
constexpr u8 edge_branch = 2;

enum class Visit : u8 {
    Done,
    Keep,
    Failed,
};

}

ErrorOr<void> VerifierEnv::check_cfg()
{
    u32 count = static_cast<u32>(m_raw.size());
    Vector<u8> state;
    Vector<u32> stack;
    TRY(state.try_resize(count));
    TRY(stack.try_ensure_capacity(count));
    Error failure { 0 };

    auto push = [&](u32 t, i64 w, u8 edge) -> Visit {
        if (edge == edge_fallthrough && state[t] >= (discovered | edge_fallthrough))
            return Visit::Done;
        if (edge == edge_branch && state[t] >= (discovered | edge_branch))
            return Visit::Done;
        if (w < 0 || w >= count) {
            failure = reject(EINVAL, "jump out of range from insn %u to %lld\n", t, static_cast<long long>(w));
            return Visit::Failed;
        }
        u32 target = static_cast<u32>(w);
        if (edge == edge_branch)
            m_aux[target].prune_point = true;
        if (state[target] == 0) {
            state[t] = discovered | edge;
            state[target] = discovered;
            stack.append(target);
            return Visit::Keep;
        }
        if ((state[target] & 0xf0) == discovered) {
            if (m_request.privileges.bpf_capable)
                return Visit::Done;
            failure = reject(EINVAL, "back-edge from insn %u to %u\n", t, target);
            return Visit::Failed;
        }
        state[t] = discovered | edge;
        return Visit::Done;
    };

    auto visit_call = [&](u32 t, bool visit_callee, i64 callee) -> Visit {
        u32 size = is_lddw(m_raw[t]) ? 2 : 1;
        Visit v = push(t, static_cast<i64>(t) + size, edge_fallthrough);
        if (v != Visit::Done)
            return v;
        if (t + size < count)
            m_aux[t + size].prune_point = true;
        if (visit_callee) {
            m_aux[t].prune_point = true;
            return push(t, callee, edge_branch);
        }
        return Visit::Done;
    };

    auto visit = [&](u32 t) -> Visit {
        RawInstruction const& raw = m_raw[t];
        u8 cls = op_class(raw.opcode);
        if (is_pseudo_func(raw))
            return visit_call(t, true, static_cast<i64>(t) + raw.imm + 1);
        if (cls != class_jmp && cls != class_jmp32) {
            u32 size = is_lddw(raw) ? 2 : 1;
            return push(t, static_cast<i64>(t) + size, edge_fallthrough);
        }
        switch (op_code(raw.opcode)) {
        case jmp_exit:
            return Visit::Done;
        case jmp_call:
            if (raw.src == call_helper && (raw.imm == BPF_FUNC_loop || raw.imm == BPF_FUNC_for_each_map_elem)) {
                m_aux[t].calls_callback = true;
                m_aux[t].force_checkpoint = true;
                m_aux[t].prune_point = true;
            }
            return visit_call(t, raw.src == call_pseudo, static_cast<i64>(t) + raw.imm + 1);
        case jmp_ja: {
            i64 target = static_cast<i64>(t) + (cls == class_jmp32 ? raw.imm : raw.offset) + 1;
            Visit v = push(t, target, edge_fallthrough);
            if (v == Visit::Failed)
                return v;
            m_aux[static_cast<u32>(target)].prune_point = true;
            return v;
        }
        default: {
            m_aux[t].prune_point = true;
            Visit v = push(t, static_cast<i64>(t) + 1, edge_fallthrough);
            if (v != Visit::Done)
                return v;
            return push(t, static_cast<i64>(t) + raw.offset + 1, edge_branch);
        }
        }
    };

    state[0] = discovered;
    stack.append(0u);
    while (!stack.is_empty()) {
        u32 t = stack.last();
        Visit v = visit(t);
        if (v == Visit::Failed)
            return failure;
        if (v == Visit::Done) {
            state[t] = explored;
            stack.take_last();
        }
    }
    for (u32 i = 0; i < count; ++i) {
        if (state[i] != explored)
            return reject(EINVAL, "unreachable insn %u\n", i);
        if (is_lddw(m_raw[i])) {
            if (i + 1 < count && state[i + 1] != 0)
                return reject(EINVAL, "jump into the middle of ldimm64 insn %u\n", i);
            ++i;
        }
    }
    return {};
}

u32 VerifierEnv::find_subprog(u32 start) const
{
    for (u32 s = 0; s < m_subprogs.size(); ++s) {
        if (m_subprogs[s].start == start)
            return s;
    }
    return ~0u;
}

}
