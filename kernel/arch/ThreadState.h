// Per-thread architecture state that is not in the saved register frame: FPU/SSE registers
// and the TLS base. Switched by arch_switch_thread_state() on every context switch.
#pragma once

#include "arch/Registers.h"
#include "klib/Types.h"

struct alignas(16) ArchThreadState {
    u8 fpu[512];   // FXSAVE area
    u64 fs_base { 0 };
    u64 gs_base { 0 };
};

class Thread;

// Initial FPU state for a new user thread (default control words).
void arch_initialize_thread_state(ArchThreadState&);
void arch_switch_thread_state(ArchThreadState& previous, ArchThreadState& next, u64 next_kernel_stack_top);
// Sets up a kernel stack so that the first switch to it runs entry(argument).
u64 arch_prepare_new_thread_stack(u64 stack_top, void (*entry)(void*), void* argument);
// Makes a fresh register frame for entering user mode at `rip` with stack `rsp`.
void arch_initialize_user_frame(Registers&, u64 rip, u64 rsp);
extern "C" void arch_switch_context(u64* save_rsp, u64 new_rsp);
extern "C" [[noreturn]] void arch_enter_user_from_frame(Registers* frame);
void arch_set_tls_base(ArchThreadState&, u64 base);
// Saves the live FPU registers of the current CPU into `state`.
void arch_capture_fpu_state(ArchThreadState& state);
// Loads FPU state from a user-supplied FXSAVE image after sanitising reserved bits.
void arch_restore_fpu_state(ArchThreadState& state, void const* fxsave_image);
