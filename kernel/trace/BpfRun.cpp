// run_traced_program(): Linux's trace_call_bpf() with its per-CPU bpf_prog_active guard (see
// BpfRun.h). Misses are counted on the program (recursion_misses).
#include "trace/BpfRun.h"
#include "arch/Cpu.h"
#include "klib/Atomic.h"

namespace trace {

namespace {
constexpr u32 max_cpus = 64;
Atomic<u32> program_active[max_cpus];
}

bool traced_program_running()
{
    return program_active[arch::current_cpu_id() % max_cpus].load(MemoryOrder::Relaxed) != 0;
}

u64 run_traced_program(bpf::kernel::ProgramObject& program, void* ctx, bpf::kernel::TraceContext const& context)
{
    u64 irq_state = arch_irq_save();
    Atomic<u32>& active = program_active[arch::current_cpu_id() % max_cpus];
    u64 result = 0;
    if (active.fetch_add(1, MemoryOrder::AcqRel) != 0) {
        program.count_recursion_miss();
    } else {
        bpf::kernel::TraceContextScope scope(context);
        auto run = program.run(reinterpret_cast<u64>(ctx));
        result = run.is_error() ? 0 : run.value();
    }
    active.fetch_sub(1, MemoryOrder::AcqRel);
    arch_irq_restore(irq_state);
    return result;
}

}
