// x86_64 per-CPU base: GS points at the CPU's PerCpu block in kernel mode (swapgs on every
// entry from user mode exchanges it with the user's GS base).
#include "arch/x86_64/Asm.h"
#include "sched/PerCpu.h"

namespace {
constexpr u32 max_cpus = 1;
PerCpu cpu_blocks[max_cpus];
}

PerCpu& this_cpu()
{
    PerCpu* self;
    asm volatile("movq %%gs:0, %0" : "=r"(self));
    return *self;
}

PerCpu& cpu_block(u32 cpu_id) { return cpu_blocks[cpu_id]; }

void per_cpu_initialize_boot_cpu()
{
    PerCpu& block = cpu_blocks[0];
    block.self = &block;
    block.cpu_id = 0;
    x86::wrmsr(x86::MSR_GS_BASE, reinterpret_cast<u64>(&block));
    x86::wrmsr(x86::MSR_KERNEL_GS_BASE, 0);
}
