// The saved user/kernel register frame. Its layout is Linux's x86_64 `struct pt_regs`
// (the UAPI order from <asm/ptrace.h>), so BPF kprobe/uprobe programs can read it as they
// do on Linux; interrupt, exception and syscall entry all build this frame. A host test
// checks the offsets against the UAPI header.
#pragma once

#include "klib/Types.h"

struct Registers {
    u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    u64 orig_rax; // syscall number, or the interrupt vector for interrupts/exceptions
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};

static_assert(sizeof(Registers) == 21 * 8);
