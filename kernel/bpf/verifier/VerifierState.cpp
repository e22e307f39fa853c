// Copying and bookkeeping of verifier states (see VerifierState.h). Copies reuse the
// destination's frames and stack storage, since states are copied at every branch.
#include "bpf/verifier/VerifierState.h"

namespace bpf::verifier {

ErrorOr<void> FrameState::grow_stack(u32 bytes)
{
    u32 slots = (bytes + slot_size - 1) / slot_size;
    if (slots <= stack.size())
        return {};
    return stack.try_resize(slots);
}

ErrorOr<void> FrameState::copy_from(FrameState const& other)
{
    for (u32 i = 0; i < register_count; ++i)
        regs[i] = other.regs[i];
    callsite = other.callsite;
    frameno = other.frameno;
    subprog = other.subprog;
    in_callback = other.in_callback;
    callback_ret_min = other.callback_ret_min;
    callback_ret_max = other.callback_ret_max;
    callback_depth = other.callback_depth;
    stack.clear();
    return stack.try_append(other.stack.data(), other.stack.size());
}

ErrorOr<void> VerifierState::copy_from(VerifierState const& other)
{
    for (u32 i = 0; i <= other.curframe; ++i) {
        if (!frames[i])
            frames[i] = TRY(try_make<FrameState>());
        TRY(frames[i]->copy_from(*other.frames[i]));
    }
    truncate_frames(other.curframe + 1);
    curframe = other.curframe;
    refs.clear();
    TRY(refs.try_append(other.refs.data(), other.refs.size()));
    parent = other.parent;
    branches = other.branches;
    insn_idx = other.insn_idx;
    callback_unroll_depth = other.callback_unroll_depth;
    from_callback_return = other.from_callback_return;
    return {};
}

ErrorOr<OwnPtr<VerifierState>> VerifierState::clone(VerifierState const& other)
{
    auto state = TRY(try_make<VerifierState>());
    TRY(state->copy_from(other));
    return state;
}

void VerifierState::truncate_frames(u32 frame_count)
{
    for (u32 i = frame_count; i < max_frames; ++i)
        frames[i].reset();
}

bool VerifierState::has_reference(u32 id) const
{
    for (auto const& ref : refs) {
        if (ref.id == id)
            return true;
    }
    return false;
}

ErrorOr<void> VerifierState::acquire_reference(u32 id, u32 insn_idx)
{
    return refs.try_append(Reference { id, insn_idx });
}

bool VerifierState::release_reference(u32 id)
{
    for (usize i = 0; i < refs.size(); ++i) {
        if (refs[i].id == id) {
            refs.remove(i);
            return true;
        }
    }
    return false;
}

}
