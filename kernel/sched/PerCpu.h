// Per-CPU data. Each CPU has one PerCpu block reached through the architecture's per-CPU
// base register (GS on x86_64: %gs:0 holds the block's own address). The first fields are
// read by assembly entry code at fixed offsets (checked below). Only the owning CPU touches
// its block, with interrupts masked when it matters.
#pragma once

#include "klib/Types.h"

class Thread;

struct PerCpu {
    PerCpu* self;              // 0
    u64 user_rsp_scratch;      // 8: syscall entry stashes the user stack pointer here
    u64 kernel_stack_top;      // 16: syscall entry switches to this stack
    Thread* current_thread;    // 24
    Thread* idle_thread;       // 32
    u32 cpu_id;                // 40
    u32 preempt_disable_count; // 44
    bool need_resched;         // 48
    u64 irq_nesting;           // 56
    u64 ticks;
    u64 idle_ns;
    u64 busy_ns;
};

static_assert(__builtin_offsetof(PerCpu, user_rsp_scratch) == 8);
static_assert(__builtin_offsetof(PerCpu, kernel_stack_top) == 16);
static_assert(__builtin_offsetof(PerCpu, current_thread) == 24);

PerCpu& this_cpu();
PerCpu& cpu_block(u32 cpu_id);
