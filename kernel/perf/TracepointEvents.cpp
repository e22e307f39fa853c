// Tracepoint events (PERF_TYPE_TRACEPOINT and the probe events of dynamic PMUs): what a hit
// does, in the order of Linux's perf_trace_run_bpf_submit() and perf_tp_event():
//  1. An attached program runs first, on every hit of the tracepoint while attached (Linux
//     keeps the program on the tracepoint itself, whatever the event's CPU, task or enabled
//     state). TRACEPOINT programs get the record, KPROBE programs on probe events the
//     registers. A 0 return ends the hit: nothing is counted or sampled.
//  2. The event counts the hit if it is enabled and the hit matches its CPU and task
//     (exclude_kernel skips hits whose registers are not user registers, as
//     perf_tp_event_match does); with a sample period it samples every period-th hit,
//     the record as PERF_SAMPLE_RAW data.
// Runs as a TracepointListener: interrupts masked, no allocation.
#include "arch/Cpu.h"
#include "arch/Registers.h"
#include "perf/PerfEvent.h"
#include "time/Clock.h"
#include "trace/BpfRun.h"

namespace perf {

bool PerfEvent::wants_record() const
{
    if (m_attr.sample_type & PERF_SAMPLE_RAW)
        return true;
    SpinlockGuard guard(m_lock);
    return m_program && m_program->type() == BPF_PROG_TYPE_TRACEPOINT;
}

void PerfEvent::on_hit(trace::TracepointHit const& hit)
{
    bpf::kernel::ProgramObject* program = nullptr;
    u64 cookie = 0;
    {
        SpinlockGuard guard(m_lock);
        program = m_program;
        cookie = m_program_cookie;
        if (program)
            m_program_users.fetch_add(1, MemoryOrder::Acquire);
    }
    if (program) {
        Registers zero {};
        void* ctx;
        if (program->type() == BPF_PROG_TYPE_KPROBE)
            ctx = const_cast<Registers*>(hit.regs ? hit.regs : &zero);
        else
            ctx = hit.record;
        u64 result = 0;
        if (ctx) {
            // A probe handler may have opened a context with the probed address.
            auto const* outer = bpf::kernel::current_trace_context();
            bpf::kernel::TraceContext context { hit.regs, outer ? outer->func_ip : 0, cookie };
            result = trace::run_traced_program(*program, ctx, context);
        }
        m_program_users.fetch_sub(1, MemoryOrder::Release);
        if (!result)
            return;
    }

    if (m_cpu != -1 && static_cast<u32>(m_cpu) != arch::current_cpu_id())
        return;
    if (!task_matches())
        return;
    if (m_attr.exclude_kernel && !(hit.regs && hit.regs->from_user()))
        return;
    bool overflowed;
    {
        SpinlockGuard guard(m_lock);
        if (!m_enabled)
            return;
        overflowed = update_locked(clock_monotonic_ns(), 1);
    }
    if (overflowed)
        overflow(hit.regs, hit.record, hit.record ? hit.record_size : 0);
}

}
