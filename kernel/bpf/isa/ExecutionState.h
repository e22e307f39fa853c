// ExecutionState: everything one run of the interpreter needs besides the registers of the
// frame being executed: the stack memory of all frames, the saved caller state of each frame,
// the tail-call count and the fault/stop flags. One lives on the C++ stack of each run(); the
// "current execution" pointer (per thread on the host, one global in the kernel until it becomes
// per-CPU) lets call_bpf_function() find it from inside a helper.
#pragma once

#include "bpf/isa/Interpreter.h"

namespace bpf::isa {

struct Frame {
    Instruction const* return_to;
    Program const* program; // the caller's program (tail calls may change the callee's)
    u64 saved[4];           // the caller's r6..r9
};

struct ExecutionState {
    alignas(16) u8 stack[max_call_frames * stack_size_per_frame];
    Frame frames[max_call_frames];
    u32 depth { 0 };                           // index of the innermost active frame
    u32 tail_calls { 0 };
    Program const* current_program { nullptr }; // program of the frame that called a helper
    RunOptions const* options { nullptr };
    Diagnostic* diag { nullptr };
    u64 budget { 0 };                          // remaining instructions (checked mode)
    u64 executed { 0 };                        // executed instructions (checked mode)
    int fault { 0 };                           // errno of a fault, 0 = none
    bool stop { false };                       // fault or unwind: every active loop returns

    u64 frame_pointer(u32 frame_depth) const
    {
        return reinterpret_cast<u64>(stack) + static_cast<u64>(frame_depth + 1) * stack_size_per_frame;
    }
};

// The execution running on this thread (host) or CPU (kernel), or nullptr.
ExecutionState* current_execution();
void set_current_execution(ExecutionState*);

}
