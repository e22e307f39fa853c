// x86_64 thread state switching: FXSAVE/FXRSTOR of the SSE state (the kernel itself never
// touches SSE), FS base for TLS, TSS.rsp0 and the syscall stack for the next thread.
#include "arch/ThreadState.h"
#include "arch/x86_64/Asm.h"
#include "arch/x86_64/Gdt.h"
#include "klib/CString.h"
#include "sched/PerCpu.h"

extern "C" void arch_thread_trampoline();

namespace {
alignas(16) u8 initial_fpu_state[512];
bool initial_fpu_captured;
}

void arch_initialize_thread_state(ArchThreadState& state)
{
    if (!initial_fpu_captured) {
        // The architectural reset state in FXSAVE layout: FCW 0x37f, MXCSR 0x1f80 (all
        // exceptions masked), everything else zero. Built in memory rather than captured with
        // fninit/ldmxcsr/fxsave, which some nested hypervisors fail to emulate at boot.
        memset(initial_fpu_state, 0, sizeof(initial_fpu_state));
        u16 control_word = 0x37f;
        u32 mxcsr = 0x1f80;
        u32 mxcsr_mask = 0xffff;
        memcpy(initial_fpu_state + 0, &control_word, sizeof(control_word));
        memcpy(initial_fpu_state + 24, &mxcsr, sizeof(mxcsr));
        memcpy(initial_fpu_state + 28, &mxcsr_mask, sizeof(mxcsr_mask));
        initial_fpu_captured = true;
    }
    memcpy(state.fpu, initial_fpu_state, sizeof(state.fpu));
    state.fs_base = 0;
    state.gs_base = 0;
}

void arch_switch_thread_state(ArchThreadState& previous, ArchThreadState& next, u64 next_kernel_stack_top)
{
    asm volatile("fxsave64 (%0)" : : "r"(previous.fpu) : "memory");
    asm volatile("fxrstor64 (%0)" : : "r"(next.fpu) : "memory");
    if (previous.fs_base != next.fs_base || x86::rdmsr(x86::MSR_FS_BASE) != next.fs_base)
        x86::wrmsr(x86::MSR_FS_BASE, next.fs_base);
    x86::wrmsr(x86::MSR_KERNEL_GS_BASE, next.gs_base);
    tss_set_kernel_stack(next_kernel_stack_top);
    this_cpu().kernel_stack_top = next_kernel_stack_top;
}

u64 arch_prepare_new_thread_stack(u64 stack_top, void (*entry)(void*), void* argument)
{
    auto* stack = reinterpret_cast<u64*>(stack_top);
    // The trampoline starts with a 16-byte aligned stack, so its calls see the ABI alignment.
    *--stack = reinterpret_cast<u64>(arch_thread_trampoline);
    *--stack = 0;                                // rbp
    *--stack = 0;                                // rbx
    *--stack = reinterpret_cast<u64>(entry);     // r12
    *--stack = reinterpret_cast<u64>(argument);  // r13
    *--stack = 0;                                // r14
    *--stack = 0;                                // r15
    return reinterpret_cast<u64>(stack);
}

void arch_initialize_user_frame(Registers& frame, u64 rip, u64 rsp)
{
    memset(&frame, 0, sizeof(frame));
    frame.rip = rip;
    frame.rsp = rsp;
    frame.cs = x86::USER_CS;
    frame.ss = x86::USER_DS;
    frame.rflags = 0x202;
}

void arch_set_tls_base(ArchThreadState& state, u64 base)
{
    state.fs_base = base;
    x86::wrmsr(x86::MSR_FS_BASE, base);
}

void arch_capture_fpu_state(ArchThreadState& state)
{
    asm volatile("fxsave64 (%0)" : : "r"(state.fpu) : "memory");
}

void arch_restore_fpu_state(ArchThreadState& state, void const* fxsave_image)
{
    memcpy(state.fpu, fxsave_image, sizeof(state.fpu));
    // MXCSR (offset 24): reserved bits set would make FXRSTOR fault in the kernel.
    u32 mxcsr;
    memcpy(&mxcsr, state.fpu + 24, 4);
    mxcsr &= 0xffbf;
    memcpy(state.fpu + 24, &mxcsr, 4);
    asm volatile("fxrstor64 (%0)" : : "r"(state.fpu) : "memory");
}
