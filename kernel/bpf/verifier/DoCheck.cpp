// The path-sensitive walk (Linux's do_check): one current state advances instruction by
// instruction; a conditional jump that can go both ways pushes a copy for the other side on
// the branch stack; a path ends at the main program's EXIT or when its state is included in
// a fully explored checkpoint (pruning), and then the next pushed state continues.
//
// Checkpoints are taken at prune points (jump targets, conditional jumps, call sites) every
// few jumps. A checkpoint whose paths are all finished (branches == 0) prunes any state it
// includes. A checkpoint still being explored is an ancestor of the current path: reaching it
// again means a loop; an identical state there is an infinite loop, otherwise the loop is
// walked again (bounded loops terminate; others hit the 1M instruction limit). When a callback
// of bpf_loop/for_each_map_elem returns to its call site, an ancestor there that includes the
// state ends the path: callbacks run a bounded number of times, so a fixpoint is enough. (Linux
// applies that rule to any arrival at the call site, which lets an infinite loop around such a
// call pass; here a loop around the call is handled like any other loop.)
#include "bpf/verifier/KernelDisasm.h"
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;

void VerifierEnv::print_insn(u32 index)
{
    StringBuilder text;
    print_kernel_insn(text, m_raw.data(), static_cast<u32>(m_raw.size()), index, m_aux[index].map_index >= 0 ? m_aux[index].map_address
                                                                                                                 : (static_cast<u64>(static_cast<u32>(m_raw[index].imm)) | (index + 1 < m_raw.size() ? static_cast<u64>(static_cast<u32>(m_raw[index + 1].imm)) << 32 : 0)));
    m_log.append(text.view());
}

void VerifierEnv::print_verifier_state(VerifierState const& state, u32 frameno, bool print_all)
{
    FrameState const& frame = *state.frames[frameno];
    StringBuilder out;
    if (frame.frameno)
        (void)out.try_appendf(" frame%u:", frame.frameno);
    for (u32 i = 0; i < register_count; ++i) {
        RegisterState const& reg = frame.regs[i];
        if (reg.type == RegType::NotInit)
            continue;
        if (!print_all && !(m_scratch.regs & (1u << i)))
            continue;
        (void)out.try_appendf(" R%u=", i);
        reg.print(out, static_cast<u8>(frame.frameno));
    }
    for (u32 s = 0; s < frame.stack.size(); ++s) {
        if (!print_all && !(m_scratch.slots & (1ull << s)))
            continue;
        StackSlot const& slot = frame.stack[s];
        char types[slot_size + 1];
        bool valid = false;
        static char const chars[] = { '?', 'r', 'm', '0' };
        for (u32 j = 0; j < slot_size; ++j) {
            if (slot.type[j] != SlotType::Invalid)
                valid = true;
            types[j] = chars[static_cast<u8>(slot.type[j])];
        }
        types[slot_size] = '\0';
        if (!valid)
            continue;
        i32 offset = -static_cast<i32>((s + 1) * slot_size);
        if (slot.is_spill()) {
            u32 j = 0;
            while (j < slot_size && slot.type[j] != SlotType::Spill)
                ++j;
            types[j] = '\0';
            (void)out.try_appendf(" fp%d=%s", offset, types);
            slot.spilled.print(out, static_cast<u8>(frame.frameno));
        } else {
            (void)out.try_appendf(" fp%d=%s", offset, types);
        }
    }
    if (!state.refs.is_empty()) {
        (void)out.try_appendf(" refs=%u", state.refs[0].id);
        for (usize i = 1; i < state.refs.size(); ++i)
            (void)out.try_appendf(",%u", state.refs[i].id);
    }
    if (frame.in_callback)
        (void)out.try_append(StringView(" cb"));
    (void)out.try_append('\n');
    m_log.append(out.view());
    if (!print_all)
        m_scratch.clear();
}

void VerifierEnv::print_insn_state(u32 frameno)
{
    if (m_prev_log_pos && m_prev_log_pos == m_log.position()) {
        m_log.reset(m_prev_log_pos - 1);
        u32 pos = m_prev_insn_print_len;
        u32 aligned = static_cast<u32>(align_up(max<u32>(pos + 4, 40), 8));
        u32 width = aligned - pos - 1;
        verbose("%*c;", static_cast<int>(width), ' ');
    } else {
        verbose("%u:", m_insn_idx);
    }
    print_verifier_state(*m_cur, frameno, false);
}

ErrorOr<VerifierState*> VerifierEnv::push_stack(u32 insn_idx, u32 prev_insn_idx)
{
    StackElement element { TRY(VerifierState::clone(*m_cur)), insn_idx, prev_insn_idx, m_log.position() };
    VerifierState* state = element.state.ptr();
    TRY(m_stack.try_append(move(element)));
    if (m_stack.size() > max_jump_sequence)
        return reject(E2BIG, "The sequence of %zu jumps is too complex.\n", m_stack.size());
    if (state->parent)
        ++state->parent->branches;
    return state;
}

ErrorOr<bool> VerifierEnv::pop_stack()
{
    if (m_stack.is_empty())
        return false;
    StackElement element = m_stack.take_last();
    TRY(m_cur->copy_from(*element.state));
    m_insn_idx = element.insn_idx;
    m_prev_insn_idx = element.prev_insn_idx;
    if (!m_log.level2())
        m_log.reset(element.log_pos);
    return true;
}

void VerifierEnv::update_branch_counts(VerifierState* state)
{
    while (state) {
        VERIFY(state->branches > 0);
        if (--state->branches)
            break;
        state = state->parent;
    }
}

ErrorOr<bool> VerifierEnv::is_state_visited(u32 insn_idx)
{
    InsnAux const& aux = m_aux[insn_idx];
    bool force_new = aux.force_checkpoint;
    bool add_new = force_new;
    if (m_jmps_processed - m_prev_jmps_processed >= 2 && m_stats.insn_processed - m_prev_insn_processed >= 8)
        add_new = true;

    auto& list = m_explored[insn_idx];
    u32 states_count = 0;
    for (usize i = 0; i < list.size();) {
        ExploredState& explored = list[i];
        VerifierState& old = *explored.state;
        ++states_count;
        bool hit = false;
        if (old.branches) {
            if (aux.calls_callback && m_cur->from_callback_return) {
                // Callback iterations are bounded by the helper: a fixpoint at the call
                // site ends this chain. (Only for the chain itself: a loop around the call
                // must terminate on its own, checked below.)
                hit = states_equal(old, *m_cur, false);
            } else {
                if (states_maybe_looping(old, *m_cur) && states_equal(old, *m_cur, true)) {
                    verbose("infinite loop detected at insn %u\n", insn_idx);
                    verbose("cur state:");
                    print_verifier_state(*m_cur, m_cur->curframe, true);
                    verbose("old state:");
                    print_verifier_state(old, m_cur->curframe, true);
                    return Error(EINVAL);
                }
                if (!force_new && m_jmps_processed - m_prev_jmps_processed < 20 && m_stats.insn_processed - m_prev_insn_processed < 100)
                    add_new = false;
            }
        } else {
            hit = states_equal(old, *m_cur, false);
        }
        if (hit) {
            ++explored.hit_count; // (Linux counts max_states_per_insn on misses only)
            return true;
        }
        if (add_new)
            ++explored.miss_count;
        // States that rarely prune are dropped from the list (Linux's heuristic). One still
        // being explored stays alive (it is an ancestor of the current path) until its paths
        // are done.
        u32 tolerance = aux.force_checkpoint && old.branches ? 64 : 3;
        if (explored.miss_count > explored.hit_count * tolerance + tolerance) {
            if (old.branches) {
                TRY(m_detached.try_append(move(explored.state)));
                if (m_detached.size() % 1024 == 0)
                    m_detached.remove_all_matching([](auto const& state) { return state->branches == 0; });
            }
            list.remove(i);
            --m_explored_count;
            continue;
        }
        ++i;
    }
    m_stats.max_states_per_insn = max(m_stats.max_states_per_insn, states_count);
    if (!add_new)
        return false;

    ++m_stats.total_states;
    ++m_explored_count;
    m_stats.peak_states = max(m_stats.peak_states, m_explored_count);
    m_prev_jmps_processed = m_jmps_processed;
    m_prev_insn_processed = m_stats.insn_processed;

    ExploredState entry;
    entry.state = TRY(VerifierState::clone(*m_cur));
    entry.state->insn_idx = insn_idx;
    VerifierState* checkpoint = entry.state.ptr();
    TRY(list.try_append(move(entry)));
    m_cur->parent = checkpoint;
    return false;
}

ErrorOr<void> VerifierEnv::do_check()
{
    m_scratch.all();
    m_do_print_state = false;
    for (;;) {
        if (m_insn_idx >= m_insns.size())
            return reject(EFAULT, "invalid insn idx %u insn_cnt %zu\n", m_insn_idx, m_insns.size());
        if (++m_stats.insn_processed > max_processed_insns)
            return reject(E2BIG, "BPF program is too large. Processed %u insn\n", m_stats.insn_processed);
        m_cur->insn_idx = m_insn_idx;

        bool path_done = false;
        bool visited = m_aux[m_insn_idx].prune_point && TRY(is_state_visited(m_insn_idx));
        m_cur->from_callback_return = false;
        if (visited) {
            if (logging()) {
                if (m_do_print_state)
                    verbose("\nfrom %u to %u: safe\n", m_prev_insn_idx, m_insn_idx);
                else
                    verbose("%u: safe\n", m_insn_idx);
            }
            path_done = true;
        }
        if (!path_done) {
            if (m_log.level2() && m_do_print_state) {
                verbose("\nfrom %u to %u:", m_prev_insn_idx, m_insn_idx);
                print_verifier_state(*m_cur, m_cur->curframe, true);
                m_do_print_state = false;
            }
            if (logging()) {
                if (m_scratch.regs || m_scratch.slots)
                    print_insn_state(m_cur->curframe);
                m_prev_log_pos = m_log.position();
                verbose("%u: ", m_insn_idx);
                print_insn(m_insn_idx);
                verbose("\n");
                m_prev_insn_print_len = static_cast<u32>(m_log.position() - m_prev_log_pos);
                m_prev_log_pos = m_log.position();
            }
            m_aux[m_insn_idx].seen = true;
            m_prev_insn_idx = m_insn_idx;
            StepResult result = TRY(do_check_insn());
            if (result == StepResult::Continue)
                continue;
        }
        m_scratch.all();
        update_branch_counts(m_cur.ptr());
        if (!TRY(pop_stack()))
            break;
        m_do_print_state = true;
    }
    return {};
}

ErrorOr<StepResult> VerifierEnv::do_check_insn()
{
    Instruction const& insn = m_insns[m_insn_idx];
    Op op = insn.op;
    if (op >= Op::Add64Imm && op <= Op::Bswap64) {
        TRY(check_alu(insn));
    } else if ((op >= Op::LdxB && op <= Op::LdxsW) || (op >= Op::LoadAcquireB && op <= Op::LoadAcquireDW)) {
        TRY(check_load(insn));
    } else if ((op >= Op::StB && op <= Op::StxDW) || (op >= Op::StoreReleaseB && op <= Op::StoreReleaseDW)) {
        TRY(check_store(insn));
    } else if (op >= Op::AtomicAdd32 && op <= Op::AtomicCmpxchg64) {
        TRY(check_atomic(insn));
    } else if (op == Op::LdImm64) {
        TRY(check_ld_imm64(insn));
        m_aux[m_insn_idx + 1].seen = true;
        m_insn_idx += 2;
        return StepResult::Continue;
    } else if (op >= Op::LdAbsB && op <= Op::LdIndW) {
        TRY(check_ld_abs(insn));
    } else if (op == Op::Ja || op == Op::Gotol) {
        ++m_jmps_processed;
        m_insn_idx = insn.target;
        return StepResult::Continue;
    } else if (op >= Op::JeqImm && op <= Op::Jset32Reg) {
        ++m_jmps_processed;
        return check_cond_jmp(insn);
    } else if (op == Op::Call || op == Op::CallUnwind || op == Op::TailCall) {
        ++m_jmps_processed;
        TRY(check_helper_call(insn));
        mark_scratched(0);
        return StepResult::Continue;
    } else if (op == Op::CallLocal) {
        ++m_jmps_processed;
        TRY(check_subprog_call(insn));
        mark_scratched(0);
        return StepResult::Continue;
    } else if (op == Op::Callx) {
        return reject(EINVAL, "BPF_CALL uses reserved fields\n");
    } else if (op == Op::Exit) {
        ++m_jmps_processed;
        return check_exit();
    } else {
        return reject(EINVAL, "unknown insn class %d\n", m_raw[m_insn_idx].opcode & 7);
    }
    ++m_insn_idx;
    return StepResult::Continue;
}

}
