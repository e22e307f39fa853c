// The abstract machine state at one point of one path: a stack of frames (one per active
// bpf-to-bpf call or callback), each with its registers and its stack slots, and the
// references the path holds (ringbuf records not yet submitted or discarded). Linux's
// struct bpf_verifier_state / bpf_func_state / bpf_stack_state.
//
// Stack model: a frame's stack is 512 bytes below r10, tracked in 8-byte slots allocated on
// demand (slot s covers [fp - 8(s+1), fp - 8s)). Each byte has a SlotType; byte i of slot s
// (i = 0..7) is the byte at fp - 8s - i - 1, so i = 7 is the slot's lowest address. A slot
// whose byte 7 is Spill holds a spilled register in `spilled` (bytes 8-n..7 are Spill for an
// n-byte spill).
//
// Exploration bookkeeping (Linux's parent/branches): `parent` is the checkpoint this path
// continues from; `branches` of a checkpoint counts the paths still being explored below it;
// a checkpoint with branches == 0 is fully explored and may prune others.
#pragma once

#include "bpf/verifier/RegisterState.h"
#include "klib/OwnPtr.h"
#include "klib/Vector.h"

namespace bpf::verifier {

constexpr u32 register_count = 11;
constexpr u32 frame_pointer = 10;
constexpr u32 slot_size = 8;
constexpr u32 stack_bytes = 512;
constexpr u32 stack_slots = stack_bytes / slot_size;
constexpr u32 max_frames = 8;

enum class SlotType : u8 {
    Invalid, // never written: reading it is an uninitialized read
    Spill,   // part of a spilled register
    Misc,    // some data
    Zero,    // known zero
};

struct StackSlot {
    RegisterState spilled;
    SlotType type[slot_size] {};

    bool is_spill() const { return type[slot_size - 1] == SlotType::Spill; }
    bool is_spilled_scalar() const { return is_spill() && spilled.type == RegType::Scalar; }
};

struct FrameState {
    RegisterState regs[register_count];
    i32 callsite { -1 };  // the call instruction that created this frame; -1 for the main frame
    u32 frameno { 0 };
    u32 subprog { 0 };
    bool in_callback { false };
    i64 callback_ret_min { 0 }; // a callback's allowed r0 range
    i64 callback_ret_max { 0 };
    u32 callback_depth { 0 };   // iterations of callbacks called from this frame so far
    Vector<StackSlot> stack;     // allocated slots (lowest index = closest to fp)

    u32 allocated_bytes() const { return static_cast<u32>(stack.size()) * slot_size; }
    ErrorOr<void> grow_stack(u32 bytes);
    ErrorOr<void> copy_from(FrameState const& other);
};

struct Reference {
    u32 id;
    u32 insn_idx; // where it was acquired
};

class VerifierState {
public:
    OwnPtr<FrameState> frames[max_frames];
    u32 curframe { 0 };
    Vector<Reference> refs;
    VerifierState* parent { nullptr };
    u32 branches { 1 };
    u32 insn_idx { 0 };
    u32 callback_unroll_depth { 0 };
    // Set when a callback returned to its call site and the call is about to run again.
    bool from_callback_return { false };

    FrameState& frame() { return *frames[curframe]; }
    FrameState const& frame() const { return *frames[curframe]; }
    RegisterState* regs() { return frames[curframe]->regs; }

    ErrorOr<void> copy_from(VerifierState const& other);
    static ErrorOr<OwnPtr<VerifierState>> clone(VerifierState const& other);
    // Drops frames above `frame_count`.
    void truncate_frames(u32 frame_count);

    bool has_reference(u32 id) const;
    ErrorOr<void> acquire_reference(u32 id, u32 insn_idx);
    bool release_reference(u32 id);
};

}
